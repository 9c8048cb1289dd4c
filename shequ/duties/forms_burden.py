"""Forms of the burden ledger and the appraisal of departments."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import DateInput
from shequ.duties.models import ASPECTS, METRICS, Kind
from shequ.org.models import Level, OrgUnit

DATE = DateInput()
STARS = [(n, "★" * n) for n in range(5, 0, -1)]  # highest first: the star widget reverses the row


def units_where(user, perm: str, levels) -> list[OrgUnit]:
    """Org units of the given levels inside the part of the user's scope where they hold `perm`."""
    return list(OrgUnit.objects.filter(level__in=levels).where_held(user, perm).order_by("code"))


class DayForm(forms.Form):
    """The burden page's selector: which scope, on which day."""

    code = forms.ChoiceField(label=_("范围"), required=False)
    day = forms.DateField(label=_("统计日期"), required=False, widget=DATE)

    def __init__(self, data, *, options, **kw):
        super().__init__(data, **kw)
        self.fields["code"].choices = options


class EntryForm(forms.Form):
    """A standing ledger, signboard or stamp a community already carries (常设事项)."""

    community = forms.ChoiceField(label=_("社区"))
    department = forms.CharField(label=_("要求部门"), max_length=100)
    kind = forms.ChoiceField(label=_("事项类别"), choices=Kind.choices, initial=Kind.ASSIST)
    title = forms.CharField(label=_("事项"), max_length=200)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(
        label=_("结束日期"), required=False, widget=DATE, help_text=_("长期事项可不填")
    )

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        units = units_where(user, "duties.register_entry", (Level.COMMUNITY,))
        self.fields["community"].choices = [(u.code, u.name) for u in units]
        for name, label, per_year in METRICS:
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=100000,
                initial=0,
                required=False,
                help_text=_("次/年") if per_year else None,
            )
        self.fields["hours_per_month"] = forms.DecimalField(
            label=_("工作量（小时/月）"),
            min_value=0,
            max_digits=7,
            decimal_places=1,
            initial=0,
            required=False,
        )

    def clean(self):
        d = super().clean()
        if d.get("start_date") and d.get("end_date") and d["end_date"] < d["start_date"]:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return d


class RoundForm(forms.Form):
    org = forms.ChoiceField(label=_("组织单位"))
    title = forms.CharField(label=_("评议名称"), max_length=120)
    period = forms.CharField(label=_("评议期间"), max_length=20, help_text=_("如：2026年、2026年上半年"))
    opens_on = forms.DateField(label=_("开始日期"), widget=DATE)
    closes_on = forms.DateField(label=_("截止日期"), widget=DATE)
    departments = forms.MultipleChoiceField(
        label=_("被评议部门"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_departments = forms.CharField(
        label=_("其他部门"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不在上面的部门，每行一个"),
    )

    def __init__(self, *args, user, departments, **kw):
        super().__init__(*args, **kw)
        units = units_where(user, "duties.manage_appraisals", (Level.DISTRICT, Level.STREET))
        self.fields["org"].choices = [(u.code, u.name) for u in units]
        self.fields["departments"].choices = [(d, d) for d in departments]
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["period"].initial = _("%(y)d年") % {"y": today.year}

    def clean(self):
        d = super().clean()
        names = list(d.get("departments") or [])
        for line in (d.get("other_departments") or "").replace("，", "\n").replace("、", "\n").splitlines():
            line = line.strip()[:100]
            if line and line not in names:
                names.append(line)
        if not names:
            self.add_error("departments", _("请至少选择或填写一个被评议部门。"))
        d["department_list"] = names
        if d.get("opens_on") and d.get("closes_on") and d["closes_on"] < d["opens_on"]:
            self.add_error("closes_on", _("截止日期不能早于开始日期。"))
        return d


class AppraisalFillForm(forms.Form):
    """One community's scores for one department: 1–5 stars on each aspect, and a comment."""

    department = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("意见建议"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for name, label in ASPECTS:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=STARS,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("请为“%(a)s”打分（1–5 星）。") % {"a": label}},
            )
        self.order_fields(["department", *[a for a, _l in ASPECTS], "comment"])
