"""Every act of the participation module, each in one transaction with its change-log entry."""

from shequ.participation.services.identity import by_phone_digits, identify, resident_of  # noqa: F401
from shequ.participation.services.issues import (  # noqa: F401
    accept_issue,
    community_of,
    move,
    propose_issue,
    raise_issue,
    reject_issue,
    set_threshold,
    support_issue,
    threshold_of,
)
from shequ.participation.services.meetings import (  # noqa: F401
    add_follow_up,
    add_to_agenda,
    complete_resolution,
    create_meeting,
    meeting_for_token,
    publish_resolution,
    record_attendance,
    record_minutes,
    remove_from_agenda,
    review_outcome,
    sign_in_by_qr,
    sign_in_open,
    sign_in_token,
    vote_resolution,
)
