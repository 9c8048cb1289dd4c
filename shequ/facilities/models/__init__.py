"""The facilities module's records: premises and their standards, the plan, handovers, bookings."""

from shequ.facilities.models.bookings import (  # noqa: F401
    HOLDING,
    SLOT_MINUTES,
    BookerKind,
    Booking,
    BookingSlot,
    BookingStatus,
)
from shequ.facilities.models.facilities import (  # noqa: F401
    APPROVE,
    MANAGE,
    MANAGE_HANDOVER,
    MANAGE_STANDARDS,
    OFFICE,
    VIEW,
    VIEW_BOOKING,
    WEEKDAYS,
    AreaRule,
    CommunityType,
    Facility,
    FacilityKind,
    KindPackage,
    Obtained,
    Project,
    ProjectKind,
    ProjectStatus,
    Tenure,
    community_type_of,
)
from shequ.facilities.models.handovers import Handover, HandoverState  # noqa: F401
