"""Shared validators: 居民身份证号码 (GB 11643), mobile phone, 统一社会信用代码 (GB 32100)."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass
class IdNumberInfo:
    number: str
    birth_date: dt.date
    gender: str  # "male" / "female"
    region_code: str
    warnings: list[str] = field(default_factory=list)


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdNumberInfo:
    """Validate a 18-digit 居民身份证号码; raise ValidationError with a Chinese reason."""
    v = "".join(str(value or "").split()).upper()
    if len(v) != 18:
        raise ValidationError(_("身份证号码应为 18 位，当前为 %(n)d 位。") % {"n": len(v)}, code="id_length")
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise ValidationError(_("身份证号码前 17 位须为数字，最后一位为数字或 X。"), code="id_format")
    try:
        birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不存在。") % {"d": v[6:14]}, code="id_birth"
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不合理。") % {"d": birth.isoformat()}, code="id_birth"
        )
    expected = id_check_char(v[:17])
    if v[17] != expected:
        raise ValidationError(
            _("身份证号码校验位错误：最后一位应为 %(e)s，请核对是否抄错。") % {"e": expected},
            code="id_checksum",
        )
    warnings = []
    try:
        ric.get_birth_place(v)
    except (InvalidComponent, KeyError, ValueError):
        warnings.append(_("行政区划代码 %(c)s 未在代码库中找到，请核对。") % {"c": v[:6]})
    gender = "male" if int(v[16]) % 2 else "female"
    return IdNumberInfo(v, birth, gender, v[:6], warnings)


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def normalize_phone(value: str) -> str:
    v = re.sub(r"[\s()（）]", "", str(value or ""))
    if v.startswith("+86"):
        v = v[3:]
    return v


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_phone(value)):
        raise ValidationError(_("手机号码应为 11 位、以 1 开头，例如 13812345678。"), code="mobile")


def validate_phone(value: str) -> None:
    """A mobile number or a landline such as 027-87654321."""
    v = normalize_phone(value)
    if not (MOBILE_RE.match(v) or LANDLINE_RE.match(v)):
        raise ValidationError(_("电话号码格式不正确：手机为 11 位，座机如 027-87654321。"), code="phone")


def normalize_uscc(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def validate_uscc(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with a check character."""
    v = normalize_uscc(value)
    if len(v) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(n)d 位。") % {"n": len(v)}, code="uscc_length"
        )
    try:
        uscc.validate(v)
    except InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码校验位错误：最后一位应为 %(e)s，请核对营业执照。")
            % {"e": uscc.calc_check_digit(v)},
            code="uscc_checksum",
        ) from None
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码格式不正确：前 8 位为数字，其余为数字或大写字母（不含 I、O、Z、S、V）。"),
            code="uscc_format",
        ) from None
