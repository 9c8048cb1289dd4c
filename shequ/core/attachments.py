"""Photos attached to visits, cases, …: the type is checked by decoding the image (not by trusting
the browser's word), the size is bounded, and the image is re-encoded without its metadata, so
EXIF position, device and time never reach storage."""

import hashlib
import io

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shequ.core.errors import ValidationFailed
from shequ.core.models import Attachment

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _bad(name: str, message) -> ValidationFailed:
    return ValidationFailed(
        message % {"n": name[:40]}, code="bad_photo", details={"photos": [message % {"n": name[:40]}]}
    )


def clean_photo(name: str, data: bytes, content_type: str = "") -> tuple[str, bytes, str]:
    """Validate one photo and return (name, bytes without metadata, content type)."""
    if not data:
        raise _bad(name, _("照片“%(n)s”是空文件。"))
    if len(data) > PHOTO_MAX_BYTES:
        raise _bad(name, _("照片“%(n)s”超过 8 MB，请压缩后再上传。"))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise _bad(name, _("照片“%(n)s”分辨率过高，请缩小后再上传。"))
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if fmt not in _FORMATS:
                raise _bad(name, _("照片“%(n)s”不是支持的图片格式（支持 JPG、PNG、WEBP）。"))
            # Apply the EXIF orientation to the pixels, then write the pixels alone.
            clean = ImageOps.exif_transpose(img)
            if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            out = io.BytesIO()
            options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
            clean.save(out, format=fmt, **options)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise _bad(name, _("照片“%(n)s”不是图片文件或已损坏（支持 JPG、PNG、WEBP）。")) from None
    return name[:200], out.getvalue(), _FORMATS[fmt]


def clean_photos(photos) -> list[tuple[str, bytes, str]]:
    """Check every photo before anything is written: one bad file refuses the whole act."""
    return [clean_photo(*p) for p in photos]


def attach(owner, code: str, photos, actor) -> list[Attachment]:
    """Store already cleaned photos as attachments of `owner`, filed under scope `code`."""
    ct = ContentType.objects.get_for_model(owner)
    rows = [
        Attachment(
            owner_type=ct,
            owner_id=str(owner.pk),
            code=code,
            scope_code=code,
            name=name,
            content_type=ctype,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for name, data, ctype in photos
    ]
    return Attachment.objects.bulk_create(rows)


def attachments_of(owner_model, owner_ids) -> dict[str, list[Attachment]]:
    """Attachments (without their bytes) of many owners at once, keyed by owner id."""
    ct = ContentType.objects.get_for_model(owner_model)
    found: dict[str, list[Attachment]] = {}
    qs = Attachment.objects.filter(owner_type=ct, owner_id__in=[str(i) for i in owner_ids]).defer("data")
    for a in qs:
        found.setdefault(a.owner_id, []).append(a)
    return found


def readable(user, pk) -> Attachment | None:
    """The attachment if the user may open it: filed inside their scope, and what it is attached to
    visible to them. An attachment is read by its owner's rule (a visit photo by the registry's, a
    case photo by the case's), so a role that may not open the owner cannot open its files either.
    An owner model without `visible_to` names the related row whose rule applies in
    `visible_through` (a case event: "case")."""
    a = Attachment.objects.visible_to(user).filter(pk=pk).select_related("owner_type").first()
    if a is None or a.owner_type is None:
        return a
    owner_model = a.owner_type.model_class()
    if owner_model is None:
        return None
    through = getattr(owner_model, "visible_through", None)
    if through:
        parent = (
            owner_model._default_manager.filter(pk=a.owner_id).values_list(f"{through}_id", flat=True).first()
        )
        target = owner_model._meta.get_field(through).related_model
        return (
            a if parent is not None and target.objects.visible_to(user).filter(pk=parent).exists() else None
        )
    if hasattr(owner_model.objects, "visible_to"):
        return a if owner_model.objects.visible_to(user).filter(pk=a.owner_id).exists() else None
    return a
