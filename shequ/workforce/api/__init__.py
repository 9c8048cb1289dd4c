"""/api/v1/workforce/: the roster, population, staffing, structure, turnover and training."""

from ninja import Router

from shequ.workforce.api import pay, roster

router = Router(tags=["workforce"])
for _part in (roster, pay):
    router.add_router("", _part.router)
