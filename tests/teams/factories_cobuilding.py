"""Co-building records in the two-community world, through the real services."""

import datetime as dt
import itertools

from shequ.org.models import ResidentOrganization
from shequ.teams import services
from tests.teams.factories import staff

_seq = itertools.count(1)


def make_unit(world, side="a", name=None):
    n = next(_seq)
    return ResidentOrganization.objects.create(
        community=world.community(side),
        grid=world.grid(side),
        name=name or f"{'甲乙'[side == 'b']}共建单位{n}",
        org_type="enterprise",
        contact_phone=f"1391111{n:04d}",
    )


def make_body(world, side="a", **kw):
    kw.setdefault("name", f"{'甲乙'[side == 'b']}共建联席会{next(_seq)}")
    return services.create_body(staff(world, side), world.community(side).code, **kw)


def make_member(world, side="a", body=None, unit=None):
    body = body or make_body(world, side)
    unit = unit or make_unit(world, side)
    return services.add_body_member(staff(world, side), body.pk, unit=unit.pk, joined_on=dt.date(2026, 1, 2))


def make_agreement(world, side="a", *, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31), **kw):
    m = make_member(world, side)
    return services.sign_agreement(staff(world, side), m.body_id, unit=m.unit_id, starts_on=starts_on,
                                   ends_on=ends_on, signed_on=dt.date(2026, 1, 2), **kw)  # fmt: skip


def make_contribution(world, side="a", **kw):
    a = make_agreement(world, side)
    kw.setdefault("kind", "money")
    kw.setdefault("amount", "5000")
    kw.setdefault("given_on", dt.date(2026, 3, 1))
    kw.setdefault("description", f"{'甲乙'[side == 'b']}捐资{next(_seq)}")
    return services.record_contribution(staff(world, side), unit=a.unit_id, agreement=a.pk, **kw)
