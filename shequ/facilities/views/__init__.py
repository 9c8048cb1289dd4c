"""The facilities pages."""

from shequ.facilities.views.bookings import (  # noqa: F401
    BookingCancel,
    BookingDecide,
    BookingDetail,
    BookingList,
    check_in,
    my_bookings,
    room_book,
    rooms,
    utilisation,
)
from shequ.facilities.views.facilities import (  # noqa: F401
    FacilityCreate,
    FacilityDetail,
    FacilityEdit,
    FacilityList,
    FacilityPhoto,
    PackageEdit,
    RuleEdit,
    compliance,
    door,
    standards,
)
from shequ.facilities.views.plan import (  # noqa: F401
    HandoverCreate,
    HandoverRecord,
    ProjectCreate,
    ProjectMove,
    handovers,
    projects,
)
