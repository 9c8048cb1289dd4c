"""Catalogue services, centres, outlets and service records in the two-community world, through
the real services."""

import datetime as dt
import itertools

from django.utils import timezone

from shequ.services import services
from tests.people.factories import make_resident

_seq = itertools.count(1)


def who_for(side: str, who: str = "community_worker") -> str:
    """The world's worker belongs to a; b's objects are made by b's worker."""
    return "community_worker_b" if side == "b" and who == "community_worker" else who


def make_service(world, side="a", *, category="养老", mode="无偿", **kw):
    name = kw.pop("name", f"{'甲乙'[side == 'b']}服务{next(_seq)}")
    return services.add_service(world.users[who_for(side)], world.community(side).code, name=name,
                                category=category, mode=mode, **kw)  # fmt: skip


def make_street_service(world, **kw):
    return services.add_service(world.users["street"], world.street.code, name=kw.pop("name", f"街道服务{next(_seq)}"),
                                category=kw.pop("category", "法律"), **kw)  # fmt: skip


def make_centre(world, side="a", **kw):
    return services.add_centre(world.users[who_for(side)], world.community(side).code,
                               name=kw.pop("name", f"{'甲乙'[side == 'b']}社区服务站{next(_seq)}"), **kw)  # fmt: skip


def make_window(world, side="a", **kw):
    centre = make_centre(world, side)
    svc = make_service(world, side)
    return services.add_window(world.users[who_for(side)], centre.pk, number=1,
                               name=kw.pop("name", f"{'甲乙'[side == 'b']}综合窗口{next(_seq)}"), matters=[svc.pk])  # fmt: skip


def make_outlet(world, side="a", **kw):
    return services.add_outlet(world.users[who_for(side)], world.community(side).code,
                               name=kw.pop("name", f"{'甲乙'[side == 'b']}网点{next(_seq)}"), category=kw.pop("category", "养老"),
                               staff=kw.pop("staff", 6), formerly_unemployed=kw.pop("formerly_unemployed", 2), **kw)  # fmt: skip


def make_record(world, side="a", *, service=None, resident=None, days_ago=1, **kw):
    service = service or make_service(world, side)
    resident = resident or make_resident(world, side)
    record, _created = services.record_service(
        world.users[who_for(side)], service=service.pk, resident=resident.pk,
        served_on=timezone.localdate() - dt.timedelta(days=days_ago), **kw,
    )  # fmt: skip
    return record
