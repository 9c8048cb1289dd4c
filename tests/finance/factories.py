"""Finance records in the two-community world, through the real services."""

import io
import itertools
from decimal import Decimal

from django.utils import timezone

from shequ.finance import services

_seq = itertools.count(1)
YEAR = timezone.localdate().year


def png(name="票据.png"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (12, 8), "#aa3366").save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def photo():
    return [("票据.png", png().getvalue(), "image/png")]


def make_rule(world, *, who="district", org=None, name=None, kind="office", base="community", amount="30000",
              mode="share", parties=None, communities=None, year=YEAR, due_on=None):  # fmt: skip
    parties = parties or [{"party": "city", "ratio": "1"}, {"party": "district", "ratio": "1"},
                          {"party": "street", "ratio": "1"}]  # fmt: skip
    return services.set_rule(world.users[who], org=org or world.district.code, year=year, fund_kind=kind,
                             name=name or f"办公经费分担{next(_seq)}", base=base, base_amount=amount, mode=mode,
                             parties=parties, communities=communities, due_on=due_on)  # fmt: skip


def make_budget(world, side="a", **kw):
    """A's (or b's) budget from a rule applying to that community alone."""
    rule = make_rule(world, communities=[world.community(side).code], **kw)
    services.apply_rule(world.users["district"], rule.pk)
    return rule.lines.get(party="city").budget


def make_allocation(world, side="a", *, party="city", kind="office", amount="10000", year=YEAR, **kw):
    kw.setdefault("document_number", f"财拨〔{year}〕{next(_seq)}号")
    kw.setdefault("note", "测试拨付")
    return services.record_allocation(world.users["district"], org=world.community(side).code, party=party,
                                      fund_kind=kind, year=year, amount=amount,
                                      arrived_on=timezone.localdate(), **kw)  # fmt: skip


def make_spending(
    world, side="a", *, amount="1200", kind="office", category="operations", year=YEAR, fund=True
):
    if fund:
        make_allocation(world, side, amount=str(Decimal(amount) + 1000), kind=kind, year=year)
    who = "community_lead" if side == "a" else "sysadmin"
    return services.record_spending(world.users[who], community=world.community(side).code, fund_kind=kind, year=year,
                                    category=category, payee=f"文具店{next(_seq)}", spent_on=timezone.localdate(),
                                    amount=amount, purpose="办公用品", photos=photo())  # fmt: skip


def make_commitment(world, side="a"):
    from tests.duties.factories import make_task

    return make_task(world, side).commitment


GRADES = [{"grade": "一等", "min": "30", "amount": "20000"}, {"grade": "二等", "min": "20", "amount": "12000"},
          {"grade": "三等", "min": "10", "amount": "6000"}]  # fmt: skip


def make_scheme(world, *, basis="finance.manual", name=None, org=None, grades=None, party="district"):
    from shequ.finance import awards

    return awards.set_scheme(world.users["district"], org=org or world.district.code, name=name or f"以奖代补{next(_seq)}",
                             rewards="队伍活动开展好的社区", basis=basis, party=party, grades=grades or GRADES)  # fmt: skip


def make_round(world, *, basis="finance.manual", year=YEAR, **kw):
    from shequ.finance import awards

    return awards.open_round(world.users["district"], scheme=make_scheme(world, basis=basis, **kw), year=year)


def make_application(world, side="a", *, rnd=None, **kw):
    """Community a's (or b's) application in a round of its own (a district round both may enter)."""
    from shequ.finance import awards

    rnd = rnd or make_round(world, **kw)
    who = "community_lead" if side == "a" else "sysadmin"
    return awards.apply_for_award(world.users[who], rnd.pk, community=world.community(side).code,
                                  claim=f"全年开展队伍活动 {next(_seq)} 场")  # fmt: skip


def make_approved(world, side="a", **kw):
    from shequ.finance import awards

    a = make_application(world, side, **kw)
    return awards.review(world.users["district"], a.pk, decision="approve", score="32")


def make_people_task(world, side="a", people=2):
    """An admitted task whose request promised `people` per community (duties' Task)."""
    from tests.duties.factories import make_request

    req = make_request(
        world, side, state="approved", communities=[world.community(side)], personnel_count=people
    )
    return req.tasks.get()


def make_provision(world, side="a"):
    from shequ.finance import personnel

    t = make_people_task(world, side, people=3)
    who = world.users["department"] if side == "a" else world.users["sysadmin"]
    return personnel.record_provision(who, t.pk, people=1, names=f"派驻人员{next(_seq)}")
