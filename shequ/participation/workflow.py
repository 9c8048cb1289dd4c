"""The 议题 (issue) workflow as a table: (status, action) → new status. Every allowed and every
forbidden transition has a test (tests/participation/test_workflow.py); services call `advance`,
which refuses a move the table does not hold."""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core.errors import Conflict


class IssueStatus(models.TextChoices):
    PROPOSED = "proposed", _l("提出")
    READY = "ready", _l("待上会")
    ON_AGENDA = "on_agenda", _l("已上会")
    RESOLVED = "resolved", _l("已形成决议")
    IMPLEMENTING = "implementing", _l("落实中")
    DONE = "done", _l("已办结")
    REJECTED = "rejected", _l("不予受理")


class IssueAction(models.TextChoices):
    QUALIFY = "qualify", _l("列入待上会")  # the support threshold reached, or staff accept it
    REJECT = "reject", _l("不予受理")
    SCHEDULE = "schedule", _l("列入会议议程")
    UNSCHEDULE = "unschedule", _l("移出议程")  # taken off a meeting's agenda before a vote
    RETURN = "return", _l("未通过，退回待上会")  # the vote did not adopt a resolution
    RESOLVE = "resolve", _l("形成决议")
    IMPLEMENT = "implement", _l("开始落实")  # the first follow-up step recorded
    COMPLETE = "complete", _l("办结")


S, A = IssueStatus, IssueAction
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PROPOSED, A.QUALIFY): S.READY,
    (S.PROPOSED, A.REJECT): S.REJECTED,
    (S.READY, A.REJECT): S.REJECTED,
    (S.READY, A.SCHEDULE): S.ON_AGENDA,
    (S.ON_AGENDA, A.UNSCHEDULE): S.READY,
    (S.ON_AGENDA, A.RETURN): S.READY,
    (S.ON_AGENDA, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.IMPLEMENT): S.IMPLEMENTING,
    (S.RESOLVED, A.COMPLETE): S.DONE,
    (S.IMPLEMENTING, A.COMPLETE): S.DONE,
}

# Statuses in which residents may still add their support.
OPEN_FOR_SUPPORT = (S.PROPOSED, S.READY)


def target(status: str, action: str) -> str | None:
    """The status `action` leads to from `status`, or None when the table does not allow it."""
    return TRANSITIONS.get((status, action))


def advance(status: str, action: str) -> str:
    """The next status, or Conflict naming both (the table does not allow this move)."""
    new = target(status, action)
    if new is None:
        raise Conflict(
            _("议题当前为“%(s)s”，不能“%(a)s”。")
            % {"s": IssueStatus(status).label, "a": IssueAction(action).label},
            code="transition",
            details={"status": status, "action": action},
        )
    return new
