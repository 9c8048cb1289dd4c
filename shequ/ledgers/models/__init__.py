"""The specialised ledgers: relief, mediation, community correction labour."""

from shequ.ledgers.models.common import (  # noqa: F401
    CORRECTION,
    DUTY_LABELS,
    MANAGE_CORRECTION,
    MANAGE_MEDIATION,
    MANAGE_RELIEF,
    MEDIATION,
    RELIEF,
    VIEW_CORRECTION,
    VIEW_MEDIATION,
    VIEW_OF,
    VIEW_RELIEF,
)
from shequ.ledgers.models.correction import (  # noqa: F401
    GRADE_RANK,
    CorrectionSubject,
    Grade,
    LabourGrade,
    LabourSession,
    PeriodKind,
)
from shequ.ledgers.models.mediation import MatterType, Mediation, Mediator, Party, PartySide  # noqa: F401
from shequ.ledgers.models.relief import (  # noqa: F401
    CARED,
    CareMode,
    PaymentStatus,
    ReliefCase,
    ReliefCategory,
    ReliefPayment,
    ReliefStatus,
)
