"""Writing a scheme: its dimensions and items from the indicator catalogue, weights that add up to
exactly 100, a scoring rule per item, grades, and for a creation scheme its standard document."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shequ.assessment.models import (
    MANAGE,
    CountsAs,
    Dimension,
    Frequency,
    Level,
    Rule,
    Scheme,
    SchemeItem,
    SchemeKind,
)
from shequ.assessment.services.common import attach_document, clean_document, parse_grades, unit_at
from shequ.assessment.services.scoring import check_params, invalid, number
from shequ.core import changelog, indicators, registry, scope
from shequ.core.errors import Conflict
from shequ.core.models import Action
from shequ.core.services import require
from shequ.org.models import Level as OrgLevel

HUNDRED = Decimal("100")


def _choice(value, choices, field: str, label: str) -> str:
    value = str(value or "").strip()
    for v, text in choices:
        if value in (v, str(text)):
            return v
    names = "、".join(f"{v}（{t}）" for v, t in choices)
    raise invalid(field, _("%(l)s“%(v)s”无效，应为：%(n)s。") % {"l": label, "v": value[:20], "n": names})


def binding(actor, key: str, level: str, frequency: str, label: str):
    """The catalogue indicator an item binds to, refused when it does not exist, the actor may not
    read it, or it does not apply to the scheme's level or period."""
    ind = registry.indicator(str(key or "").strip())
    if ind is None:
        raise invalid(
            "items",
            _("“%(l)s”的指标“%(k)s”不在指标目录中，请从目录中选择。") % {"l": label, "k": str(key)[:80]},
        )
    if not scope.holds(actor, ind.perm):
        raise invalid("items", _("您无权读取指标“%(n)s”，不能用它考核。") % {"n": ind.label})
    if level not in ind.scopes:
        names = "、".join(str(indicators.LEVEL_LABELS.get(s, s)) for s in ind.scopes)
        raise invalid(
            "items",
            _("指标“%(n)s”只适用于%(levels)s一级，不能用于考核%(lv)s。")
            % {"n": ind.label, "levels": names, "lv": indicators.LEVEL_LABELS[level]},
        )
    if frequency != Frequency.ONCE and frequency not in ind.periods:
        raise invalid(
            "items",
            _("指标“%(n)s”不按%(f)s统计，不能用于该频次的方案。")
            % {"n": ind.label, "f": Frequency(frequency).label},
        )
    return ind


def _plain(d: Decimal) -> str:
    """90.00 → "90", 12.50 → "12.5" (never "9E+1")."""
    return format(d.normalize(), "f")


def clean_dimensions(actor, dimensions, level: str, frequency: str) -> list[dict]:
    """The dimensions and items as given, checked: at least one item, every weight positive, the
    sum exactly 100, every binding and rule valid."""
    if not isinstance(dimensions, list | tuple) or not dimensions:
        raise invalid("dimensions", _("请至少设一个考核维度，并在其中加入考核项目。"))
    out, total, n = [], Decimal("0"), 0
    for d_i, d in enumerate(dimensions, 1):
        name = str((d or {}).get("name") or "").strip()[:60] if isinstance(d, dict) else ""
        if not name:
            raise invalid("dimensions", _("第 %(i)d 个维度没有名称。") % {"i": d_i})
        items = d.get("items") or []
        if not items:
            raise invalid("dimensions", _("维度“%(n)s”中还没有考核项目。") % {"n": name})
        clean = []
        for it in items:
            n += 1
            it = it if isinstance(it, dict) else {}
            key = str(it.get("indicator") or "").strip()
            rule = str(it.get("rule") or (Rule.MANUAL if not key else "")).strip()
            rule = _choice(rule, Rule.choices, "items", _("计分规则"))
            ind = binding(actor, key, level, frequency, str(it.get("label") or key)) if key else None
            label = str(it.get("label") or (ind.label if ind else "")).strip()[:120]
            if not label:
                raise invalid("items", _("第 %(i)d 个考核项目没有名称。") % {"i": n})
            if rule != Rule.MANUAL and ind is None:
                raise invalid(
                    "items",
                    _("“%(l)s”没有选择指标：按数据计分的项目须从指标目录中选一个指标，否则请选人工评分。")
                    % {"l": label},
                )
            weight = number(it.get("weight"), "items", _("“%(l)s”的分值") % {"l": label})
            if weight <= 0 or weight != weight.quantize(Decimal("0.01")):
                raise invalid("items", _("“%(l)s”的分值应为大于 0 的数，最多两位小数。") % {"l": label})
            higher = ind.higher_is_better if ind is not None else True
            params = check_params(rule, it.get("params") or {}, weight, higher, label)
            total += weight
            clean.append({"label": label, "indicator": key if ind else "", "weight": weight, "rule": rule,
                          "params": params, "higher_is_better": higher,
                          "evidence_required": bool(it.get("evidence_required")) and rule == Rule.MANUAL})  # fmt: skip
        out.append({"name": name, "items": clean})
    if total != HUNDRED:
        diff = HUNDRED - total
        raise invalid(
            "weights",
            _("各项分值合计为 %(t)s 分，应恰好为 100 分（%(d)s），请调整分值。")
            % {
                "t": _plain(total),
                "d": (_("还差 %(x)s 分") if diff > 0 else _("多出 %(x)s 分")) % {"x": _plain(abs(diff))},
            },
        )
    return out


@transaction.atomic
def create_scheme(actor, *, org, name, dimensions, grades, body="", kind=SchemeKind.UNIFIED, level=Level.COMMUNITY,
                  frequency=Frequency.YEAR, counts_as=None, objection_days=7, title_name="", term_years=0,
                  recheck_months=0, note="", standard=None) -> Scheme:  # fmt: skip
    """A scheme of a district or street, with its dimensions and items (all or nothing)."""
    require(actor, MANAGE)
    unit = unit_at(actor, org, (OrgLevel.DISTRICT, OrgLevel.STREET), MANAGE, "org")
    name = str(name or "").strip()[:100]
    if not name:
        raise invalid("name", _("请填写方案名称。"))
    kind = _choice(kind, SchemeKind.choices, "kind", _("方案类别"))
    level = _choice(level, Level.choices, "level", _("考核对象"))
    if level == Level.STREET and unit.level != OrgLevel.DISTRICT:
        raise invalid("level", _("考核街道的方案应由区制定。"))
    frequency = _choice(frequency, Frequency.choices, "frequency", _("频次"))
    default_counts = CountsAs.APPRAISALS if kind == SchemeKind.UNIFIED else CountsAs.EVALUATIONS
    counts_as = _choice(counts_as or default_counts, CountsAs.choices, "counts_as", _("计入减负台账"))
    body = str(body or "").strip()[:100] or unit.display_name
    try:
        objection_days = int(objection_days)
    except (TypeError, ValueError):
        objection_days = -1
    if not 0 <= objection_days <= 60:
        raise invalid("objection_days", _("异议期应为 0 至 60 天。"))
    title_name = str(title_name or "").strip()[:60]
    term_years = int(term_years or 0)
    recheck_months = int(recheck_months or 0)
    if kind == SchemeKind.CREATION:
        if not title_name:
            raise invalid("title_name", _("创建评比方案请填写授予的称号（如：示范社区）。"))
        if not 1 <= term_years <= 10:
            raise invalid("term_years", _("称号有效期应为 1 至 10 年。"))
        if not 0 <= recheck_months <= 120:
            raise invalid("recheck_months", _("复查间隔应为 0 至 120 个月。"))
    parsed_grades = parse_grades(grades)
    dims = clean_dimensions(actor, dimensions, level, frequency)
    doc = clean_document(*standard) if standard else None
    if Scheme.objects.filter(org=unit, name=name).exists():
        raise Conflict(_("%(o)s已有名为“%(n)s”的方案，请换一个名称。") % {"o": unit.display_name, "n": name},
                       code="duplicate", details={"name": [_("名称重复。")]})  # fmt: skip
    s = Scheme(org=unit, name=name, kind=kind, level=level, body=body, frequency=frequency, counts_as=counts_as,
               grades=parsed_grades, objection_days=objection_days, title_name=title_name, term_years=term_years,
               recheck_months=recheck_months, note=str(note or "").strip()[:300], created_by=actor)  # fmt: skip
    try:
        with transaction.atomic():
            s.save()
    except IntegrityError:
        raise Conflict(_("同名方案刚被他人建立，请刷新后重试。"), code="duplicate") from None
    for d_pos, d in enumerate(dims):
        dim = Dimension.objects.create(scheme=s, name=d["name"], position=d_pos)
        SchemeItem.objects.bulk_create(
            SchemeItem(scheme=s, dimension=dim, position=i_pos, **it) for i_pos, it in enumerate(d["items"])
        )
    if doc:
        attach_document(s, unit.code, doc, actor)
    changelog.record(actor, Action.CREATE, s, after=changelog.snapshot(s), note=_("考核方案"))
    return s


def items_of(scheme) -> list[SchemeItem]:
    return list(scheme.items.select_related("dimension").order_by("dimension__position", "position", "pk"))


def catalogue_by_module(user, level: str = Level.COMMUNITY) -> list[dict]:
    """The indicators the user may read, grouped by module, for the scheme builder."""
    from django.apps import apps

    groups: dict[str, dict] = {}
    for ind in indicators.catalogue(user):
        try:
            mod = str(apps.get_app_config(ind.module).verbose_name)
        except LookupError:
            mod = ind.module
        g = groups.setdefault(ind.module, {"module": ind.module, "label": mod, "indicators": []})
        g["indicators"].append({
            "key": ind.key, "label": str(ind.label), "unit": str(ind.unit), "formula": str(ind.formula),
            "reads": [str(r) for r in ind.reads], "higher_is_better": ind.higher_is_better,
            "applies": level in ind.scopes, "scopes": list(ind.scopes), "periods": list(ind.periods),
        })  # fmt: skip
    return sorted(groups.values(), key=lambda g: g["module"])
