"""Forms of the task, refusal and certificate pages. Each form only collects; services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import DateInput, PhotosField
from shequ.core.masking import mask

CERTIFICATE_OPENING = "兹证明"


class TaskReportForm(forms.Form):
    """A progress report (or, ticked 完成, the completion report) on an admitted task."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    progress = forms.IntegerField(
        label=_("当前进度（%）"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 5, "inputmode": "numeric"}),
    )
    hours = forms.DecimalField(
        label=_("本次用时（小时）"),
        min_value=Decimal("0"),
        max_value=Decimal("999"),
        decimal_places=1,
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("情况说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    files = PhotosField(label=_("佐证材料（照片）"))
    completes = forms.BooleanField(
        label=_("完成（提交完成报告，任务结束）"),
        required=False,
    )

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is not None:
            self.fields["expected_version"].initial = task.version
            self.fields["progress"].initial = task.progress

    def clean(self):
        data = super().clean()
        if data.get("completes") and data.get("progress") is not None and data["progress"] < 100:
            data["progress"] = 100  # a completion report is 100% by definition
        return data


class FundingForm(forms.Form):
    amount = forms.DecimalField(
        label=_("本次到位金额（元）"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def _community_field(communities):
    return CommunityField(label=_("社区"), queryset=communities, empty_label=None)


class RefusalForm(forms.Form):
    """A task that reached the community without admission: who sent it, what, when and how."""

    community = _community_field(None)
    department = forms.CharField(label=_("交办部门"), max_length=100)
    title = forms.CharField(label=_("交办事项"), max_length=200)
    description = forms.CharField(
        label=_("交办内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("对方要求社区做什么、报什么材料、何时完成。"),
    )
    received_on = forms.DateField(label=_("收到日期"), widget=DateInput())
    channel = forms.CharField(
        label=_("交办方式"), max_length=60, required=False, help_text=_("如：电话、微信群、文件")
    )

    def __init__(self, *args, communities, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if communities.count() == 1:
            self.fields["community"].widget = forms.HiddenInput()
            self.fields["community"].initial = communities.first().pk
        if departments:
            self.fields["department"].widget.attrs["list"] = "department-names"
        self.departments = list(departments)


class ResidentField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return resident_label(obj)


def resident_label(resident) -> str:
    """Name and masked ID number, enough to tell two residents of the same name apart."""
    doc = mask(resident.doc_number, "id_number")
    return f"{resident.name}（{doc}）" if doc else resident.name


class CertificateForm(forms.Form):
    """Issue a certificate of a type the community's 证明事项 list holds, to a resident of it."""

    community = _community_field(None)
    item = forms.ModelChoiceField(label=_("证明事项"), queryset=None, empty_label=_("请选择证明事项"))
    resident = ResidentField(label=_("申请人（本社区居民）"), queryset=None, empty_label=_("请先按姓名查找"))
    purpose = forms.CharField(label=_("用途"), max_length=200, help_text=_("如：办理低保申请、子女入学"))
    content = forms.CharField(
        label=_("证明内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        initial=CERTIFICATE_OPENING + "……",
    )

    def __init__(self, *args, communities, items, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if communities.count() == 1:
            self.fields["community"].widget = forms.HiddenInput()
            self.fields["community"].initial = communities.first().pk
        self.fields["item"].queryset = items
        self.fields["resident"].queryset = residents

    def clean_content(self):
        text = self.cleaned_data["content"].strip()
        if text.replace("…", "").replace(".", "") == CERTIFICATE_OPENING:
            raise forms.ValidationError(_("请在“兹证明”之后写明要证明的内容。"))
        return text


class CertificateRefuseForm(forms.Form):
    """A certificate asked for that the list does not hold: recorded, and a notice printed."""

    community = _community_field(None)
    requested = forms.CharField(
        label=_("申请出具的证明"), max_length=200, help_text=_("照申请人的说法填写，如：无犯罪记录证明")
    )
    requester_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    resident = ResidentField(label=_("对应居民（可选）"), queryset=None, required=False, empty_label="—")
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)

    def __init__(self, *args, communities, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if communities.count() == 1:
            self.fields["community"].widget = forms.HiddenInput()
            self.fields["community"].initial = communities.first().pk
        self.fields["resident"].queryset = residents
