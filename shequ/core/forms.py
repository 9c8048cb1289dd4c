"""Form fields every module shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from shequ.core.attachments import PHOTO_MAX_BYTES
from shequ.core.masking import mask

PHOTO_MAX_COUNT = 9


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO: the locale's own format (2026/11/22 in
    Chinese) would leave the picker empty and the form would post no date."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or "%Y-%m-%d")


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine photos; each one's type is decided by decoding it in the service, not here.
    No `capture` by default: on a phone that would open the camera only, not the photos taken."""

    def __init__(self, *args, capture: bool = False, **kwargs):
        attrs = {
            "accept": "image/*",
            "data-photo-count": str(PHOTO_MAX_COUNT),
            "data-msg-too-many": _("最多 %n 张照片，请重新选择。"),
            "data-msg-chosen": _("已选择 %n 张照片"),
        }
        if capture:  # evidence taken on the spot (a patrol report): open the rear camera
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=attrs))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("最多 9 张，每张不超过 8 MB，支持 JPG、PNG、WEBP；照片中的位置和设备信息会被去除。"),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if len(files) > PHOTO_MAX_COUNT:
            raise ValidationError(
                _("最多上传 %(n)d 张照片，您选了 %(m)d 张，请删减后重新选择。")
                % {"n": PHOTO_MAX_COUNT, "m": len(files)}
            )
        for f in files:
            if f.size > PHOTO_MAX_BYTES:
                raise ValidationError(_("照片“%(n)s”超过 8 MB，请压缩后再上传。") % {"n": f.name[:40]})
        return [super(PhotosField, self).clean(f, initial) for f in files]


def read_photos(files) -> list[tuple[str, bytes, str]]:
    """Uploaded files as (name, bytes, content type) for a service."""
    return [(f.name, f.read(), f.content_type or "") for f in files or []]


class SensitiveInput(forms.TextInput):
    """A text box that shows a sensitive value masked, with the logged reveal beside it where the
    user may reveal it (`reveal` is set by the page: content type, pk and model field)."""

    template_name = "core/widgets/sensitive.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.reveal = None

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        ctx["widget"]["reveal"] = self.reveal
        return ctx


class _SensitiveBoundField(BoundField):
    def value(self):
        data = self.data if self.form.is_bound else None
        if data and "*" not in str(data):
            return str(data)  # what the user typed is shown back to them, as they typed it
        return self.field.masked(self.initial)


class SensitiveField(forms.CharField):
    """An edit form's field for an ID number, a phone or another value shown masked: the page gets
    the stored value (the form's initial) only masked, never in full. Sent back as shown, the field
    keeps the stored value; a new value typed in full replaces it (and is validated as usual); a
    value with masking stars that is not the one shown is refused, so a half-edited mask is not
    stored. The full value is seen only through the logged reveal (`enable_reveal`)."""

    widget = SensitiveInput
    default_error_messages = {
        "masked": _("请完整填写新的号码；不修改时请保持原样（带 * 的脱敏显示）。"),
    }

    def __init__(self, *args, mask_rule: str = "default", **kwargs):
        self.mask_rule = mask_rule
        self.stored = ""
        super().__init__(*args, **kwargs)

    def masked(self, value) -> str:
        return mask(value, self.mask_rule)

    def get_bound_field(self, form, field_name):
        # Fields are copied per form instance: the stored value is this form's own.
        self.stored = str(form.get_initial_for_field(self, field_name) or "")
        return _SensitiveBoundField(form, self, field_name)

    def clean(self, value):
        value = (value or "").strip()
        if self.stored and value == self.masked(self.stored):
            return self.stored  # left as shown: unchanged
        if "*" in value:
            raise ValidationError(self.error_messages["masked"], code="masked")
        return super().clean(value)


def enable_reveal(form, obj, user, fields=None) -> None:
    """Offer the logged reveal next to each sensitive field of `form` that edits `obj`, where the
    user may reveal personal data (core.reveal_pii over the row's scope). `fields` maps a form
    field to the model field when the names differ."""
    from django.contrib.contenttypes.models import ContentType

    from shequ.core import scope
    from shequ.core.accounts import scope_code_of

    sensitive = [n for n, f in form.fields.items() if isinstance(f, SensitiveField)]
    if not sensitive or obj is None or getattr(obj, "pk", None) is None:
        return
    if not scope.covers(user, scope_code_of(obj), "core.reveal_pii"):
        return
    ct = ContentType.objects.get_for_model(obj).pk
    for name in sensitive:
        form.fields[name].widget.reveal = {"ct": ct, "pk": obj.pk, "field": (fields or {}).get(name, name)}
