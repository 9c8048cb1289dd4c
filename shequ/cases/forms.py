"""Forms of the staff pages: one workflow-action form holding exactly the fields its action takes,
the category editor and the score settings. Each form only collects; services decide."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.cases.models import Category, LimitUnit, Satisfaction, UnitKind
from shequ.core.forms import DateInput, PhotosField

PHOTO_ACTIONS = {"progress", "feedback", "verify", "rework", "return", "park"}
# What each action takes besides the note; the view passes the values to services.transition.
ACTION_FIELDS = {
    "file": ("category",),
    "dispatch": ("unit",),
    "reassign": ("unit",),
    "request_extension": ("days",),
    "grant_extension": ("days",),
    "park": ("review_on",),
    "callback": ("valid", "contacted", "solved", "satisfaction"),
    "evaluate": ("rating", "comment"),
    "merge": ("parent",),
}
NO_NOTE = {"evaluate"}  # the comment is the note
YES_NO = [("1", _("是")), ("0", _("否"))]


class ActionForm(forms.Form):
    """The fields one workflow action takes; built per action by `ActionForm(transition, case=...)`."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, transition, case, unit_choices=(), default_unit="", categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.action = transition.action
        self.fields["expected_version"].initial = case.version
        wanted = ACTION_FIELDS.get(self.action, ())
        f = self.fields
        if "category" in wanted:
            f["category"] = forms.ChoiceField(
                label=_("重新分类（可选）"),
                required=False,
                choices=[("", _("保持“%(c)s”") % {"c": case.category.name})]
                + [(c.code, str(c)) for c in categories],
            )
        if "unit" in wanted:
            f["unit"] = forms.ChoiceField(
                label=_("处置单位"), choices=list(unit_choices), initial=default_unit
            )
        if "days" in wanted:
            f["days"] = forms.IntegerField(
                label=_("延期（工作日）"),
                min_value=1,
                max_value=30,
                required=self.action == "request_extension",
                initial=case.extension_requested if self.action == "grant_extension" else None,
            )
        if "review_on" in wanted:
            f["review_on"] = forms.DateField(
                label=_("复查日期"),
                widget=DateInput(),
                initial=timezone.localdate() + timezone.timedelta(days=30),
            )
        if "valid" in wanted:
            f["valid"] = forms.ChoiceField(
                label=_("联系上诉求人（有效回访）"), choices=YES_NO, widget=forms.RadioSelect
            )
            f["contacted"] = forms.ChoiceField(
                label=_("处置单位联系过诉求人"), choices=YES_NO, widget=forms.RadioSelect, required=False
            )
            f["solved"] = forms.ChoiceField(
                label=_("问题已解决"), choices=YES_NO, widget=forms.RadioSelect, required=False
            )
            f["satisfaction"] = forms.ChoiceField(
                label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect, required=False
            )
        if "rating" in wanted:
            f["rating"] = forms.TypedChoiceField(
                label=_("评价星级"),
                coerce=int,
                choices=[(i, "★" * i) for i in range(5, 0, -1)],
                widget=forms.RadioSelect,
            )
            f["comment"] = forms.CharField(
                label=_("评价意见"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
            )
        if "parent" in wanted:
            f["parent"] = forms.CharField(
                label=_("并入案件（受理编号）"),
                max_length=20,
                help_text=_("填写主案的受理编号，或在上方的相似案件中一键合并。"),
            )
        if self.action not in NO_NOTE:
            f["note"] = forms.CharField(
                label=_("办理说明") if not transition.needs_note else _("说明或理由"),
                required=transition.needs_note,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if self.action in PHOTO_ACTIONS:
            f["photos"] = PhotosField(label=_("照片"))

    def service_kwargs(self) -> dict:
        """The keywords of services.transition, from the cleaned data."""
        d = self.cleaned_data
        out = {"expected_version": d.get("expected_version"), "note": d.get("note", "")}
        if self.action == "evaluate":
            out["note"] = ""
        for name in ACTION_FIELDS.get(self.action, ()):
            value = d.get(name)
            if value in (None, "") and name in ("category", "days", "contacted", "solved", "satisfaction"):
                continue
            out[name] = value
        return out


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    default_unit_kind = forms.ChoiceField(label=_("默认处置单位类型"), choices=UnitKind.choices)
    default_department = forms.CharField(
        label=_("默认处置部门"),
        max_length=60,
        required=False,
        help_text=_("默认处置单位为职能部门时填写，如“区城管局”。"),
    )
    limit_value = forms.IntegerField(label=_("处置时限"), min_value=1, max_value=999)
    limit_unit = forms.ChoiceField(label=_("时限单位"), choices=LimitUnit.choices)
    filing_condition = forms.CharField(
        label=_("立案条件"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    closure_condition = forms.CharField(
        label=_("结案条件"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    merge_radius_m = forms.IntegerField(label=_("合并提示半径（米）"), min_value=0, max_value=5000)
    merge_days = forms.IntegerField(label=_("合并提示天数"), min_value=0, max_value=90)
    public = forms.BooleanField(label=_("居民可提交"), required=False)
    publishable = forms.BooleanField(
        label=_("办理情况可公开"),
        required=False,
        help_text=Category._meta.get_field("publishable").help_text,
    )
    active = forms.BooleanField(label=_("启用"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = (
        "name",
        "default_unit_kind",
        "default_department",
        "limit_value",
        "limit_unit",
        "filing_condition",
        "closure_condition",
        "merge_radius_m",
        "merge_days",
        "public",
        "publishable",
        "active",
    )

    @classmethod
    def initial_for(cls, cat: Category) -> dict:
        return {f: getattr(cat, f) for f in cls.FIELDS} | {"version": cat.version}


class ScoreSettingsForm(forms.Form):
    response_weight = forms.DecimalField(
        label=_("响应率权重"), min_value=Decimal(0), max_value=Decimal(1), decimal_places=2
    )
    solve_weight = forms.DecimalField(
        label=_("解决率权重"), min_value=Decimal(0), max_value=Decimal(1), decimal_places=2
    )
    satisfaction_weight = forms.DecimalField(
        label=_("满意率权重"), min_value=Decimal(0), max_value=Decimal(1), decimal_places=2
    )
    basic_value = forms.DecimalField(
        label=_("“基本满意”折算值"),
        min_value=Decimal(0),
        max_value=Decimal(1),
        decimal_places=2,
        help_text=_("满意计 1，不满意计 0，基本满意按此值计入满意率。"),
    )
