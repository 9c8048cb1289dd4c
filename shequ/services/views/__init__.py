"""The community services pages."""

from shequ.services.views.catalogue import (  # noqa: F401
    CentreCreate,
    CentreDetail,
    CentreEdit,
    CentreList,
    OutletCreate,
    OutletEdit,
    OutletList,
    ServiceCreate,
    ServiceDetail,
    ServiceEdit,
    ServiceList,
    WindowCreate,
    WindowEdit,
)
from shequ.services.views.records import RecordCreate, RecordDetail, RecordList, follow_up  # noqa: F401
from shequ.services.views.reports import employment_ledger, report  # noqa: F401
