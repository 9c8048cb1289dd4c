"""/api/v1/ledgers/: relief cases and payments, mediations, community correction labour."""

from ninja import Router

from shequ.ledgers.api import correction, mediation, relief

router = Router(tags=["ledgers"])
for _part in (relief, mediation, correction):
    router.add_router("", _part.router)
