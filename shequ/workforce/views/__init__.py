"""The workforce pages."""

from shequ.workforce.views.appraisal import (  # noqa: F401, E402
    AccountLink,
    AppraisalClose,
    AppraisalCreate,
    AppraisalDetail,
    AppraisalList,
    my_appraisal,
    score_sheet,
)
from shequ.workforce.views.pay import (  # noqa: F401
    AverageWageEnter,
    ContractAdd,
    ContractsDue,
    GradePlace,
    InsuranceSet,
    PayRecordEnter,
    PayTableEnter,
    SchemeCreate,
    grade_schemes,
    insurance_rates,
    pay_report,
)
from shequ.workforce.views.recognition import (  # noqa: F401, E402
    AwardAdd,
    PromotionAdd,
    RepresentativeAdd,
    recognition,
)
from shequ.workforce.views.roster import (  # noqa: F401
    OfficeAssign,
    OfficeEnd,
    PopulationEnter,
    QualificationAdd,
    RosterImportForm,
    TrainingCreate,
    TrainingDetail,
    TrainingList,
    TrainingSignIn,
    WorkerCreate,
    WorkerDetail,
    WorkerEdit,
    WorkerExit,
    WorkerList,
    WorkerReturn,
    WorkerSecondment,
    WorkerTransfer,
    overview,
    roster_import,
    staffing,
)
from shequ.workforce.views.sections import SectionEnter, SectionRemove, sections  # noqa: F401
