import contextlib

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from shequ.core.errors import DomainError
from shequ.core.models import Action, ApiToken, ChangeLogEntry, LoginThrottle
from shequ.core.testing.world import PASSWORD


def login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


REFUSED = "用户名或密码错误，或尝试过于频繁，请稍后再试"


def at(address: str) -> Client:
    """A browser at one client address."""
    return Client(REMOTE_ADDR=address)


@pytest.mark.django_db
def test_five_failures_lock_the_account_from_that_address_only(world, settings):
    stranger = at("203.0.113.7")
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        r = login(stranger, "t_worker_a", "wrong")
        assert r.status_code == 400 and REFUSED in r.content.decode()
    r = login(stranger, "t_worker_a", "wrong")  # the failure that reaches the limit refuses at once
    assert r.status_code == 429 and REFUSED in r.content.decode()
    r = login(stranger, "t_worker_a")  # even the right password, from there
    assert r.status_code == 429 and REFUSED in r.content.decode()
    user = world.users["community_worker"]
    assert (
        ChangeLogEntry.objects.filter(action=Action.LOGIN_FAILED, user=user).count()
        == settings.LOGIN_MAX_FAILURES
    )
    # The clerk at their own desk is not locked out by the stranger.
    assert login(at("198.51.100.20"), "t_worker_a").status_code == 302
    # When the lock expires, the right password works from there too.
    LoginThrottle.objects.update(locked_until=timezone.now() - timezone.timedelta(seconds=1))
    assert login(stranger, "t_worker_a").status_code == 302


@pytest.mark.django_db
def test_refusals_do_not_tell_whether_an_account_exists(world, settings):
    """Known and unknown account names meet the same words, the same statuses and the same lock."""

    def answers(username):
        c = at("203.0.113.9")
        out = []
        for _ in range(settings.LOGIN_MAX_FAILURES + 1):
            r = login(c, username, "wrong")
            out.append((r.status_code, REFUSED in r.content.decode()))
        return out

    known, unknown = answers("t_worker_a"), answers("nobody_here")
    assert known == unknown
    assert known[0] == (400, True) and known[-1] == (429, True)
    api = Client(REMOTE_ADDR="203.0.113.10")
    for name in ("t_worker_a", "nobody_here"):
        r = api.post(
            "/api/v1/auth/token", {"username": name, "password": "nope"}, content_type="application/json"
        )
        assert r.status_code == 401 and r.json()["message"] == REFUSED + "。"


@pytest.mark.django_db
def test_backoff_doubles_each_lock_in_a_row(world, settings):
    from shequ.core import accounts, context

    token = context.activate(context.RequestContext("t", "203.0.113.11", "web"))
    try:
        durations = []
        for _round in range(3):
            for _ in range(settings.LOGIN_MAX_FAILURES):
                with contextlib.suppress(DomainError):
                    accounts.password_login("t_worker_a", "wrong")
            row = LoginThrottle.objects.get(username="t_worker_a")
            durations.append(round((row.locked_until - row.last_failure_at).total_seconds() / 60))
            LoginThrottle.objects.update(locked_until=timezone.now() - timezone.timedelta(seconds=1))
    finally:
        context.deactivate(token)
    base = settings.LOGIN_LOCK_MINUTES
    assert durations == [base, 2 * base, 4 * base]


@pytest.mark.django_db
def test_one_address_spraying_many_accounts_is_stopped(world, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 6
    sprayer = at("203.0.113.12")
    names = ["t_worker_a", "t_lead_a", "t_grid_a", "nobody1", "nobody2", "t_worker_b"]
    statuses = [login(sprayer, n, "wrong").status_code for n in names]
    assert statuses == [400] * 5 + [429]
    assert login(sprayer, "t_resident_a").status_code == 429  # a right password from there too
    assert login(at("198.51.100.21"), "t_resident_a").status_code == 302


@pytest.mark.django_db
def test_an_ipv6_client_is_counted_by_its_64(world, settings):
    from shequ.core.accounts import address_range

    assert (
        address_range("2001:db8:1:2:aaaa::1") == address_range("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    )
    assert address_range("::ffff:203.0.113.7") == "203.0.113.7/32"
    assert address_range(None) == "-"
    for i in range(settings.LOGIN_MAX_FAILURES):
        login(at(f"2001:db8:1:2::{i + 1}"), "t_worker_a", "wrong")
    assert login(at("2001:db8:1:2::99"), "t_worker_a").status_code == 429
    assert login(at("2001:db8:1:3::1"), "t_worker_a").status_code == 302


@pytest.mark.django_db
def test_unlock_lifts_the_locks_of_an_account(world, settings):
    from shequ.core import accounts

    c = at("203.0.113.13")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(c, "t_worker_a", "wrong")
    assert login(c, "t_worker_a").status_code == 429
    accounts.unlock_user(None, "t_worker_a")
    assert login(c, "t_worker_a").status_code == 302


@pytest.mark.django_db
def test_worker_logs_in_without_second_factor(world):
    c = Client()
    assert login(c, "t_worker_a")["Location"] == "/"
    assert c.get("/").status_code == 200
    assert ChangeLogEntry.objects.filter(action=Action.LOGIN, username="t_worker_a").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sysadmin", "district", "street"])
def test_administrators_must_pass_totp(world, role):
    user = world.users[role]
    c = Client()
    assert login(c, user.username)["Location"] == "/login/totp/"
    # Pages stay closed until the second factor passes.
    assert c.get("/org/")["Location"] == "/login/totp/"
    page = c.get("/login/totp/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    user.refresh_from_db()
    totp = pyotp.TOTP(user.totp_secret)
    bad = c.post("/login/totp/", {"code": "000000" if totp.now() != "000000" else "111111"})
    assert bad.status_code == 400 and "动态口令不正确" in bad.content.decode()
    code = totp.now()
    assert c.post("/login/totp/", {"code": code})["Location"] == "/"
    assert c.get("/org/").status_code == 200
    # The same code cannot be replayed in another session.
    c2 = Client()
    login(c2, user.username)
    assert c2.post("/login/totp/", {"code": code}).status_code == 400


@pytest.mark.django_db
def test_api_token_issue_use_expire_revoke(world):
    c = Client()
    r = c.post(
        "/api/v1/auth/token",
        {"username": "t_worker_a", "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200
    token = r.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    me = c.get("/api/v1/auth/me", headers=auth).json()
    assert me["memberships"][0]["scope_code"] == world.a.code
    tok = ApiToken.objects.get(user=world.users["community_worker"])
    assert token not in tok.key_hash  # only the hash is stored
    tok.expires_at = timezone.now() - timezone.timedelta(seconds=1)
    tok.save()
    expired = c.get("/api/v1/auth/me", headers=auth)
    assert expired.status_code == 401 and expired.json()["code"] == "unauthenticated"
    token2 = c.post(
        "/api/v1/auth/token",
        {"username": "t_worker_a", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    auth2 = {"Authorization": f"Bearer {token2}"}
    assert c.delete("/api/v1/auth/token", headers=auth2).status_code == 204
    assert c.get("/api/v1/auth/me", headers=auth2).status_code == 401


@pytest.mark.django_db
def test_api_token_errors(world):
    c = Client()
    r = c.post(
        "/api/v1/auth/token", {"username": "t_worker_a", "password": "nope"}, content_type="application/json"
    )
    assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
    # Administrators need a confirmed TOTP and a code for a token.
    r = c.post(
        "/api/v1/auth/token", {"username": "t_street", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 401 and r.json()["code"] == "otp_required"


@pytest.mark.django_db
def test_token_revoke_page_only_for_own_tokens(world):
    other = ApiToken.issue(world.users["community_worker_b"], 1)[0]
    c = world.client(world.users["community_worker"])
    assert c.post(f"/account/tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    mine = ApiToken.issue(world.users["community_worker"], 1)[0]
    assert c.post(f"/account/tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None


@pytest.mark.django_db
def test_security_headers(world):
    r = world.client(world.users["community_worker"]).get("/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Request-ID"]


def test_argon2_is_the_production_hasher():
    from shequ import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_wrong_totp_codes_lock_the_account_and_are_logged(world, settings):
    user = world.users["street"]
    c = Client()
    login(c, user.username)
    c.get("/login/totp/")  # enrol: a secret is created
    user.refresh_from_db()
    right = pyotp.TOTP(user.totp_secret).now()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert c.post("/login/totp/", {"code": wrong}).status_code == 400
    r = c.post("/login/totp/", {"code": wrong})
    assert r.status_code == 429 and REFUSED in r.content.decode()
    # The session is gone and even the right code or password no longer helps from there.
    assert c.get("/org/").status_code == 302
    again = login(c, user.username)
    assert again.status_code == 429 and REFUSED in again.content.decode()
    assert (
        ChangeLogEntry.objects.filter(action=Action.LOGIN_FAILED, user=user).count()
        == settings.LOGIN_MAX_FAILURES
    )


@pytest.mark.django_db
def test_password_success_does_not_reset_code_failures_of_an_administrator(world):
    from shequ.core import accounts

    user = world.users["street"]
    user.totp_secret = pyotp.random_base32()
    user.save()
    for _ in range(2):
        assert not accounts.verify_totp(
            user, "000000" if pyotp.TOTP(user.totp_secret).now() != "000000" else "1"
        )
    accounts.password_login(user.username, PASSWORD)
    assert LoginThrottle.objects.get(username=user.username).failures == 2


@pytest.mark.django_db
def test_gaining_an_admin_role_mid_session_asks_for_totp(world):
    from shequ.core import accounts
    from shequ.core.roles import Role

    c = Client()
    login(c, "t_worker_a")
    assert c.get("/org/").status_code == 200
    accounts.grant(None, "t_worker_a", role=Role.STREET, org=world.street)
    assert c.get("/org/")["Location"] == "/login/totp/"


@pytest.mark.django_db
def test_account_acts_respect_the_actor_scope(world):
    from shequ.core import accounts
    from shequ.core.errors import Forbidden
    from shequ.core.roles import Role

    street = world.users["street"]
    with pytest.raises(Forbidden):
        accounts.grant(street, "t_worker_b", role=Role.SYSADMIN)
    with pytest.raises(Forbidden):
        accounts.reset_totp(street, "t_admin")
    with pytest.raises(Forbidden):
        accounts.unlock_user(street, "t_district")  # a district account lies above the street
    accounts.unlock_user(street, "t_worker_b")  # inside the street: allowed


@pytest.mark.django_db
def test_pages_and_api_answers_with_personal_data_are_not_stored(world):
    from shequ.core.models import Attachment

    worker = world.client(world.users["community_worker"])
    for url in ("/", "/people/residents/", "/org/grids/"):
        assert worker.get(url)["Cache-Control"] == "no-store", url
    photo = Attachment.objects.create(
        code=world.a.code, name="p.png", content_type="image/png", size=8, sha256="0" * 64, data=b"x"
    )
    assert worker.get(f"/attachments/{photo.pk}/")["Cache-Control"] == "no-store"
    c = Client()
    token = c.post(
        "/api/v1/auth/token",
        {"username": "t_worker_a", "password": PASSWORD},
        content_type="application/json",
    )
    assert token["Cache-Control"] == "no-store"
    me = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['token']}"})
    assert me["Cache-Control"] == "no-store"
    assert c.get("/api/v1/auth/me")["Cache-Control"] == "no-store"  # even a refusal
    # Public pages keep their own caching.
    assert "no-store" not in Client().get("/healthz").get("Cache-Control", "")
