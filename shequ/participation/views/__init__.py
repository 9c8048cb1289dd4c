"""The participation pages."""

from shequ.participation.views.issues import (  # noqa: F401
    IssueAccept,
    IssueCreate,
    IssueDetail,
    IssueList,
    IssueReject,
    ThresholdSet,
)
from shequ.participation.views.meetings import (  # noqa: F401
    AgendaAdd,
    AttendanceAdd,
    FollowUpAdd,
    MeetingCreate,
    MeetingDetail,
    MeetingList,
    MeetingQR,
    MinutesRecord,
    ResolutionComplete,
    ResolutionDetail,
    ResolutionList,
    ResolutionPublish,
    ReviewRecord,
    VoteRecord,
    agenda_remove,
)
from shequ.participation.views.public import hall, my_hall, propose, public_issue, public_resolutions, sign_in  # noqa: F401

# --- ratings, hearings, consultations ---------------------------------------------------------------
from shequ.participation.views.ratings import (  # noqa: E402, F401
    ConsultationCreate,
    ConsultationDetail,
    ConsultationEnd,
    ConsultationList,
    ConsultationSummary,
    HearingCreate,
    HearingDetail,
    HearingHold,
    HearingList,
    RatingClose,
    RatingCreate,
    RatingDetail,
    RatingList,
    SpeakerAdd,
    StatementRecord,
    public_ratings,
)
from shequ.participation.views.report import report  # noqa: F401
