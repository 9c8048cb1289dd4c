"""Forms of the archive pages; every rule is checked again by the services they call."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.archives.models import (
    MANAGE,
    Carrier,
    Fonds,
    MemberKind,
    Openness,
    Purpose,
    ScheduleEntry,
    UseMode,
)
from shequ.core.forms import DateInput
from shequ.org.models import Level, OrgUnit


def fonds_choices(user) -> list[tuple[str, str]]:
    qs = Fonds.objects.visible_to(user).where_held(user, MANAGE).select_related("org").order_by("scope_code")
    return [(f.number, f"{f.number} {f.name}") for f in qs[:2000]]


def entry_choices():
    qs = ScheduleEntry.objects.filter(active=True).select_related("archive_class", "topic")
    return [(e.code, f"{e.code} {e.description}（{e.get_retention_display()}）") for e in qs]


def last_year():
    return timezone.localdate().year - 1


class FondsForm(forms.Form):
    org = forms.ChoiceField(label=_("立档单位"))
    number = forms.CharField(
        label=_("全宗号"), max_length=10, help_text=_("由区档案馆编定，字母或数字，如 Z115001。")
    )
    name = forms.CharField(label=_("全宗名称"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shequ.core import scope

        roots = scope.perm_codes(user, MANAGE)
        qs = OrgUnit.objects.filter(level__in=(Level.COMMUNITY, Level.STREET)).exclude(
            pk__in=Fonds.objects.values("org_id")
        )
        if roots is not None:
            qs = qs.filter(scope.prefix_q("code", roots))
        self.fields["org"].choices = [(u.code, u.display_name) for u in qs.order_by("code")[:2000]]


class ItemForm(forms.Form):
    fonds = forms.ChoiceField(label=_("全宗"))
    entry = forms.ChoiceField(label=_("归档范围（保管期限表）"))
    year = forms.IntegerField(label=_("年度"), min_value=1949, max_value=2100)
    title = forms.CharField(label=_("题名"), max_length=300)
    responsible = forms.CharField(label=_("责任者"), max_length=100)
    date = forms.DateField(label=_("文件日期"), widget=DateInput())
    pages = forms.IntegerField(label=_("页数"), min_value=1, max_value=100000, initial=1)
    carrier = forms.ChoiceField(label=_("载体"), choices=Carrier.choices)
    room = forms.CharField(label=_("库房"), max_length=40, required=False)
    cabinet = forms.CharField(label=_("柜（架）"), max_length=40, required=False)
    box = forms.CharField(label=_("盒号"), max_length=40, required=False)
    openness = forms.ChoiceField(label=_("开放状态"), choices=Openness.choices)
    openness_reason = forms.CharField(label=_("控制使用理由"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    scan = forms.FileField(label=_("扫描件或电子文件"), required=False,
                           help_text=_("PDF/A、PDF、OFD、TIFF、JPEG、PNG 为长期保存格式；其他格式会被标记。"))  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fonds"].choices = fonds_choices(user)
        self.fields["entry"].choices = entry_choices()


class AttachForm(forms.Form):
    file = forms.FileField(label=_("电子文件"))


class OpennessForm(forms.Form):
    openness = forms.ChoiceField(label=_("开放状态"), choices=Openness.choices)
    openness_reason = forms.CharField(label=_("控制使用理由"), max_length=200, required=False)


class RequestForm(forms.Form):
    fonds = forms.ChoiceField(label=_("全宗"))
    items = forms.CharField(label=_("档号"), widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("每行一个档号，或以逗号分隔。"))  # fmt: skip
    requester = forms.CharField(label=_("利用人"), max_length=50)
    requester_org = forms.CharField(label=_("单位或住址"), max_length=100, required=False)
    requester_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    purpose = forms.ChoiceField(label=_("利用目的"), choices=Purpose.choices)
    purpose_note = forms.CharField(label=_("具体事由"), max_length=300, required=False)
    mode = forms.ChoiceField(label=_("利用方式"), choices=UseMode.choices)
    copies = forms.IntegerField(label=_("复制份数"), min_value=0, max_value=50, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fonds"].choices = fonds_choices(user)


class OpinionForm(forms.Form):
    member = forms.CharField(label=_("成员姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("身份"), choices=MemberKind.choices)
    note = forms.CharField(label=_("意见"), max_length=300, required=False)
