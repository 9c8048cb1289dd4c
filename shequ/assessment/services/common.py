"""What every assessment write shares: the org unit an act applies to, documents, grades."""

import hashlib
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from shequ.assessment.services.scoring import invalid
from shequ.core import scope
from shequ.core.errors import NotFound
from shequ.core.models import Attachment
from shequ.core.services import require
from shequ.org.models import Level, OrgUnit

LEVEL_NAMES = {Level.COMMUNITY: "社区（12 位）", Level.STREET: "街道（9 位）", Level.DISTRICT: "区（6 位）"}
DOC_MAX_BYTES = 10 * 1024 * 1024
# What a standard document may be, told by its first bytes rather than the browser's word.
DOC_KINDS = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument", (".docx", ".xlsx")),
)


def unit_at(actor, code, levels, perm: str | None, field: str) -> OrgUnit:
    """The org unit an act applies to: 400 when the code names none of these levels, 404 outside
    the actor's scope, 403 without `perm` there."""
    if isinstance(code, OrgUnit):
        code = code.code
    unit = OrgUnit.objects.filter(code=str(code or "").strip(), level__in=levels).first()
    if unit is None:
        names = "或".join(LEVEL_NAMES[lv] for lv in levels)
        raise invalid(field, _("请填写%(l)s代码。") % {"l": names})
    if not scope.covers(actor, unit.code):
        raise NotFound()
    if perm:
        require(actor, perm, unit.code)
    return unit


def parse_grades(grades) -> list[dict]:
    """[{"name", "min"}] highest first: the names of the total's bands (优秀 ≥ 90 …)."""
    if not isinstance(grades, list | tuple) or not grades:
        raise invalid("grades", _("请至少设一个等次（如 优秀:90）。"))
    out = []
    for i, g in enumerate(grades, 1):
        name = str((g or {}).get("name") or "").strip()[:20] if isinstance(g, dict) else ""
        if not name:
            raise invalid("grades", _("第 %(i)d 个等次没有名称。") % {"i": i})
        try:
            low = Decimal(str(g.get("min")).strip())
        except (InvalidOperation, ValueError):
            low = None
        if low is None or not low.is_finite() or not 0 <= low <= 100 or low != round(low, 2):
            raise invalid("grades", _("等次“%(g)s”的分数线应为 0 至 100 之间的数。") % {"g": name})
        out.append({"name": name, "min": str(low)})
    if len({g["name"] for g in out}) != len(out):
        raise invalid("grades", _("等次名称不能重复。"))
    if len({Decimal(g["min"]) for g in out}) != len(out):
        raise invalid("grades", _("各等次的分数线不能相同。"))
    return sorted(out, key=lambda g: -Decimal(g["min"]))


def grades_from_text(text: str) -> list[dict]:
    """The form's way: "优秀:90, 良好:80, 合格:60, 不合格:0"."""
    out = []
    for part in str(text or "").replace("，", ",").replace("；", ",").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        bits = [b.strip() for b in part.replace("：", ":").split(":")]
        if len(bits) != 2:
            raise invalid("grades", _("“%(p)s”格式有误，应为 等次:分数线，如 优秀:90。") % {"p": part[:20]})
        out.append({"name": bits[0], "min": bits[1]})
    return out


def clean_document(name: str, data: bytes) -> tuple[str, bytes, str]:
    """A standard document: PDF, Word or Excel (by its first bytes), at most 10 MB."""
    name = str(name or "").strip()[:200] or "standard.pdf"
    if not data:
        raise invalid("standard", _("标准文件“%(n)s”是空文件。") % {"n": name[:40]})
    if len(data) > DOC_MAX_BYTES:
        raise invalid("standard", _("标准文件“%(n)s”超过 10 MB，请压缩后再上传。") % {"n": name[:40]})
    for magic, ctype, suffixes in DOC_KINDS:
        if data.startswith(magic) and name.lower().endswith(suffixes):
            if ctype.endswith("officedocument"):
                ctype += (
                    ".wordprocessingml.document" if name.lower().endswith(".docx") else ".spreadsheetml.sheet"
                )
            return name, data, ctype
    raise invalid(
        "standard", _("标准文件“%(n)s”应为 PDF、Word（.docx）或 Excel（.xlsx）文件。") % {"n": name[:40]}
    )


def attach_document(owner, code: str, doc, actor) -> Attachment:
    name, data, ctype = doc
    return Attachment.objects.create(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=str(owner.pk), code=code, scope_code=code,
        name=name, content_type=ctype, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
