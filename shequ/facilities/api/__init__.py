"""/api/v1/facilities/: premises, standards and compliance, the plan, handovers, bookings and use."""

from ninja import Router

from shequ.facilities.api import bookings, plan, premises

router = Router(tags=["facilities"])
for _part in (premises, plan, bookings):
    router.add_router("", _part.router)
