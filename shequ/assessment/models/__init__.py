"""考核评估与创建评比: assessment schemes (dimensions, indicators from the catalogue with weights
and scoring rules), rounds whose figures are frozen when computed, manual scores with evidence,
self-assessment, objections and publication; creation schemes (示范社区, 小康社区 …) with
applications, acceptance inspections and titles granted for a term; community descriptors.

Where rows hang (`scope_code`): a scheme and a round on the district or street that runs it; a
round's entry, its item scores and objections on the community (or street) assessed; a title on
the community that holds it."""

from shequ.assessment.models.creation import Title  # noqa: F401
from shequ.assessment.models.descriptors import CommunityProfile, Matter, MatterGroup, SizeBand  # noqa: F401
from shequ.assessment.models.rounds import (  # noqa: F401
    Entry,
    EntryStatus,
    ItemScore,
    Objection,
    ObjectionStatus,
    Round,
    RoundStatus,
)
from shequ.assessment.models.schemes import (  # noqa: F401
    MANAGE,
    SELF,
    VIEW,
    CountsAs,
    Dimension,
    Frequency,
    Level,
    Rule,
    Scheme,
    SchemeItem,
    SchemeKind,
)
