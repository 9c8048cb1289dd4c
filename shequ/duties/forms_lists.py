"""Forms of the duty-list pages: a new version, one item, the import upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import DateInput
from shequ.duties import services
from shequ.duties.models import DutyItem, DutyList
from shequ.org.models import Level, OrgUnit

MANAGE = "duties.manage_lists"


def managed_orgs(user):
    """The districts and streets where the user may set lists."""
    return (
        OrgUnit.objects.filter(level__in=(Level.DISTRICT, Level.STREET))
        .where_held(user, MANAGE)
        .order_by("code")
    )


class ListForm(forms.Form):
    org = forms.ModelChoiceField(
        label=_("制定单位"), queryset=OrgUnit.objects.none(), help_text=_("区或街道；清单适用于其下所有社区")
    )
    title = forms.CharField(label=_("清单名称"), max_length=120)
    effective_from = forms.DateField(label=_("生效日期"), widget=DateInput())
    basis = forms.CharField(label=_("制定依据"), max_length=300, required=False)
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    copy_current = forms.BooleanField(
        label=_("复制该单位现行版本的全部事项"),
        required=False,
        initial=True,
        help_text=_("在现行清单基础上修订时勾选；不勾选则新建空白清单"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = managed_orgs(user)
        self.fields["org"].label_from_instance = lambda o: f"{o.code} {o.name}"


class ItemForm(forms.ModelForm):
    class Meta:
        model = DutyItem
        fields = list(services.ITEM_FIELDS)
        widgets = {"basis": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "redirect": _("负面清单事项与不予出具的证明：写明应到哪个部门或窗口办理"),
            "keywords": _("准入预审据此识别疑似负面清单事项；多个用顿号分隔"),
        }

    def __init__(self, *args, duty_list: DutyList | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duty_list = duty_list

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if self.duty_list is not None:
            dup = self.duty_list.items.filter(code=code)
            if self.instance.pk:
                dup = dup.exclude(pk=self.instance.pk)
            if dup.exists():
                raise forms.ValidationError(_("本清单已有编号为“%(c)s”的事项，请换一个编号。") % {"c": code})
        return code

    def _post_clean(self):
        # The model is written by the service, not the form: skip the model's own validation
        # (its unique constraint needs duty_list, which the form does not carry).
        pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("清单文件（.xlsx、.xls、.et 或 .csv）"),
        help_text=_("可先“导出”现有版本作为模板；导入将替换本草稿的全部事项"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.et,.csv"}),
    )
