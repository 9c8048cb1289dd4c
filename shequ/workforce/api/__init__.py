"""/api/v1/workforce/: the roster, population, staffing, structure, turnover and training."""

from ninja import Router

from shequ.workforce.api import pay, roster, sections

router = Router(tags=["workforce"])
for _part in (roster, sections, pay):
    router.add_router("", _part.router)
