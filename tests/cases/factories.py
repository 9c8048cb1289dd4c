"""Cases in the two-community world, brought to any state through the real services."""

import io

from PIL import Image

from shequ.cases import rollups, services
from shequ.cases.models import Case, Channel


def backdate(case, **fields) -> Case:
    """Set what the services always stamp "now" (deadline, filed_at, closed_at …) to another moment,
    with a queryset update, keeping the indicators' monthly rollup in step as an act does."""
    before = rollups.state_of(Case.objects.get(pk=case.pk))
    Case.objects.filter(pk=case.pk).update(**fields)
    case = Case.objects.get(pk=case.pk)
    rollups.shift(before, rollups.state_of(case))
    return case


def photo_bytes(fmt="JPEG", exif_gps=False, size=(64, 48)) -> bytes:
    img = Image.new("RGB", size, (40, 140, 120))
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "TestPhone Maker"  # Make
        exif[0x0110] = "TestPhone 12"  # Model
        exif[0x8825] = {1: "N", 2: (30.0, 21.0, 5.0), 3: "E", 4: (114.0, 18.0, 40.0)}  # GPS IFD
        kwargs["exif"] = exif
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def point_in(world, side):
    """A point inside the side's grid (the world's grids are 0.002° squares)."""
    g = world.grid(side)
    ring = g.boundary["coordinates"][0]
    return ring[0][1] + 0.001, ring[0][0] + 0.001  # lat, lng


# The path to each state, from 受理; `unit` is filled in per side.
PATH = {
    "received": [],
    "filed": ["file"],
    "dispatched": ["file", "dispatch"],
    "processing": ["file", "dispatch", "accept"],
    "returned": ["file", "dispatch", "return"],
    "handled": ["file", "dispatch", "accept", "feedback"],
    "verified": ["file", "dispatch", "accept", "feedback", "verify"],
    "closed": ["file", "dispatch", "accept", "feedback", "verify", "close"],
    "called_back": ["file", "dispatch", "accept", "feedback", "verify", "close", "callback"],
    "evaluated": ["file", "dispatch", "accept", "feedback", "verify", "close", "callback", "evaluate"],
    "parked": ["file", "park"],
    "rejected": ["reject"],
}

_DATA = {
    "reject": {"note": "不属于受理范围"},
    "return": {"note": "非本单位职责"},
    "feedback": {"note": "已清理完毕"},
    "park": {"note": "需等待改造资金", "review_on": "2099-01-01"},
    "callback": {"valid": True, "contacted": True, "solved": True, "satisfaction": "satisfied"},
    "evaluate": {"rating": 5},
}


def make_case(
    world, side="a", status="received", *, category="0703", description=None, channel=Channel.WALK_IN, **kw
):
    """A case in community `side`, walked to `status` by the community lead of side a (or the
    street manager for side b, whose scope covers both)."""
    lat, lng = point_in(world, side)
    actor = world.users["street"]
    kw.setdefault("requester_name", "王女士")
    kw.setdefault("requester_phone", "13812345678")
    kw.setdefault("address", f"{world.community(side).display_name}1栋")
    case, _ = services.submit_request(
        actor,
        channel=channel,
        category=category,
        description=description or f"{world.community(side).display_name}楼道堆放杂物需要清理",
        lat=lat,
        lng=lng,
        **kw,
    )
    for action in PATH[status]:
        data = dict(_DATA.get(action, {}))
        if action == "dispatch":
            data["unit"] = f"community:{world.community(side).code}"
        case = services.transition(actor, case.pk, action, **data)
    return Case.objects.get(pk=case.pk)
