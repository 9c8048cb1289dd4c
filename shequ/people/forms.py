from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import DateInput, PhotosField, SensitiveField
from shequ.core.picker import CascadeField
from shequ.core.roles import Role
from shequ.core.sheets import IMPORT_ACCEPT
from shequ.org.models import HouseUse
from shequ.people.choices import (
    DocType,
    Education,
    Employment,
    Ethnicity,
    EventKind,
    Gender,
    HouseholdType,
    MaritalStatus,
    PoliticalStatus,
    Relationship,
    ResidenceType,
    Sensitivity,
    Tenure,
    VisitMethod,
)
from shequ.people.models import TagRule

DATE = DateInput()


def _blank(choices):
    return [("", "—")] + list(choices)


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DocType.choices)
    # Shown masked on an edit form and kept unless a new number is typed in full.
    doc_number = SensitiveField(
        label=_("证件号码"),
        max_length=30,
        mask_rule="id_number",
        help_text=_("身份证号码可自动得出性别和出生日期"),
    )
    gender = forms.ChoiceField(label=_("性别"), choices=_blank(Gender.choices), required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=_blank(Ethnicity.choices), required=False)
    education = forms.ChoiceField(label=_("文化程度"), choices=_blank(Education.choices), required=False)
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=_blank(PoliticalStatus.choices), required=False
    )
    marital_status = forms.ChoiceField(
        label=_("婚姻状况"), choices=_blank(MaritalStatus.choices), required=False
    )
    phone = SensitiveField(label=_("联系电话"), max_length=20, required=False, mask_rule="phone")
    registered_address = forms.CharField(label=_("户籍地址"), max_length=200, required=False)
    move_in_date = forms.DateField(label=_("迁入日期"), required=False, widget=DATE)
    employment = forms.ChoiceField(label=_("就业状况"), choices=_blank(Employment.choices), required=False)
    work_unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    remarks = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NewResidentForm(ResidentForm):
    kind = forms.ChoiceField(
        label=_("登记方式"),
        choices=[
            (EventKind.REGISTER, _("建档（已在本社区居住）")),
            (EventKind.MOVE_IN, _("迁入")),
            (EventKind.BIRTH, _("出生")),
        ],
    )
    house = CascadeField("house", label=_("现住房屋"))
    residence_type = forms.ChoiceField(label=_("居住类型"), choices=ResidenceType.choices)
    relationship = forms.ChoiceField(
        label=_("与户主关系"), choices=_blank(Relationship.choices), required=False
    )
    field_order = ["kind", "house", "relationship", "name", "doc_type", "doc_number", "residence_type"]


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("变动类型"),
        choices=[(k, v) for k, v in EventKind.choices if k not in (EventKind.REGISTER, EventKind.BIRTH)],
    )
    date = forms.DateField(label=_("变动日期"), widget=DATE, initial=timezone.localdate)
    house = CascadeField("house", label=_("迁入房屋（迁入时）"), required=False)
    household = forms.IntegerField(label=_("加入的户（户内变更时）"), required=False, widget=forms.Select)
    relationship = forms.ChoiceField(
        label=_("与户主关系（户内变更时）"), choices=_blank(Relationship.choices), required=False
    )
    residence_type = forms.ChoiceField(
        label=_("新居住类型（人户分离变化时）"), choices=_blank(ResidenceType.choices), required=False
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, community=None, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].widget.within = community  # a move-in stays in the resident's community
        self.fields["household"].widget.choices = [("", _("（离开所在户）"))] + [
            (h.pk, str(h)) for h in households
        ]


class TagForm(forms.Form):
    code = forms.ChoiceField(label=_("标签"))
    category = forms.CharField(label=_("类别"), required=False, max_length=30)
    grade = forms.CharField(label=_("等级"), required=False, max_length=10)
    start_date = forms.DateField(label=_("起始日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(t.code, t.name) for t in tags if not t.derived]


class VisitForm(forms.Form):
    method = forms.ChoiceField(label=_("走访方式"), choices=VisitMethod.choices, widget=forms.RadioSelect)
    visited_at = forms.DateTimeField(
        label=_("走访时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    findings = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    follow_up = forms.BooleanField(label=_("需要跟进"), required=False)
    follow_up_note = forms.CharField(label=_("跟进事项"), required=False, max_length=200)
    photos = PhotosField(label=_("照片"))


class HouseholdForm(forms.Form):
    household_type = forms.ChoiceField(label=_("户别"), choices=HouseholdType.choices)
    tenure = forms.ChoiceField(label=_("住房性质"), choices=Tenure.choices)
    number = forms.CharField(label=_("户号"), max_length=30, required=False)
    lease_start = forms.DateField(label=_("租住起始"), required=False, widget=DATE)
    lease_end = forms.DateField(label=_("租住结束"), required=False, widget=DATE)
    landlord_name = forms.CharField(label=_("房东"), max_length=50, required=False)
    remarks = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NewHouseholdForm(HouseholdForm):
    head = forms.IntegerField(label=_("户主"), required=False, widget=forms.Select)

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].widget.choices = [("", "—")] + [(r.pk, r.name) for r in residents]


class HouseUseForm(forms.Form):
    use = forms.ChoiceField(label=_("房屋用途"), choices=HouseUse.choices)
    owner_name = forms.CharField(label=_("产权人"), max_length=50, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ImportForm(forms.Form):
    community = forms.ChoiceField(label=_("导入到"))
    grid = forms.ChoiceField(
        label=_("新建楼栋归入网格"), required=False, help_text=_("文件中有房屋库没有的地址时使用")
    )
    file = forms.FileField(
        label=_("台账文件"), widget=forms.ClearableFileInput(attrs={"accept": IMPORT_ACCEPT})
    )

    def __init__(self, *args, targets=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = list(targets)
        if not grids:
            del self.fields["grid"]
            return
        self.fields["grid"].choices = [("", _("（自动：本人网格或社区唯一网格）"))] + [
            (g.pk, f"{g.community.display_name} · {g.name}") for g in grids
        ]


class TransferForm(forms.Form):
    doc_number = forms.CharField(label=_("证件号码"), max_length=30)
    to_community = forms.ChoiceField(label=_("迁入社区"))
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_community"].choices = [(c.code, c.display_name) for c in communities]


class TagDefinitionForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=30)
    code = forms.SlugField(
        label=_("代码"), max_length=40, help_text=_("英文字母、数字或下划线，保存后不可修改")
    )
    sensitivity = forms.ChoiceField(label=_("敏感级别"), choices=Sensitivity.choices)
    visit_interval_days = forms.IntegerField(
        label=_("走访周期（天）"), required=False, min_value=1, max_value=366
    )
    granted_roles = forms.MultipleChoiceField(
        label=_("可查看的角色（高度敏感时）"),
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32000, initial=100)
    rule = forms.ChoiceField(label=_("来源"), choices=TagRule.choices, required=False, disabled=True)
