"""Assessment schemes: who runs them, how often, what they count as in the burden ledger, their
dimensions and indicator items with weights (adding up to exactly 100) and scoring rules."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedQuerySet, prefix_q, scope_codes

USER = settings.AUTH_USER_MODEL

VIEW = "assessment.view"  # results, schemes and rounds of one's scope
MANAGE = "assessment.manage"  # schemes, rounds, scoring, objections, acceptance (district, street)
SELF = "assessment.self_assess"  # a community's self-assessment, objections and applications


class SchemeKind(models.TextChoices):
    UNIFIED = "unified", _("综合考核")
    CREATION = "creation", _("创建评比")


class Level(models.TextChoices):
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")


class Frequency(models.TextChoices):
    YEAR = "year", _("每年")
    QUARTER = "quarter", _("每季度")
    MONTH = "month", _("每月")
    ONCE = "once", _("不定期")


class CountsAs(models.TextChoices):
    """The burden-ledger metric a round of the scheme counts against (duties' caps)."""

    APPRAISALS = "appraisals", _("考核")
    EVALUATIONS = "evaluations", _("评比")
    INSPECTIONS = "inspections", _("检查")


class Rule(models.TextChoices):
    THRESHOLDS = "thresholds", _("分档计分")
    LINEAR = "linear", _("线性计分（起评值至目标值）")
    YESNO = "yesno", _("达标与否")
    MANUAL = "manual", _("人工评分")


class UpwardQuerySet(ScopedQuerySet):
    """Schemes and rounds are set by a district or street for the communities below: read by those
    who hold `assessment.view` in the scope and by every community or street below it."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        from shequ.core.roles import roles_with

        roots = scope_codes(user, roles_with(VIEW))
        if roots is None:
            return self.all()
        q = prefix_q("scope_code", roots) if roots else Q(pk__in=[])
        for r in roots:
            for n in (6, 9):
                if len(r) > n:
                    q |= Q(scope_code=r[:n])
        return self.filter(q)


class Scheme(ScopedModel):
    """An assessment scheme is data: the body that runs it, its frequency, its dimensions and items.
    A creation scheme (示范社区, 小康社区 …) also names the title it grants, its term and re-check
    interval, and carries the standard document as an attachment. `grades` name the bands of the
    total: [{"name": "优秀", "min": "90"}, …] (highest first)."""

    view_perm = VIEW

    org = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    name = models.CharField(_("方案名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=SchemeKind.choices, default=SchemeKind.UNIFIED)
    level = models.CharField(_("考核对象"), max_length=10, choices=Level.choices, default=Level.COMMUNITY)
    body = models.CharField(_("组织实施部门"), max_length=100)
    frequency = models.CharField(_("频次"), max_length=10, choices=Frequency.choices, default=Frequency.YEAR)
    counts_as = models.CharField(
        _("计入减负台账"), max_length=12, choices=CountsAs.choices, default=CountsAs.APPRAISALS
    )
    grades = models.JSONField(_("等次"), default=list)
    objection_days = models.PositiveSmallIntegerField(_("异议期（天）"), default=7)
    title_name = models.CharField(_("授予称号"), max_length=60, blank=True)
    term_years = models.PositiveSmallIntegerField(_("称号有效期（年）"), default=0)
    recheck_months = models.PositiveSmallIntegerField(_("复查间隔（月）"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    objects = models.Manager.from_queryset(UpwardQuerySet)()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["scope_code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="asmscheme_name_once")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessment:scheme-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.org.code

    def grade_for(self, total) -> str:
        """The name of the highest band the total reaches ("" below every band or without a total)."""
        if total is None:
            return ""
        for g in self.grades:
            if Decimal(str(total)) >= Decimal(g["min"]):
                return g["name"]
        return ""


class Dimension(models.Model):
    """A dimension of a scheme (组织建设, 服务群众 …): a heading its items are grouped under."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("维度"), max_length=60)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核维度")
        verbose_name_plural = _("考核维度")
        ordering = ["scheme", "position", "pk"]

    def __str__(self):
        return self.name


class SchemeItem(models.Model):
    """One item: an indicator of the catalogue (or a manually scored standard), its weight (points)
    and scoring rule. `params` by rule —
    thresholds: {"bands": [{"from": "80", "to": null, "points": "10"}, …]} (from ≤ value < to);
    linear: {"floor": "40", "target": "80"} (a lower-is-better indicator has floor > target);
    yesno: {"pass_at": "1"} (met when value ≥ pass_at, or ≤ for a lower-is-better indicator);
    manual: {} — the assessors score 0 … weight, with evidence when `evidence_required`."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(_("考核内容"), max_length=120)
    indicator = models.CharField(_("指标"), max_length=80, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    rule = models.CharField(_("计分规则"), max_length=12, choices=Rule.choices)
    params = models.JSONField(_("计分参数"), default=dict, blank=True)
    higher_is_better = models.BooleanField(_("数值越高越好"), default=True)
    evidence_required = models.BooleanField(_("须附佐证材料"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["scheme", "dimension__position", "position", "pk"]

    def __str__(self):
        return self.label

    @property
    def manual(self) -> bool:
        return self.rule == Rule.MANUAL

    @property
    def indicator_label(self) -> str:
        from shequ.core.registry import indicator

        ind = indicator(self.indicator) if self.indicator else None
        return str(ind.label) if ind else ""

    @property
    def unit(self) -> str:
        from shequ.core.registry import indicator

        ind = indicator(self.indicator) if self.indicator else None
        return str(ind.unit) if ind else ""

    def rule_text(self) -> str:
        """The rule as one line a community can read."""
        p = self.params or {}
        u = self.unit
        if self.rule == Rule.THRESHOLDS:
            parts = []
            for b in p.get("bands", []):
                lo, hi = b.get("from"), b.get("to")
                span = f"{lo or '−∞'}–{hi or '+∞'}{u}"
                parts.append(f"{span}: {b['points']}分")
            return "；".join(parts)
        if self.rule == Rule.LINEAR:
            return _("%(f)s%(u)s 得 0 分，%(t)s%(u)s 得满分，其间按比例") % {
                "f": p.get("floor"),
                "t": p.get("target"),
                "u": u,
            }
        if self.rule == Rule.YESNO:
            if not self.indicator:
                return _("达标得满分，否则 0 分")
            sign = "≥" if self.higher_is_better else "≤"
            return _("%(s)s %(v)s%(u)s 得满分，否则 0 分") % {"s": sign, "v": p.get("pass_at"), "u": u}
        return _("评审人员按 0–%(w)s 分评分") % {"w": self.weight} + (
            _("，须附佐证") if self.evidence_required else ""
        )
