"""The participation module's records: issues and their supporters, meetings, resolutions."""

# --- self-government: charters, representatives, groups, property, elections ----------------------
from shequ.participation.models.bodies import (  # noqa: F401, E402
    COMPOUND_KINDS,
    VOTED_KINDS,
    ChosenBy,
    Group,
    GroupKind,
    GroupMember,
    PropertyContract,
    Representative,
    RepresentativeKind,
    current_q,
)
from shequ.participation.models.charters import Charter, CharterKind, CharterVersion, VersionStatus  # noqa: F401, E402
from shequ.participation.models.elections import (  # noqa: F401, E402
    Candidate,
    Election,
    ElectionMethod,
    ElectionStatus,
    Office,
    Voter,
    VoterRule,
)

# --- ratings, hearings, consultations ---------------------------------------------------------------
from shequ.participation.models.hearings import (  # noqa: E402, F401
    CONSULTATION_PURPOSE,
    Consultation,
    Hearing,
    HearingSpeaker,
    SpeakerKind,
)
from shequ.participation.models.issues import (  # noqa: F401
    CONFIGURE,
    DEFAULT_THRESHOLD,
    MANAGE,
    PUBLIC_STATUSES,
    VIEW,
    VIEW_SUPPORTERS,
    Issue,
    IssueCategory,
    IssueEvent,
    IssueScope,
    IssueSource,
    Setting,
    Support,
    public_issue_q,
)
from shequ.participation.models.meetings import (  # noqa: F401
    AgendaItem,
    Attendance,
    FollowUp,
    Meeting,
    MeetingType,
    OutcomeReview,
    Resolution,
    Share,
    SignInMethod,
    overdue_q,
    share_met,
)
from shequ.participation.models.ratings import (  # noqa: E402, F401
    SURVEY_PURPOSE,
    RatingRound,
    RatingScore,
    RatingTarget,
    TargetKind,
)
from shequ.participation.workflow import IssueAction, IssueStatus  # noqa: F401
