"""Archive records in the two-community world, made through the real services by staff charged
with the archive duty (档案员)."""

import io
import itertools

from django.utils import timezone

from shequ.archives import services
from shequ.archives.models import ARCHIVIST, Fonds
from shequ.core.models import Membership

_seq = itertools.count(1)
YEAR = timezone.localdate().year - 1
STAFF_ROLES = ("street", "community_lead", "community_worker", "community_worker_b")


def grant(user):
    for m in Membership.objects.filter(user=user):
        if ARCHIVIST not in (m.duties or []):
            m.duties = [*(m.duties or []), ARCHIVIST]
            m.save(update_fields=["duties"])
    user.__dict__.pop("_shequ_memberships", None)
    return user


def charge(world, roles=STAFF_ROLES):
    """The world's staff of these roles charged with the archive duty; returns the street manager."""
    for role in roles:
        grant(world.users[role])
    return world.users["street"]


def keeper(world, side):
    return world.users["community_worker" if side == "a" else "community_worker_b"]


def fonds(world, side="a") -> Fonds:
    charge(world)
    c = world.community(side)
    f = Fonds.objects.filter(org=c).first()
    return f or services.create_fonds(keeper(world, side), org=c.code, number=f"Z{c.code[-4:]}")


def pdf(text="archive") -> bytes:
    body = f"%PDF-1.4\n1 0 obj<<>>endobj\n% {text}\ntrailer<<>>\n%%EOF\n".encode()
    return body


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "#336699").save(buf, format="PNG")
    return buf.getvalue()


def make_item(world, side="a", *, entry="WS-12", year=YEAR, openness="open", title=None, files=None, **kw):
    f = fonds(world, side)
    kw.setdefault("carrier", "paper")
    kw.setdefault("box", "盒1")
    reason = "涉及当事人隐私" if openness != "open" else ""
    return services.register_item(keeper(world, side), fonds=f, entry=entry, year=year,
                                  title=title or f"{'宁安' if side == 'a' else '郭岭'}调解协议书{next(_seq)}",
                                  responsible="人民调解委员会", date=f"{year}-05-0{1 + next(_seq) % 8}",
                                  openness=openness, openness_reason=reason, files=files or (), **kw)  # fmt: skip


def make_request(world, side="a", *, mode="lend", item=None):
    item = item or make_item(world, side)
    return services.create_request(keeper(world, side), fonds=item.fonds, requester="张三", purpose="mediation",
                                   items=[item.pk], mode=mode, requester_phone="13800001234")  # fmt: skip


def make_disposal(world, side="a"):
    """A round over a D10 item filed twelve years ago."""
    f = fonds(world, side)
    old = timezone.localdate().year - 12
    make_item(world, side, entry="WS-14", year=old)
    return services.open_disposal(keeper(world, side), f, timezone.localdate().year)


def _test_source():
    """A capture rule of the tests (a module's records rendered as XML), registered once."""
    from shequ.core import registry

    if "tests.note" not in registry.archive_sources():
        registry.register_archive_source(
            "tests.note", label="测试纪要", archive_class="WS", retention="Y", topic="ZZ", entry="WS-01",
            candidates=lambda code, year: [],
            render=lambda sid: (f"note-{sid}.xml", registry.archive_document("纪要", [("编号", sid)])),
        )  # fmt: skip


def make_proposal(world, side="a"):
    from shequ.archives.models import Proposal, ScheduleEntry

    _test_source()
    f = fonds(world, side)
    n = next(_seq)
    p = Proposal(fonds=f, rule="tests.note", source_id=str(n), source_label=f"M-{side}-{n}", year=YEAR,
                 title=f"{'宁安' if side == 'a' else '郭岭'}议事会纪要{n}", responsible=f.org.name,
                 date=timezone.datetime(YEAR, 4, 1).date(), entry=ScheduleEntry.objects.get(code="WS-01"))  # fmt: skip
    p.save()
    return p


def make_round(world, side="a"):
    return services.open_round(keeper(world, side), fonds(world, side), YEAR)


def make_file(world, side="a"):
    return make_item(world, side, carrier="electronic", files=[("协议.pdf", pdf())]).files.get()


def make_judged(world, side="a"):
    """A disposal round whose group has given its views (all three kinds)."""
    r = make_disposal(world, side)
    k = keeper(world, side)
    for name, kind in (("李档案", "archive"), ("王主任", "community"), ("赵居民", "resident")):
        services.record_opinion(k, r.pk, member=f"{name}{side}", kind=kind)
    return r


def make_register(world, side="a"):
    r = make_judged(world, side)
    services.decide_disposal(keeper(world, side), r.pk, method="碎纸机销毁")
    return r.register.get()
