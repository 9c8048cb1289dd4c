"""The teams module's records: teams and their members, the talent pool, volunteers, activities."""

from shequ.teams.models.activities import (  # noqa: F401
    HOLDING,
    Activity,
    ActivityKind,
    ActivityStatus,
    AppraisalWeights,
    CheckIn,
    CheckInMethod,
    OrganiserKind,
    Rating,
    ServiceHours,
    Shift,
    ShiftSignup,
    Signup,
    SignupStatus,
)
from shequ.teams.models.awards import (  # noqa: F401, E402
    AwardKind,
    AwardRound,
    Nomination,
    NominationResult,
    NomineeKind,
    RoundStatus,
)
from shequ.teams.models.party import (  # noqa: F401, E402
    LEVEL_ORDER,
    BuildingDuty,
    ContactHousehold,
    MemberKind,
    MemberStatus,
    PartyMember,
    PartyOrg,
    PartyOrgLevel,
    Pledge,
    PledgeStatus,
)
from shequ.teams.models.teams import (  # noqa: F401
    CONFIGURE,
    MANAGE,
    VIEW,
    Availability,
    MemberRole,
    Skill,
    Talent,
    TalentLevel,
    Team,
    TeamKind,
    TeamMember,
    TeamStatus,
    Volunteer,
    VolunteerStatus,
)
