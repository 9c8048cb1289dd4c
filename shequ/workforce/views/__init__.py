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
