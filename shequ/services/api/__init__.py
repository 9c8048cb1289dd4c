"""/api/v1/services/: the catalogue, centres and windows, outlets, service records and their counts."""

from ninja import Router

from shequ.services.api import catalogue, records

router = Router(tags=["services"])
for _part in (catalogue, records):
    router.add_router("", _part.router)
