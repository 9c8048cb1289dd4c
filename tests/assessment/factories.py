"""Assessment records in the two-community world, through the real services."""

import io
import itertools

from django.utils import timezone

from shequ.assessment.services import creation, rounds, schemes

_seq = itertools.count(1)
RATE = "participation.participation_rate"
PERIOD = str(timezone.localdate().year)


def png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (12, 8), "#3366aa").save(buf, format="PNG")
    return buf.getvalue()


def photo():
    return [("现场.png", png(), "image/png")]


def dims(weight_rate="60", weight_manual="40", evidence=True):
    return [
        {"name": "居民参与", "items": [{"indicator": RATE, "weight": weight_rate, "rule": "linear",
                                         "params": {"floor": "0", "target": "50"}}]},
        {"name": "阵地建设", "items": [{"label": "党群服务中心规范化", "weight": weight_manual, "rule": "manual",
                                         "evidence_required": evidence}]},
    ]  # fmt: skip


GRADES = [{"name": "优秀", "min": "90"}, {"name": "良好", "min": "80"}, {"name": "合格", "min": "60"},
          {"name": "不合格", "min": "0"}]  # fmt: skip


def make_scheme(world, *, kind="unified", who="district", **kw):
    kw.setdefault("name", f"社区综合考核{next(_seq)}")
    kw.setdefault("dimensions", dims())
    if kind == "creation":
        kw.setdefault("grades", [{"name": "达标", "min": "30"}])
        kw.setdefault("title_name", "示范社区")
        kw.setdefault("term_years", 3)
        kw.setdefault("recheck_months", 12)
    kw.setdefault("grades", GRADES)
    return schemes.create_scheme(world.users[who], org=world.district.code, kind=kind, body="区民政局", **kw)


def make_round(world, scheme=None, *, period=PERIOD, **kw):
    scheme = scheme or make_scheme(world)
    return rounds.open_round(world.users["district"], scheme=scheme, period=period, **kw)


def computed_round(world, **kw):
    r = make_round(world, **kw)
    return rounds.compute_round(world.users["district"], r)


def published_round(world, points="30"):
    r = computed_round(world)
    for sc in r.entries.get(unit=world.community("a")).scores.filter(item__rule="manual"):
        rounds.score_item(world.users["district"], sc.pk, points=points, photos=photo())
    for sc in r.entries.get(unit=world.community("b")).scores.filter(item__rule="manual"):
        rounds.score_item(world.users["district"], sc.pk, points="35", photos=photo())
    return rounds.publish(world.users["district"], r)


def entry(world, side="a", r=None):
    r = r or published_round(world)
    return r.entries.get(unit=world.community(side))


def objection(world, side="a"):
    e = entry(world, side)
    who = "community_lead" if side == "a" else "community_worker_b"
    return rounds.file_objection(world.users[who], e.pk, reason="参与人数统计有遗漏")


def creation_round(world):
    s = make_scheme(world, kind="creation", name=f"示范社区创建{next(_seq)}", dimensions=dims(evidence=False))
    return make_round(world, s)


def application(world, side="a"):
    r = creation_round(world)
    who = "community_lead" if side == "a" else "community_worker_b"
    return creation.apply(
        world.users[who], r.pk, community=world.community(side).code, claim="创建工作扎实推进"
    )


def who(side):
    return "community_lead" if side == "a" else "community_worker_b"


def computed_entry(world, side="a"):
    return computed_round(world).entries.get(unit=world.community(side))


def manual_score(world, side="a"):
    return computed_entry(world, side).scores.get(item__rule="manual")


def objection_of(world, side="a"):
    e = entry(world, side)
    return rounds.file_objection(world.users[who(side)], e.pk, reason=f"参与人数统计有遗漏{side}")


def inspected(world, side="a", points="40"):
    e = application(world, side)
    manual = e.scores.get(item__rule="manual").item_id
    return creation.accept(world.users["district"], e.pk, note="资料齐全，现场查看", scores={manual: points})


def titled(world, side="a"):
    e = inspected(world, side)
    return creation.decide(world.users["district"], e.pk, grant=True).title
