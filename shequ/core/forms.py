"""Form fields every module shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shequ.core.attachments import PHOTO_MAX_BYTES

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
