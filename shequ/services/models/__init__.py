"""The community services module's records: the catalogue, centres and windows, outlets, service records."""

from shequ.services.models.catalogue import (  # noqa: F401
    CENTRE_LEVEL_OF,
    EMPLOYMENT,
    MANAGE,
    RECORD,
    VIEW,
    VIEW_RECORD,
    Centre,
    CentreLevel,
    Mode,
    Outlet,
    ProviderKind,
    Service,
    ServiceCategory,
    Window,
)
from shequ.services.models.records import (  # noqa: F401
    EmploymentKind,
    Outcome,
    RecordTag,
    ServiceRecord,
)
