"""Domain errors: a stable code, a Chinese message that says what to do, optional details."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every business-rule failure; pages show `message`, the API answers JSON."""

    code = "error"
    status = 400
    default_message = _("操作未能完成。")

    def __init__(self, message=None, *, code: str | None = None, details=None, status: int | None = None):
        self.message = str(message if message is not None else self.default_message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("未找到该记录，或它不在您的管辖范围内。")


class Forbidden(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("您没有执行此操作的权限，请联系上级管理员开通。")


class ValidationFailed(DomainError):
    code = "invalid"
    status = 400
    default_message = _("填写的内容有误，请按提示修改后重新提交。")

    @classmethod
    def from_django(cls, exc) -> "ValidationFailed":
        """Wrap a django ValidationError, keeping per-field messages."""
        if hasattr(exc, "message_dict"):
            details = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            details = {"__all__": [str(m) for m in exc.messages]}
        first = next(iter(details.values()))[0] if details else None
        return cls(first, details=details)


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("该记录已被他人修改，请刷新页面后重试。")


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413
    default_message = _("请求内容过大，请减少随附的照片或分批提交。")

    @classmethod
    def over_upload_limit(cls) -> "PayloadTooLarge":
        """The request body is over DATA_UPLOAD_MAX_MEMORY_SIZE (uploaded files are not counted)."""
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1048576
        return cls(_("请求内容过大（上限 %(m)d MB），请减少随附的照片或分批提交。") % {"m": limit})


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415
    default_message = _("请求体须为 JSON，并带 Content-Type: application/json。")


class Locked(DomainError):
    """Sign-in refused for a while after too many failures (core.accounts). The message is the
    same as for a wrong password, so that it tells nothing about whether the account exists."""

    code = "account_locked"
    status = 429
    default_message = _("用户名或密码错误，或尝试过于频繁，请稍后再试。")
