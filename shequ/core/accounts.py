"""Account acts: password login with lock-out, TOTP second factor, API tokens, user creation,
and the reveal of masked personal data. Each act writes its change-log row."""

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, scope
from shequ.core.crypto import EncryptedTextField
from shequ.core.errors import DomainError, Forbidden, Locked, NotFound, ValidationFailed
from shequ.core.models import Action, ApiToken, Membership, User
from shequ.core.roles import ROLE_LEVELS, Role
from shequ.core.services import get_visible, require


class BadCredentials(DomainError):
    code = "bad_credentials"
    status = 401
    default_message = _l("用户名或密码错误。")


class SecondFactorRequired(DomainError):
    code = "otp_required"
    status = 401
    default_message = _l("该账号需要动态口令（TOTP），请填写认证器上的 6 位数字。")


def _raise_if_locked(user: User) -> None:
    if user.is_locked():
        minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
        raise Locked(
            _("登录失败次数过多，账号已锁定，请 %(m)d 分钟后再试或联系管理员解锁。") % {"m": minutes}
        )


def record_failure(user: User, what: str) -> None:
    """Count one failed password or one-time code; lock the account at the limit. The lock is
    checked again under the row lock, so parallel guesses cannot slip past it."""
    with transaction.atomic():
        u = User.objects.select_for_update().get(pk=user.pk)
        _raise_if_locked(u)
        u.failed_logins += 1
        note = _("%(what)s错误，第 %(n)d 次失败") % {"what": what, "n": u.failed_logins}
        if u.failed_logins >= settings.LOGIN_MAX_FAILURES:
            u.locked_until = timezone.now() + timezone.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            u.failed_logins = 0
            note += _("，账号锁定 %(m)d 分钟") % {"m": settings.LOGIN_LOCK_MINUTES}
        u.save(update_fields=["failed_logins", "locked_until"])
        changelog.record(u, Action.LOGIN_FAILED, u, note=note, scope_code="")
    _raise_if_locked(u)  # this very failure reached the limit: say so now


def clear_failures(user: User) -> None:
    """After a complete sign-in (password, and the second factor where one is needed)."""
    with transaction.atomic():
        u = User.objects.select_for_update().get(pk=user.pk)
        _raise_if_locked(u)  # locked by a parallel attempt meanwhile: this success does not count
        if u.failed_logins or u.locked_until:
            User.objects.filter(pk=u.pk).update(failed_logins=0, locked_until=None)


def password_login(username: str, password: str, request=None) -> User:
    """Check the password; count failures and lock the account after too many."""
    user = User.objects.filter(username=username).first()
    if user:
        _raise_if_locked(user)
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        if user:
            record_failure(user, _("密码"))
        raise BadCredentials()
    if authed.needs_second_factor:
        # Failures are cleared only once the one-time code passes too, or a known password
        # would let one reset the count between code guesses.
        with transaction.atomic():
            _raise_if_locked(User.objects.select_for_update().get(pk=authed.pk))
    else:
        clear_failures(authed)
    return authed


def record_login(user: User, note: str = "") -> None:
    changelog.record(user, Action.LOGIN, user, note=note, scope_code="")


def totp_for(user: User) -> pyotp.TOTP:
    return pyotp.TOTP(user.totp_secret)


def begin_totp_enrolment(user: User) -> str:
    """Give the user a fresh secret to scan (not yet confirmed); returns the otpauth URI."""
    if user.totp_confirmed_at:
        raise DomainError(_("动态口令已绑定；如需更换，请联系管理员重置。"), code="otp_enrolled")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return totp_for(user).provisioning_uri(name=user.username, issuer_name=settings.TOTP_ISSUER)


def verify_totp(user: User, code: str) -> bool:
    """Check a 6-digit code (±1 step), refuse a step already used, and count wrong codes
    towards the same lock-out as wrong passwords."""
    code = "".join(str(code or "").split())
    _raise_if_locked(User.objects.get(pk=user.pk))
    totp = totp_for(user) if user.totp_secret else None
    if totp and code.isdigit() and len(code) == 6:
        now = timezone.now().timestamp()
        for drift in (0, -1, 1):
            step = int(now // totp.interval) + drift
            if totp.at(step * totp.interval) != code:
                continue
            with transaction.atomic():
                u = User.objects.select_for_update().get(pk=user.pk)
                if step <= u.totp_last_step:
                    break  # replayed code
                u.totp_last_step = step
                if not u.totp_confirmed_at:
                    u.totp_confirmed_at = timezone.now()
                u.save(update_fields=["totp_last_step", "totp_confirmed_at"])
            user.totp_last_step, user.totp_confirmed_at = u.totp_last_step, u.totp_confirmed_at
            clear_failures(user)
            return True
    record_failure(user, _("动态口令"))
    return False


def issue_token(
    username: str, password: str, otp: str | None = None, label: str = ""
) -> tuple[ApiToken, str]:
    """POST /api/v1/auth/token: password (and TOTP for administrators) → a bearer token."""
    user = password_login(username, password)
    if user.needs_second_factor:
        if not user.totp_confirmed_at:
            raise SecondFactorRequired(_("该账号须先在网页端绑定动态口令（TOTP）后才能申请接口令牌。"))
        if not otp or not verify_totp(user, otp):
            raise SecondFactorRequired()
    tok, raw = ApiToken.issue(user, settings.API_TOKEN_HOURS, label)
    changelog.record(user, Action.TOKEN, user, note=f"签发令牌 {tok.prefix}…", scope_code="")
    return tok, raw


def revoke_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise NotFound()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    changelog.record(user, Action.TOKEN, user, note=f"撤销令牌 {token.prefix}…", scope_code="")


def _check_role_placement(role, org, grid, node_code) -> None:
    if role not in Role.values:
        raise ValidationFailed(
            _("未知角色 %(r)s，可选：%(all)s") % {"r": role, "all": "、".join(Role.values)}
        )
    allowed = ROLE_LEVELS[Role(role)]
    level = "grid" if grid else getattr(org, "level", None)
    if allowed is not None and level not in allowed:
        raise ValidationFailed(
            _("角色“%(r)s”不能设在“%(l)s”层级。")
            % {
                "r": Role(role).label,
                "l": (org.get_level_display() if org is not None else level) or _("无组织"),
            }
        )
    if role != Role.SYSADMIN and not node_code:
        raise ValidationFailed(_("除系统管理员外，每个账号都必须指定所属组织或网格。"))


@transaction.atomic
def create_user(
    actor,
    *,
    username: str,
    password: str,
    role: str,
    org=None,
    grid=None,
    display_name: str = "",
    department: str = "",
) -> User:
    """Create an account with one membership; the actor must manage users over that node.
    `actor=None` is the command line (the operator of the machine)."""
    node_code = grid.code if grid else (org.code if org else "")
    _check_role_placement(role, org, grid, node_code)
    if actor is not None:
        require(actor, "core.manage_users", node_code or None)
        if role == Role.SYSADMIN and not scope.is_global(actor):
            raise Forbidden()
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("用户名 %(u)s 已存在。") % {"u": username}, code="duplicate")
    user = User(username=username, display_name=display_name or username)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), details={"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    m = Membership.objects.create(
        user=user, role=role, org=org if not grid else grid.community, grid=grid, department=department
    )
    changelog.record(
        actor,
        Action.CREATE,
        user,
        after=changelog.snapshot(user),
        note=f"{m.get_role_display()} @ {m.scope_name}",
        scope_code=node_code,
    )
    return user


def scope_code_of(instance) -> str:
    """The scope code of a row, following a related path such as resident__scope_code."""
    value = instance
    for part in type(instance).scope_field.split("__"):
        value = getattr(value, part)
    return value


def sensitive_field(model, name: str) -> EncryptedTextField:
    try:
        f = model._meta.get_field(name)
    except Exception:
        raise NotFound() from None
    # Only fields shown masked on screen (ID numbers, phones) are revealed one by one; encrypted
    # free text (a visit's findings, a tag's details) is shown to whoever may see it, or not at all.
    if not isinstance(f, EncryptedTextField) or f.mask == "default":
        raise NotFound()
    return f


def reveal(actor, model, pk, field_name: str, reason: str) -> str:
    """Return the plaintext of one sensitive field, if permitted and a reason is given; log it."""
    reason = (reason or "").strip()
    f = sensitive_field(model, field_name)
    instance = get_visible(model, actor, pk)
    require(actor, "core.reveal_pii", scope_code_of(instance))
    if len(reason) < 2:
        raise ValidationFailed(
            _("查看完整信息须填写事由（例如：电话回访、入户核实）。"), details={"reason": [_("必填")]}
        )
    with translation.override(settings.LANGUAGE_CODE):  # the log reads the same whatever the UI language
        label = str(f.verbose_name)
    changelog.record(actor, Action.REVEAL, instance, note=f"{label}：{reason}", extra_changed=[field_name])
    return getattr(instance, field_name)


def _user_by_name(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(_("没有用户名为 %(u)s 的账号。") % {"u": username})
    return user


def _require_over(actor, user: User) -> None:
    """The actor must manage users over every node the target account holds (the command line,
    actor None, may do anything); only a system administrator acts on another one."""
    if actor is None:
        return
    require(actor, "core.manage_users")
    for m in Membership.objects.filter(user=user).select_related("org", "grid"):
        if m.role == Role.SYSADMIN or not m.scope_code:
            if not scope.is_global(actor):
                raise Forbidden()
        else:
            require(actor, "core.manage_users", m.scope_code)


@transaction.atomic
def unlock_user(actor, username: str) -> User:
    """Lift a lock-out after failed logins (command line or an administrator)."""
    user = _user_by_name(username)
    _require_over(actor, user)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    changelog.record(
        actor, Action.UPDATE, user, note=_("解除登录锁定"), scope_code="", extra_changed=["locked_until"]
    )
    return user


@transaction.atomic
def reset_totp(actor, username: str) -> User:
    """Forget the user's TOTP secret; they enrol again at their next sign-in."""
    user = _user_by_name(username)
    _require_over(actor, user)
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, 0
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    changelog.record(
        actor, Action.UPDATE, user, note=_("重置动态口令"), scope_code="", extra_changed=["totp_secret"]
    )
    return user


@transaction.atomic
def grant(actor, username: str, *, role: str, org=None, grid=None, department: str = "") -> Membership:
    """Give an existing account one more membership (role at a node)."""
    user = _user_by_name(username)
    node_code = grid.code if grid else (org.code if org else "")
    _check_role_placement(role, org, grid, node_code)
    if actor is not None:
        require(actor, "core.manage_users", node_code or None)
        if role == Role.SYSADMIN and not scope.is_global(actor):
            raise Forbidden()
    m, created = Membership.objects.get_or_create(
        user=user,
        role=role,
        org=org if not grid else grid.community,
        grid=grid,
        defaults={"department": department},
    )
    if created:
        changelog.record(
            actor, Action.CREATE, user, note=f"{m.get_role_display()} @ {m.scope_name}", scope_code=node_code
        )
    return m
