"""Forms of the pay pages (the services check every rule again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.workforce.forms import DATE
from shequ.workforce.models import MANAGE_PAY_POLICY, InsuranceKind, PayRecord

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def policy_units(user) -> list[tuple[str, str]]:
    """The cities, districts and streets of the user's scope where they set pay policy."""
    from shequ.core import scope
    from shequ.org.models import Level, OrgUnit

    roots = scope.scope_codes(user, scope.roles_with(MANAGE_PAY_POLICY))
    qs = OrgUnit.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.STREET]).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:2000]]


class SchemeForm(forms.Form):
    org = forms.ChoiceField(label=_("适用范围"), help_text=_("区或街道；街道的体系优先于区的体系"))
    template = forms.ChoiceField(label=_("模板"))
    name = forms.CharField(
        label=_("名称"), max_length=60, required=False, help_text=_("留空则为“范围名称 + 模板名称”")
    )
    years_per_step = forms.IntegerField(label=_("晋档年限（年）"), min_value=1, max_value=10, initial=3,
                                        help_text=_("在同一档次满这些年可晋升一档"))  # fmt: skip
    appraisal_count = forms.IntegerField(label=_("考核要求：最近几次年度考核"), min_value=0, max_value=5, initial=3,
                                         help_text=_("0 表示晋档不看考核结果"))  # fmt: skip
    appraisal_min = forms.CharField(
        label=_("考核要求：等次不低于"), max_length=10, required=False, initial="称职"
    )
    note = forms.CharField(label=_("说明或政策依据"), max_length=200, required=False)

    def __init__(self, *args, user=None, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = policy_units(user)
        self.fields["template"].choices = [(str(t.pk), t.name) for t in templates]


class PayTableForm(forms.Form):
    """One amount for every grade and step of a scheme (fields r_<grade id>_<step>)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("文件依据"), max_length=100, required=False,
                             help_text=_("如：江夏区社区工作者薪酬待遇实施办法"))  # fmt: skip

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = []
        for g in scheme.grades.order_by("order", "id"):
            cells = []
            for step in g.steps():
                name = f"r_{g.pk}_{step}"
                self.fields[name] = forms.DecimalField(
                    label=g.label(step), max_digits=10, decimal_places=2, min_value=0,
                    widget=forms.NumberInput(attrs={"step": "0.01", "class": "text-end", "aria-label": g.label(step)}),
                )  # fmt: skip
                cells.append((step, name))
            self.grid.append((g, cells))

    def rows(self):
        """(grade, [(step, bound field)]) for the table."""
        return [(g, [(s, self[name]) for s, name in cells]) for g, cells in self.grid]

    def steps(self) -> list[int]:
        return sorted({s for _g, cells in self.grid for s, _n in cells})

    def rates(self) -> dict:
        return {(g.name, s): self.cleaned_data[name] for g, cells in self.grid for s, name in cells}


class AverageWageForm(forms.Form):
    scope = forms.ChoiceField(label=_("范围"), help_text=_("市、区或街道；离社区最近的一级录入的数字计入"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("社会平均工资（元/年）"), max_digits=12, decimal_places=2, min_value=0,
                                help_text=_("城镇非私营单位在岗职工年平均工资，如 27968"))  # fmt: skip
    source = forms.CharField(label=_("数据来源"), max_length=100, help_text=_("如：区统计局 2024 年统计公报"))
    floor_percent = forms.DecimalField(label=_("薪酬底线（占平均工资 %）"), max_digits=5, decimal_places=2,
                                       min_value=50, max_value=200, initial=100,
                                       help_text=_("如过渡年度 85，此后 100"))  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = policy_units(user)


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("等级"))
    step = forms.IntegerField(label=_("档次"), min_value=1, max_value=30)
    on = forms.DateField(label=_("起始日期"), widget=DATE)
    note = forms.CharField(
        label=_("说明"), max_length=200, required=False, help_text=_("如：初次定级；满三年考核称职晋档")
    )

    def __init__(self, *args, schemes=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for s in schemes:
            for g in s.grades.all():
                label = f"{g.name}（{g.min_step}–{g.max_step}{s.step_label}）"
                choices.append((f"{s.pk}:{g.name}", f"{s.name} · {label}" if len(schemes) > 1 else label))
        self.fields["grade"].choices = choices

    def act(self) -> dict:
        scheme, grade = self.cleaned_data["grade"].split(":", 1)
        d = self.cleaned_data
        return {"scheme": scheme, "grade": grade, "step": d["step"], "on": d["on"], "note": d["note"]}


def _money_field(name: str, **kw):
    label = PayRecord._meta.get_field(name).verbose_name
    return forms.DecimalField(label=label, required=False, initial=0, **MONEY, **kw)


class PayRecordForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              help_text=_("基本工资按该年度每月所在的等级档次和工资表自动计算，不在此填写"))  # fmt: skip
    performance = _money_field("performance")
    allowances = _money_field("allowances", help_text=_("岗位津贴、工作补贴、通讯交通补贴等"))
    bonus = _money_field("bonus")
    employer_insurance = _money_field("employer_insurance")
    employer_housing_fund = _money_field("employer_housing_fund")
    personal_insurance = _money_field("personal_insurance")
    personal_housing_fund = _money_field("personal_housing_fund")
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ContractForm(forms.Form):
    employer = forms.CharField(label=_("用人单位"), max_length=100, help_text=_("如：纸坊街道办事处"))
    number = forms.CharField(label=_("合同编号"), max_length=40, required=False)
    start = forms.DateField(label=_("起始日期"), widget=DATE)
    end = forms.DateField(label=_("终止日期"), widget=DATE, required=False, help_text=_("无固定期限合同留空"))
    renews = forms.ChoiceField(label=_("续订"), required=False, help_text=_("续订原合同时选择原合同"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["renews"].choices = [("", _("（新签，不是续订）"))] + [
            (str(c.pk), f"{c.employer} {c.start:%Y-%m-%d} 至 {c.end:%Y-%m-%d}") for c in contracts
        ]


class InsuranceForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kinds = forms.MultipleChoiceField(label=_("参保险种"), choices=InsuranceKind.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text=_("未勾选的险种视为该年度未参保"))  # fmt: skip
