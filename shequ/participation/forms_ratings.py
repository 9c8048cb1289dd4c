"""Forms of the rating, hearing and consultation pages (the services check every rule again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.models import SurveyVerify
from shequ.participation.forms import DATE, TEXT, community_choices
from shequ.participation.models.ratings import DEFAULT_DIMENSIONS, DEFAULT_THRESHOLD


class RoundForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    title = forms.CharField(label=_("评议名称"), max_length=100)
    dimensions = forms.CharField(
        label=_("评议维度"), max_length=400, initial="、".join(DEFAULT_DIMENSIONS),
        help_text=_("用顿号或逗号分隔，最多 10 个；居委会和每家物业服务企业都按这些维度评分"),
    )  # fmt: skip
    threshold = forms.DecimalField(
        label=_("整改线（平均分）"), min_value=1, max_value=5, decimal_places=2, initial=DEFAULT_THRESHOLD,
        help_text=_("某一维度或总体平均分低于此分，结束评议时自动生成整改议题"),
    )  # fmt: skip
    opens_on = forms.DateField(label=_("开始日期"), widget=DATE)
    closes_on = forms.DateField(label=_("截止日期"), widget=DATE)
    verify = forms.ChoiceField(
        label=_("填写人核验"), choices=SurveyVerify.choices, initial=SurveyVerify.EITHER,
        help_text=_("此外，居民均可凭姓名和手机号后四位与居民台账核对后填写"),
    )  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices(user)


class ConfirmForm(forms.Form):
    """A confirmation with nothing to fill."""


class HearingForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    title = forms.CharField(label=_("听证事项"), max_length=100)
    subject = forms.CharField(label=_("听证内容"), widget=TEXT, max_length=4000)
    notice_on = forms.DateField(label=_("公告日期"), widget=DATE)
    notice_days = forms.IntegerField(label=_("公告期（天）"), min_value=1, max_value=90, initial=7)
    planned_on = forms.DateField(label=_("拟举行日期"), widget=DATE, help_text=_("须在公告期满之后"))
    place = forms.CharField(label=_("地点"), max_length=100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices(user)


class SpeakerForm(forms.Form):
    kind = forms.ChoiceField(label=_("发言人类别"), choices=[("resident", _("居民")), ("unit", _("单位"))])
    name = forms.CharField(label=_("发言人姓名"), max_length=50)
    unit = forms.ChoiceField(label=_("驻区单位"), required=False)
    unit_name = forms.CharField(label=_("单位名称"), max_length=200, required=False,
                                help_text=_("不是驻区单位的，填写单位名称"))  # fmt: skip

    def __init__(self, *args, hearing=None, **kwargs):
        from shequ.org.models import ResidentOrganization

        super().__init__(*args, **kwargs)
        orgs = ResidentOrganization.objects.filter(community_id=hearing.community_id).order_by("name")
        self.fields["unit"].choices = [("", "—")] + [(str(o.pk), o.name) for o in orgs[:500]]


class HoldForm(forms.Form):
    held_on = forms.DateField(label=_("举行日期"), widget=DATE)
    conclusion = forms.CharField(label=_("听证结论"), widget=TEXT, max_length=4000, required=False)


class StatementForm(forms.Form):
    speaker = forms.ChoiceField(label=_("发言人"))
    statement = forms.CharField(label=_("发言记录"), widget=TEXT, max_length=4000)

    def __init__(self, *args, hearing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [(str(s.pk), str(s)) for s in hearing.speakers.all()]


class ConsultationForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    title = forms.CharField(label=_("方案名称"), max_length=100)
    plan = forms.CharField(label=_("方案内容"), widget=TEXT, max_length=1000,
                           help_text=_("居民在手机上看到的方案说明（不超过 1000 字）"))  # fmt: skip
    opens_on = forms.DateField(label=_("开始日期"), widget=DATE)
    closes_on = forms.DateField(label=_("截止日期"), widget=DATE)
    verify = forms.ChoiceField(
        label=_("填写人核验"), choices=SurveyVerify.choices, initial=SurveyVerify.EITHER,
        help_text=_("此外，居民均可凭姓名和手机号后四位与居民台账核对后填写"),
    )  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices(user)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("意见汇总"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
