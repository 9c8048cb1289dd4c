"""/api/v1/workforce/: the roster, population, staffing, structure, turnover, training and appraisal."""

from ninja import Router

from shequ.workforce.api import appraisal, pay, roster, sections

router = Router(tags=["workforce"])
for _part in (roster, sections, pay, appraisal):
    router.add_router("", _part.router)
