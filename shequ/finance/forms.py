"""Forms of the finance pages; every rule is checked again by the services they call."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import scope
from shequ.core.forms import DateInput, PhotosField
from shequ.core.roles import roles_with
from shequ.finance.models import Base, Category, FundKind, Mode, Party
from shequ.org.models import Level, OrgUnit


def unit_choices(user, perm: str, levels) -> list[tuple[str, str]]:
    """Org units of these levels where the user holds `perm`, as (code, name)."""
    roots = scope.scope_codes(user, roles_with(perm))
    qs = OrgUnit.objects.filter(level__in=levels)
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, u.display_name) for u in qs.order_by("code")[:2000]]


def kind_choices():
    return [(k.code, k.name) for k in FundKind.objects.all()]


def this_year():
    return timezone.localdate().year


class RuleForm(forms.Form):
    org = forms.ChoiceField(label=_("制定单位"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    fund_kind = forms.ChoiceField(label=_("经费类别"))
    name = forms.CharField(label=_("规则名称"), max_length=100)
    base = forms.ChoiceField(label=_("计算基数"), choices=Base.choices)
    base_amount = forms.DecimalField(
        label=_("基数金额（元）"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("每社区、每名工作者或每名居民的金额，或项目总额；配套方式时为第一方的金额。"),
    )
    mode = forms.ChoiceField(label=_("分担方式"), choices=Mode.choices)
    parties = forms.CharField(
        label=_("出资方"), max_length=200, help_text=_("用逗号分隔，如：市,区,街道；部门写作“部门:民政局”。")
    )
    ratios = forms.CharField(
        label=_("比例"), max_length=60, help_text=_("与出资方一一对应，如 1:1:1、8:2、1:2.5；须为正数。")
    )
    communities = forms.MultipleChoiceField(
        label=_("适用社区"), required=False, help_text=_("不选则适用于辖区内全部社区。")
    )
    due_on = forms.DateField(label=_("应到位日期"), required=False, widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, user=None, perm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = unit_choices(user, perm, (Level.DISTRICT, Level.STREET))
        self.fields["fund_kind"].choices = kind_choices()
        self.fields["communities"].choices = unit_choices(user, perm, (Level.COMMUNITY,))
        self.fields["communities"].widget.attrs["size"] = 6


class BudgetItemForm(forms.Form):
    party = forms.ChoiceField(label=_("出资方"), choices=Party.choices)
    department = forms.CharField(label=_("部门"), max_length=100, required=False)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("项目内容"), max_length=200)
    due_on = forms.DateField(label=_("应到位日期"), required=False, widget=DateInput())


class AllocationForm(forms.Form):
    org = forms.ChoiceField(label=_("收款单位"), help_text=_("社区，或街道（统筹拨付给所辖社区）。"))
    party = forms.ChoiceField(label=_("拨付方"), choices=Party.choices)
    department = forms.CharField(label=_("部门"), max_length=100, required=False)
    fund_kind = forms.ChoiceField(label=_("经费类别"))
    year = forms.IntegerField(label=_("所属年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("到账金额（元）"), max_digits=14, decimal_places=2)
    arrived_on = forms.DateField(label=_("到账日期"), widget=DateInput())
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    note = forms.CharField(
        label=_("说明"), max_length=300, required=False, help_text=_("超过应拨金额时必须说明原因。")
    )

    def __init__(self, *args, user=None, perm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = unit_choices(user, perm, (Level.STREET, Level.COMMUNITY))
        self.fields["fund_kind"].choices = kind_choices()


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲销原因"), max_length=300)


class SpendingForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    fund_kind = forms.ChoiceField(label=_("从哪项经费支出"))
    year = forms.IntegerField(label=_("所属年度"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("支出类别"), choices=Category.choices)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    payee = forms.CharField(label=_("收款方"), max_length=100)
    spent_on = forms.DateField(label=_("支出日期"), widget=DateInput())
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)
    photos = PhotosField(label=_("票据照片"), capture=True, required=True)

    def __init__(self, *args, user=None, perm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = unit_choices(user, perm, (Level.COMMUNITY,))
        self.fields["fund_kind"].choices = kind_choices()


class CorrectForm(forms.Form):
    reason = forms.CharField(label=_("更正原因"), max_length=150)
    amount = forms.DecimalField(
        label=_("更正后金额（元）"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("留空则只冲销这笔支出。"),
    )
    payee = forms.CharField(label=_("更正后收款方"), max_length=100, required=False)


class TaskPayForm(forms.Form):
    amount = forms.DecimalField(label=_("到位金额（元）"), max_digits=14, decimal_places=2)
    arrived_on = forms.DateField(label=_("到账日期"), widget=DateInput())
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    note = forms.CharField(
        label=_("说明"), max_length=300, required=False, help_text=_("累计超过承诺金额时必须说明原因。")
    )


class CloseYearForm(forms.Form):
    org = forms.ChoiceField(label=_("单位"))
    year = forms.IntegerField(label=_("结账年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, user=None, perm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = unit_choices(user, perm, (Level.DISTRICT, Level.STREET))
