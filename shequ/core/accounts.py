"""Account acts: password login with throttling, TOTP second factor, API tokens, user creation,
and the reveal of masked personal data. Each act writes its change-log row.

Throttling of sign-ins. Failed passwords and one-time codes are counted per account name *and*
client address range (the /32 of an IPv4 address, the /64 of an IPv6 one), and per address range
over all account names:

- After LOGIN_MAX_FAILURES failures for one account from one range, that account is refused from
  that range for LOGIN_LOCK_MINUTES; every further lock in a row lasts twice as long (capped at a
  day). From any other address the account signs in as usual, so a stranger who guesses at a
  clerk's account name locks out only themselves (django-axes calls this locking on the
  combination of username and IP address).
- After LOGIN_ADDRESS_MAX_FAILURES failures from one range within LOGIN_LOCK_MINUTES, whatever the
  account names, the range is refused for LOGIN_LOCK_MINUTES: one machine spraying passwords over
  many accounts is stopped without touching anyone else.
- Guesses spread over many addresses are not met with an account-wide lock, because that lock is
  exactly what a stranger could use to keep a clerk out all day; they are met by the password
  rules (10+ characters, common passwords refused), argon2, and the second factor of the
  administrative roles.
- Unknown account names are counted and refused exactly like known ones, and every refusal says
  the same thing — "用户名或密码错误，或尝试过于频繁，请稍后再试。" — so that neither the message nor
  the lock tells whether an account exists (as Django's password reset answers the same whether
  or not an address is registered).

A successful sign-in (password, and the code where one is needed) clears its own account and
range; an administrator lifts a lock with `unlock_user` (`shequ user unlock`)."""

import ipaddress

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, context, scope
from shequ.core.crypto import EncryptedTextField
from shequ.core.errors import DomainError, Forbidden, Locked, NotFound, ValidationFailed
from shequ.core.models import Action, ApiToken, LoginThrottle, Membership, User
from shequ.core.roles import ROLE_LEVELS, Role
from shequ.core.services import get_visible, require

REFUSED = _l("用户名或密码错误，或尝试过于频繁，请稍后再试。")
MAX_LOCK = timezone.timedelta(days=1)
ACCOUNT_WINDOW = timezone.timedelta(days=1)  # an account's failures older than this are forgotten


class BadCredentials(DomainError):
    code = "bad_credentials"
    status = 401
    default_message = REFUSED


class SecondFactorRequired(DomainError):
    code = "otp_required"
    status = 401
    default_message = _l("该账号需要动态口令（TOTP），请填写认证器上的 6 位数字。")


def address_range(ip: str | None) -> str:
    """The client's address range as counted: 203.0.113.7/32, 2001:db8:1:2::/64, "-" if unknown."""
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "-"
    if addr.version == 6 and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    prefix = settings.LOGIN_IPV4_PREFIX if addr.version == 4 else settings.LOGIN_IPV6_PREFIX
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _keys(username: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The (account, range) row and the (every account, range) row this attempt counts against."""
    net = address_range(context.current().ip)
    return ((username or "").strip().lower()[:150], net), ("", net)


def _rows_for_update(keys) -> list[LoginThrottle]:
    """The throttle rows, created when missing and locked in a fixed order (no deadlock between two
    attempts); a row created by a parallel attempt meanwhile is simply read."""
    for username, network in keys:
        if not LoginThrottle.objects.filter(username=username, network=network).exists():
            try:
                with transaction.atomic():
                    LoginThrottle.objects.create(username=username, network=network)
            except IntegrityError:
                pass
    q = LoginThrottle.objects.select_for_update().order_by("username", "network")
    return [q.get(username=u, network=n) for u, n in sorted(keys)]


def _refuse_if_throttled(username: str) -> None:
    account, everyone = _keys(username)
    now = timezone.now()
    for u, n in (account, everyone):
        if LoginThrottle.objects.filter(username=u, network=n, locked_until__gt=now).exists():
            raise Locked()


def record_failure(username: str, what: str, user: User | None = None) -> None:
    """Count one failed password or one-time code against the account from this address range and
    against the range; refuse (Locked) when this failure reaches a limit or one is already
    reached. Rows are locked, so parallel guesses cannot slip past a limit."""
    account, everyone = _keys(username)
    now = timezone.now()
    throttled, locked_for = False, None
    with transaction.atomic():
        for row in _rows_for_update([account, everyone]):
            if row.locked_until and row.locked_until > now:
                throttled = True
                continue
            per_account = bool(row.username)
            window = (
                ACCOUNT_WINDOW if per_account else timezone.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            )
            if row.last_failure_at and now - row.last_failure_at > window:
                row.failures, row.lockouts = 0, 0
            row.failures += 1
            row.last_failure_at = now
            limit = settings.LOGIN_MAX_FAILURES if per_account else settings.LOGIN_ADDRESS_MAX_FAILURES
            if row.failures >= limit:
                lock = min(
                    timezone.timedelta(minutes=settings.LOGIN_LOCK_MINUTES) * 2 ** min(row.lockouts, 10),
                    MAX_LOCK,
                )
                row.locked_until, row.failures = now + lock, 0
                row.lockouts += 1
                throttled = True
                if per_account:
                    locked_for = lock
            row.save()
        if user is not None:
            note = _("%(what)s错误（%(net)s）") % {"what": what, "net": account[1]}
            if locked_for is not None:
                note += _("，该账号在此地址暂停登录 %(m)d 分钟") % {
                    "m": int(locked_for.total_seconds() // 60)
                }
            changelog.record(user, Action.LOGIN_FAILED, user, note=note, scope_code="")
    if throttled:
        raise Locked()


def clear_failures(user: User) -> None:
    """After a complete sign-in (password, and the second factor where one is needed) from this
    range: the account's count there starts again. A lock set by a parallel attempt meanwhile
    stands, and this success does not count."""
    account, everyone = _keys(user.username)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            LoginThrottle.objects.select_for_update()
            .filter(network=account[1], username__in=[account[0], everyone[0]])
            .order_by("username", "network")
        )
        if any(r.locked_until and r.locked_until > now for r in rows):
            raise Locked()
        LoginThrottle.objects.filter(username=account[0], network=account[1]).delete()


def password_login(username: str, password: str, request=None) -> User:
    """Check the password; count failures against the account and address range (module docstring)."""
    _refuse_if_throttled(username)
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        record_failure(username, _("密码"), User.objects.filter(username=username).first())
        raise BadCredentials()
    if not authed.needs_second_factor:
        clear_failures(authed)
    # An administrator's failures are cleared only once the one-time code passes too, or a known
    # password would let one reset the count between code guesses.
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
    _refuse_if_throttled(user.username)
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
    record_failure(user.username, _("动态口令"), user)
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


@transaction.atomic
def set_duty(
    actor, username: str, *, role: str, duty: str, org=None, grid=None, on: bool = True
) -> Membership:
    """Give (or take back) a duty (专项职责) on one of the account's memberships; logged."""
    from shequ.core.roles import duties

    known = duties()
    if duty not in known:
        names = "、".join(f"{code}（{label}）" for code, (_r, label) in known.items())
        raise ValidationFailed(
            _("没有名为 %(d)s 的专项职责，可选：%(n)s。") % {"d": duty, "n": names or "—"},
            details={"duty": [_("不在可选范围内")]},
        )
    user = _user_by_name(username)
    m = (
        Membership.objects.select_for_update()
        .filter(user=user, role=role, org=org if not grid else grid.community, grid=grid)
        .first()
    )
    if m is None:
        raise NotFound(_("该账号没有这一角色和范围的授权，请先用 user grant 授权。"))
    if actor is not None:
        require(actor, "core.manage_users", m.scope_code or None)
    if on and m.role not in known[duty][0]:
        raise ValidationFailed(
            _("“%(d)s”不能交给%(r)s，请选择承担这项工作的角色。")
            % {"d": known[duty][1], "r": m.get_role_display()},
            details={"role": [_("该角色不能承担这项职责")]},
        )
    current = list(m.duties or [])
    wanted = sorted(set(current) | {duty}) if on else [d for d in current if d != duty]
    if wanted != current:
        m.duties = wanted
        m.save(update_fields=["duties"])
        verb = _("授予专项职责") if on else _("收回专项职责")
        changelog.record(
            actor,
            Action.UPDATE,
            user,
            note=f"{verb}：{known[duty][1]} @ {m.scope_name}",
            scope_code=m.scope_code,
        )
    return m


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
    """Lift the account's sign-in locks from every address range (command line or an administrator)."""
    user = _user_by_name(username)
    _require_over(actor, user)
    LoginThrottle.objects.filter(username=user.username.lower()).delete()
    changelog.record(actor, Action.UPDATE, user, note=_("解除登录锁定"), scope_code="")
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
