"""Forms of the intake pages: the resident's request, the grid worker's patrol report and the staff
entry for walk-ins and phone calls. They check what a form can (lengths, formats, counts, sizes);
the rules of the place, the category and the permission are checked by services.submit_request."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shequ.cases.models import Category, Channel
from shequ.cases.services import DESCRIPTION_MAX
from shequ.core.forms import PhotosField
from shequ.core.validators import normalize_phone, validate_phone

_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def category_choices(*, public_only: bool) -> list:
    """Minor classes grouped under their 大类, each with its time limit."""
    qs = Category.objects.filter(parent__isnull=False, active=True, parent__active=True)
    if public_only:
        qs = qs.filter(public=True)
    groups: dict[int, tuple[str, list]] = {}
    for c in qs.select_related("parent").order_by("parent__code", "code"):
        label = _("%(name)s（时限 %(limit)s）") % {"name": c.name, "limit": c.limit_label}
        groups.setdefault(c.parent_id, (c.parent.name, []))[1].append((c.code, label))
    return [("", _("请选择类别"))] + list(groups.values())


def _description_field(rows: int = 5, placeholder=None, label=None):
    return forms.CharField(
        label=label or _("诉求内容"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(
            attrs={
                "rows": rows,
                "maxlength": DESCRIPTION_MAX,
                "data-counter": DESCRIPTION_MAX,
                "placeholder": placeholder or _("请说明发生了什么、在哪里、持续多久、希望怎样解决。"),
            }
        ),
        error_messages={
            "required": _("请描述诉求内容。"),
            "max_length": _(
                "诉求内容不能超过 %(limit_value)d 字（现为 %(show_value)d 字），请精简后再提交。"
            ),
        },
    )


def _coordinate(label, low, high):
    return forms.FloatField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("位置坐标格式不正确，请在地图上重新选点。"),
            "min_value": _("位置坐标超出范围，请在地图上重新选点。"),
            "max_value": _("位置坐标超出范围，请在地图上重新选点。"),
        },
    )


class OnceMixin(forms.Form):
    """A one-time token rendered with the form: a second POST of the same form (a double click, a
    refresh) carries the same token and finds the case the first one created."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_form_token(self):
        token = (self.cleaned_data.get("form_token") or "").strip().lower()
        if not _TOKEN_RE.match(token):
            raise ValidationError(_("表单已失效，请刷新页面后重新填写。"))
        return token


class PlaceMixin(forms.Form):
    """A map point (hidden lat/lng set by the map), the address, and the community as a fallback."""

    lat = _coordinate(_("纬度"), -90, 90)
    lng = _coordinate(_("经度"), -180, 180)
    address = forms.CharField(
        label=_("详细地址"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：宁安小区 3 栋 2 单元楼下")}),
    )
    community = forms.ChoiceField(label=_("所在社区"), required=False)

    def clean(self):
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None) and "lat" not in self.errors:
            self.add_error("lat", _("位置坐标不完整，请在地图上重新选点。"))
        return data


class ContactMixin(forms.Form):
    anonymous = forms.BooleanField(
        label=_("匿名反映"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-anonymous": "1"}),
        help_text=_("匿名时不留联系方式，将无法接收办理进度通知，也无法用手机号查询。"),
    )
    requester_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    requester_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    requester_email = forms.EmailField(
        label=_("电子邮箱"),
        max_length=200,
        required=False,
        error_messages={"invalid": _("电子邮箱格式不正确，例如 name@example.com。")},
    )

    def clean_requester_phone(self):
        value = (self.cleaned_data.get("requester_phone") or "").strip()
        if not value or self.data.get(self.add_prefix("anonymous")) in ("on", "true", "1"):
            return value
        try:
            validate_phone(value)
        except ValidationError:
            raise ValidationError(
                _("联系电话格式不正确：手机号为 11 位数字（如 13812345678），座机如 027-87654321。")
            ) from None
        return normalize_phone(value)

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            # Anonymous: whatever was typed into the hidden contact fields is dropped.
            for name in ("requester_name", "requester_phone", "requester_email"):
                data[name] = ""
                self.errors.pop(name, None)
        return data


class PublishMixin(forms.Form):
    """The requester's wish that the case never be published (models.public_q)."""

    publish_optout = forms.BooleanField(
        label=_("不公开此诉求"),
        required=False,
        help_text=_(
            "不勾选时，诉求立案后可能在公开查询和 Open311 接口中公开办理情况，公开时隐去姓名、电话、"
            "证件号和门牌号，地址只到楼栋或街道；勾选后只有工作人员可见。"
        ),
    )


class ReportForm(OnceMixin, ContactMixin, PlaceMixin, PublishMixin):
    """The resident's request from the web or a phone."""

    category = forms.ChoiceField(label=_("诉求类别"), error_messages={"required": _("请选择诉求类别。")})
    description = _description_field()
    photos = PhotosField(label=_("现场照片"))
    # Set by the page's script to 手机提交 on a small screen; without script the user agent decides.
    channel = forms.CharField(widget=forms.HiddenInput(attrs={"data-channel-auto": "1"}), required=False)

    field_order = [
        "category",
        "description",
        "lat",
        "lng",
        "address",
        "community",
        "photos",
        "anonymous",
        "requester_name",
        "requester_phone",
        "requester_email",
        "publish_optout",
        "form_token",
        "channel",
    ]

    def __init__(self, *args, communities=(), signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        self.fields["category"].choices = category_choices(public_only=True)
        self.fields["community"].choices = [("", _("（按地图选点自动确定）"))] + list(communities)
        self.fields["community"].help_text = _("无法在地图上选点时，请选择诉求所在的社区。")

    def clean_channel(self):
        value = self.cleaned_data.get("channel") or ""
        return value if value in (Channel.WEB, Channel.MOBILE) else ""

    def clean(self):
        data = super().clean()
        contact = data.get("requester_phone") or data.get("requester_email")
        typed_wrong = self.has_error("requester_phone") or self.has_error("requester_email")
        if not (data.get("anonymous") or self.signed_in or contact or typed_wrong):
            self.add_error(
                "requester_phone",
                _("请留下联系电话或电子邮箱，以便告知办理结果；不愿留联系方式请勾选“匿名反映”。"),
            )
        return data


class PatrolForm(OnceMixin, PlaceMixin):
    """A grid worker's report from the street: category, photo, position, a few words."""

    category = forms.ChoiceField(label=_("事件类别"), error_messages={"required": _("请选择事件类别。")})
    description = _description_field(
        rows=3, placeholder=_("简要说明现场情况，如：3 栋楼下堆放装修垃圾约 2 方。")
    )
    photos = PhotosField(label=_("现场照片"), capture=True)

    field_order = ["category", "photos", "lat", "lng", "address", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(public_only=False)
        del self.fields["community"]  # the position decides; without one, the worker's own grid


class StaffEntryForm(OnceMixin, ContactMixin, PlaceMixin, PublishMixin):
    """A request taken at the counter (来访) or on the telephone (来电)."""

    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[(Channel.WALK_IN, Channel.WALK_IN.label), (Channel.PHONE, Channel.PHONE.label)],
        widget=forms.RadioSelect,
        initial=Channel.WALK_IN,
    )
    category = forms.ChoiceField(label=_("诉求类别"), error_messages={"required": _("请选择诉求类别。")})
    description = _description_field()
    photos = PhotosField(label=_("照片"))

    field_order = [
        "channel",
        "anonymous",
        "requester_name",
        "requester_phone",
        "requester_email",
        "publish_optout",
        "category",
        "description",
        "community",
        "lat",
        "lng",
        "address",
        "photos",
    ]

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(public_only=False)
        self.fields["community"].choices = [("", _("（按地图选点，或本人所在社区）"))] + list(communities)
        self.fields["community"].help_text = _("可选您管辖范围内的社区；在地图上选点时以选点所在网格为准。")
        self.fields["publish_optout"].label = _("诉求人要求不公开")
        self.fields["publish_optout"].help_text = _(
            "诉求人不愿公开时勾选：此诉求不会出现在公开查询和 Open311 接口中。"
        )
