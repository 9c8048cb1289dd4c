"""Every act of the duties module: lists and their versions, admission requests and their review,
the tasks an approval admits, refusals, certificates, the burden ledger and appraisals.

The admission rule in one place: a community task exists only because `_admit` ran for an approved
request. Nothing else creates a `Task`; a department that wants work done by a community files a
request (`file_request`), which the pre-check may reject or return and the review group decides.

The review:
  - The pre-check (`precheck`) rejects a request linked to a negative-list item (citing it),
    returns one without a basis or without the funding its item requires, warns the reviewers of
    text that looks like a negative-list item, an urgent start and a possible duplicate, and puts a
    协助 item whose funding reaches its standard on the fast track (a shorter review deadline).
  - Each member of the group votes once: 同意, 不同意 or 修改后同意 (both approving). The rule is
    fixed when the request is filed: by majority, the decision falls when every member has voted
    (a tie goes the chair's way); by the chair, when the chair votes. After the deadline the chair or
    a manager may close the review on the votes cast. Votes and decisions after the deadline are
    recorded as late.
"""

from shequ.duties.services.admission import (
    close_review,
    department_of,
    file_request,
    maybe_sweep,
    precheck,
    precheck_preview,
    req_members,
    resubmit_request,
    review_state,
    sweep,
    tally_line,
    tally_text,
    vote,
    withdraw_request,
)
from shequ.duties.services.community import (
    certificate_match,
    issue_certificate,
    open_round,
    record_funding,
    refuse_certificate,
    refuse_unadmitted,
    register_entry,
    report_progress,
    submit_appraisal,
)
from shequ.duties.services.lists import (
    ITEM_FIELDS,
    create_list,
    delete_item,
    items_in_force,
    lists_in_force,
    policies_for,
    policy_for,
    publish_list,
    replace_items,
    save_item,
    save_policy,
    set_members,
)

__all__ = [
    "ITEM_FIELDS",
    "certificate_match",
    "close_review",
    "create_list",
    "delete_item",
    "department_of",
    "file_request",
    "issue_certificate",
    "items_in_force",
    "lists_in_force",
    "maybe_sweep",
    "open_round",
    "policies_for",
    "policy_for",
    "precheck",
    "precheck_preview",
    "publish_list",
    "record_funding",
    "refuse_certificate",
    "refuse_unadmitted",
    "register_entry",
    "replace_items",
    "report_progress",
    "req_members",
    "resubmit_request",
    "review_state",
    "save_item",
    "save_policy",
    "set_members",
    "submit_appraisal",
    "sweep",
    "tally_line",
    "tally_text",
    "vote",
    "withdraw_request",
]
