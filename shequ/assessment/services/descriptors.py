"""Community descriptors: type and size band (households and residents counted from the registry
through the kernel's headcount hooks, or as recorded where the registry does not keep them), and
the delegated administrative matters counted as a baseline in the burden ledger."""

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.assessment.models import MANAGE, CommunityProfile, Matter, MatterGroup, SizeBand
from shequ.assessment.models.descriptors import CommunityType
from shequ.assessment.services.common import unit_at
from shequ.assessment.services.scoring import invalid
from shequ.core import changelog, registry
from shequ.core.models import Action
from shequ.org.models import Level


def band_for(households, residents, bands) -> str:
    for b in bands:
        if (b.max_households is None or households is None or households < b.max_households) and (
            b.max_residents is None or residents is None or residents < b.max_residents
        ):
            return b.name
    return bands[-1].name if bands else ""


def profiles(codes) -> dict[str, dict]:
    """{code: {"kind", "kind_label", "households", "residents", "band"}} for communities (a street or
    other code gets only what is recorded)."""
    codes = list(codes)
    kept = {p.scope_code: p for p in CommunityProfile.objects.filter(scope_code__in=codes)}
    households = registry.headcount("households", codes) or {}
    residents = registry.headcount("residents", codes) or {}
    bands = list(SizeBand.objects.all())
    out = {}
    for c in codes:
        p = kept.get(c)
        h = households.get(c) or (p.households if p else None)
        r = residents.get(c) or (p.residents if p else None)
        kind = p.kind if p else ""
        out[c] = {"kind": kind, "kind_label": str(CommunityType(kind).label) if kind else "",
                  "households": h, "residents": r, "band": band_for(h, r, bands) if (h or r) else ""}  # fmt: skip
    return out


@transaction.atomic
def set_profile(actor, *, community, kind, households=None, residents=None) -> CommunityProfile:
    """A community's type (and households/residents where the registry keeps none)."""
    unit = unit_at(actor, community, (Level.COMMUNITY,), MANAGE, "community")
    if kind not in CommunityType.values:
        names = "、".join(f"{v}（{t}）" for v, t in CommunityType.choices)
        raise invalid("kind", _("社区类型应为：%(n)s。") % {"n": names})
    for label, v in ((_("户数"), households), (_("人数"), residents)):
        if v not in (None, "") and (not str(v).isdigit() or int(v) > 10_000_000):
            raise invalid("households", _("%(l)s应为不大于一千万的整数。") % {"l": label})
    p, _created = CommunityProfile.objects.get_or_create(community=unit, defaults={"kind": kind})
    p.kind = kind
    p.households = int(households) if households not in (None, "") else None
    p.residents = int(residents) if residents not in (None, "") else None
    p.save()
    changelog.record(actor, Action.UPDATE, p, after=changelog.snapshot(p), note=_("社区类型与规模"))
    return p


def matters() -> dict:
    """The delegated matters: groups with their items, counts, and whether it is still the sample."""
    groups = list(MatterGroup.objects.prefetch_related("matters"))
    return {"groups": groups, "major": len(groups), "minor": sum(len(g.matters.all()) for g in groups),
            "sample": any(g.sample for g in groups)}  # fmt: skip


def minor_count(code: str = "") -> int:
    return Matter.objects.count()
