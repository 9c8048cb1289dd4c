"""Masking of personal data for screens and exports (e.g. 420115********123X, 138****5678)."""


def mask_id_number(value: str) -> str:
    v = value or ""
    if len(v) <= 8:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str) -> str:
    v = value or ""
    if len(v) < 8:
        return v[:1] + "*" * (len(v) - 1)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(value: str) -> str:
    v = value or ""
    if len(v) <= 1:
        return v
    if len(v) == 2:
        return v[0] + "*"
    return v[0] + "*" * (len(v) - 2) + v[-1]


def mask_default(value: str) -> str:
    v = value or ""
    return "" if not v else "******"


def mask_email(value: str) -> str:
    local, sep, domain = (value or "").partition("@")
    if not sep:
        return mask_default(value)
    return (local[:1] + "***" if local else "") + "@" + domain


RULES = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "name": mask_name,
    "email": mask_email,
    "default": mask_default,
}


def mask(value, rule: str = "default") -> str:
    if value in (None, ""):
        return ""
    return RULES.get(rule, mask_default)(str(value))
