"""Every act of the community services module, each in one transaction with its change-log entry."""

from shequ.services.services.catalogue import (  # noqa: F401
    SERVICE_FIELDS,
    add_centre,
    add_outlet,
    add_service,
    add_window,
    applicable_services,
    category_of,
    update_centre,
    update_outlet,
    update_service,
    update_window,
)
from shequ.services.services.records import (  # noqa: F401
    follow_ups_due,
    record_follow_up,
    record_service,
    tag_keys_of,
)
from shequ.services.services.reports import (  # noqa: F401
    employment_ledger,
    ledger_workbook,
    report,
)
