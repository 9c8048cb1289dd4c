"""Every act of the facilities module, each in one transaction with its change-log entry."""

from shequ.facilities.services.bookings import (  # noqa: F401
    book,
    bookable_rooms,
    booking_roots,
    cancel,
    check_in,
    day_bookings,
    decide,
    door_token,
    may_manage,
    may_manage_bookings,
    read_door_token,
    utilisation,
    weekday_counts,
)
from shequ.facilities.services.facilities import (  # noqa: F401
    FACILITY_FIELDS,
    add_facility,
    add_photos,
    clean_facility,
    kind_of,
    lease_ending,
    open_minutes,
    parse_hours,
    renew_door_key,
    update_facility,
)
from shequ.facilities.services.plan import (  # noqa: F401
    TRANSITIONS,
    add_handover,
    add_project,
    handovers_of,
    move_project,
    overdue,
    plan_progress,
    record_handover,
    update_project,
)
from shequ.facilities.services.standards import (  # noqa: F401
    compliance,
    remove_standard,
    set_area_rule,
    set_package,
    standards_for,
)
