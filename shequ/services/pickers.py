"""The resident picker of the service-record form (社区 → 居民): type a name or a whole ID number;
every option comes from Resident.objects.visible_to(user), so a resident outside the user's scope
is neither offered nor accepted, and the record service checks again."""

from django.utils.translation import gettext_lazy as _

from shequ.core import scope
from shequ.core.crypto import lookup
from shequ.core.masking import mask
from shequ.core.picker import Ask, Cascade, Choice, Level
from shequ.org.models import Level as OrgLevel
from shequ.org.models import OrgUnit
from shequ.people.choices import Status
from shequ.people.models import Resident

LIMIT = 30


def _pk(value) -> int | None:
    return int(value) if str(value or "").isdigit() and len(str(value)) < 19 else None


def _communities(ask: Ask):
    roots = scope.read_roots(ask.user, Resident)
    qs = OrgUnit.objects.filter(level=OrgLevel.COMMUNITY).select_related("parent")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    if ask.within:
        qs = qs.filter(code__startswith=ask.within)
    return qs


def _community_choice(c) -> Choice:
    return Choice(c.code, c.display_name, c.parent.display_name if c.parent_id else "")


def community_options(ask: Ask) -> list[Choice]:
    qs = _communities(ask)
    if ask.q:
        qs = qs.filter(name__icontains=ask.q)
    return [_community_choice(c) for c in qs.order_by("code")[: ask.limit + 1]]


def community_get(ask: Ask, value: str) -> Choice | None:
    c = _communities(ask).filter(code=value).first() if value.isdigit() else None
    return _community_choice(c) if c else None


def _residents(user, within=None):
    qs = Resident.objects.visible_to(user).filter(status__in=(Status.ACTIVE, Status.MISSING))
    return qs.filter(scope_code__startswith=within) if within else qs


def _matching(qs, q: str):
    """A whole ID number finds its one holder (through the blind index); anything else is a name."""
    text = "".join(q.split()).upper()
    if len(text) in (15, 18) and text[:-1].isdigit():
        return qs.filter(**lookup(Resident, "doc_number", text))
    return qs.filter(name__contains=q.strip())


def _choice(r) -> Choice:
    age = f"{r.age}岁 · " if r.age is not None else ""
    return Choice(str(r.pk), r.name, f"{age}{mask(r.doc_number, 'id_number')}")


def resident_options(ask: Ask) -> list[Choice]:
    qs = _residents(ask.user, ask.within).filter(community__code=ask.parent)
    if ask.q:
        qs = _matching(qs, ask.q)
    return [_choice(r) for r in qs.order_by("name", "pk")[: ask.limit + 1]]


def resident_get(ask: Ask, value: str) -> Choice | None:
    r = _residents(ask.user, ask.within).filter(community__code=ask.parent, pk=_pk(value)).first()
    return _choice(r) if r and _pk(value) else None


def resolve(user, value: str, within) -> list[Choice] | None:
    r = _residents(user, within).select_related("community__parent").filter(pk=_pk(value)).first()
    if r is None or not _pk(value):
        return None
    return [_community_choice(r.community), _choice(r)]


def search(ask: Ask, path: list[str]) -> list[Choice]:
    """Residents anywhere in the scope (under a chosen community) by name or ID number."""
    qs = _residents(ask.user, ask.within).select_related("community")
    if path:
        qs = qs.filter(community__code=path[0])
    rows = _matching(qs, ask.q).order_by("name", "pk")[: ask.limit]
    return [Choice(str(r.pk), f"{r.name}（{r.community.display_name}）", _choice(r).hint) for r in rows]


RESIDENT = Cascade(
    "service-resident",
    levels=(
        Level(
            "community",
            _("社区"),
            _("输入社区名称，或直接输入居民姓名、身份证号"),
            community_options,
            community_get,
        ),
        Level(
            "resident", _("居民"), _("输入姓名或完整身份证号"), resident_options, resident_get, limit=LIMIT
        ),
    ),
    resolve=resolve,
    search=search,
    model=Resident,
)
