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
    photos = PhotosField(
        label=_("票据照片"),
        capture=True,
        required=True,
        help_text=_(
            "最多 9 个，每个不超过 8 MB：JPG、PNG、WEBP 照片或电子发票 PDF；照片中的位置和设备信息会被去除。"
        ),
    )

    def __init__(self, *args, user=None, perm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs["accept"] = "image/*,application/pdf"
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


# --- 以奖代补 and 人随事动 ----------------------------------------------------------------------------
class SchemeForm(forms.Form):
    org = forms.ChoiceField(label=_("设立单位"))
    name = forms.CharField(label=_("方案名称"), max_length=100)
    rewards = forms.CharField(
        label=_("奖励内容"), max_length=300, help_text=_("奖励什么，如：队伍活动开展好的社区。")
    )
    basis = forms.ChoiceField(
        label=_("评定依据"), help_text=_("由其他模块按社区和年度计算的数值，或评审打分。")
    )
    party = forms.ChoiceField(
        label=_("出资方"),
        choices=[c for c in Party.choices if c[0] != Party.DEPARTMENT],
        initial=Party.DISTRICT,
    )
    grades = forms.CharField(
        label=_("等次与奖励金额"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个等次：等次:达标线:金额（元），如 一等:30:20000。依据数值达到达标线即得该等次。"),
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, user=None, perm=None, **kwargs):
        from shequ.finance.awards import basis_choices

        super().__init__(*args, **kwargs)
        self.fields["org"].choices = unit_choices(user, perm, (Level.DISTRICT, Level.STREET))
        self.fields["basis"].choices = basis_choices()


class RoundForm(forms.Form):
    scheme = forms.ChoiceField(label=_("方案"))
    org = forms.ChoiceField(label=_("评选范围"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("名称"), max_length=120, required=False, help_text=_("不填则按方案和年度命名。")
    )
    apply_by = forms.DateField(label=_("申报截止日期"), required=False, widget=DateInput())

    def __init__(self, *args, user=None, perm=None, **kwargs):
        from shequ.finance.models import AwardScheme

        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [
            (s.pk, f"{s.name}（{s.org.display_name}）")
            for s in AwardScheme.objects.visible_to(user).where_held(user, perm).select_related("org")
        ]
        self.fields["org"].choices = unit_choices(user, perm, (Level.DISTRICT, Level.STREET))


class ApplyForm(forms.Form):
    community = forms.ChoiceField(label=_("申报社区"))
    claim = forms.CharField(
        label=_("申报理由和主要成绩"), max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user=None, perm=None, under="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [
            c for c in unit_choices(user, perm, (Level.COMMUNITY,)) if c[0].startswith(under)
        ]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("评审结论"),
        choices=[("approve", _("通过")), ("reject", _("不通过"))],
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(label=_("等次"), required=False, help_text=_("不选则按依据数值对应的等次。"))
    score = forms.DecimalField(
        label=_("评审得分"), max_digits=7, decimal_places=2, min_value=0, required=False,
        help_text=_("按评审打分的方案必填。"),
    )  # fmt: skip
    note = forms.CharField(label=_("评审意见"), max_length=300, required=False)

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        grades = scheme.grades if scheme else []
        self.fields["grade"].choices = [("", "—")] + [
            (g["grade"], f"{g['grade']}（≥{g['min']}，{g['amount']} 元）") for g in grades
        ]


class AwardForm(forms.Form):
    amount = forms.DecimalField(label=_("奖励金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    arrived_on = forms.DateField(label=_("拨付日期"), widget=DateInput())
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    note = forms.CharField(
        label=_("说明"), max_length=200, required=False, help_text=_("金额与等次标准不符时必填。")
    )


class ProvisionForm(forms.Form):
    people = forms.IntegerField(
        label=_("到岗人数"), min_value=-1000, max_value=1000, help_text=_("撤回人员填负数并写明原因。")
    )
    provided_on = forms.DateField(label=_("到岗日期"), widget=DateInput())
    names = forms.CharField(label=_("人员及岗位"), max_length=300, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
