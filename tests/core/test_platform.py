import os
import socket
import subprocess
import sys

import pytest
from django.test import Client

from shequ.cli import build_parser

SUBCOMMANDS = [
    ["serve"],
    ["migrate"],
    ["demo"],
    ["divisions"],
    ["divisions", "import"],
    ["keys"],
    ["keys", "rotate"],
    ["keys", "status"],
    ["user"],
    ["user", "create"],
    ["user", "grant"],
    ["user", "unlock"],
    ["user", "reset-totp"],
    ["calendar"],
    ["calendar", "seed"],
    ["calendar", "set"],
    ["calendar", "year"],
    ["calendar", "show"],
    ["manage"],
    ["worker"],
]


@pytest.mark.parametrize("argv", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([*argv, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: shequ" in out and len(out) > 80


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """An environment for `shequ` subprocesses: its own data directory, migrated once."""
    env = {**os.environ, "SHEQU_DATA_DIR": str(tmp_path_factory.mktemp("cli"))}
    env.pop("SHEQU_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "shequ.cli", "migrate", "-v", "0"], env=env, check=True)
    return env


def test_cli_reports_bad_prefix_in_chinese(cli_env):
    env = cli_env
    r = subprocess.run(
        [sys.executable, "-m", "shequ.cli", "divisions", "import", "--prefix", "110101"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "未找到代码以 110101 开头的区划" in r.stderr and "--source" in r.stderr


def test_cli_output_into_a_closed_pipe_ends_quietly(cli_env):
    """`shequ cases categories | head -1`: the reader goes away; no traceback follows."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before the command writes anything: every write hits a broken pipe
    try:
        r = subprocess.run(
            [sys.executable, "-m", "shequ.cli", "cases", "categories"],
            env=cli_env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write_end)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "BrokenPipeError" not in r.stderr, r.stderr


@pytest.mark.django_db
def test_healthz_ok(settings):
    settings.REDIS_URL = None
    r = Client().get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["checks"]["migrations"]["ok"]


@pytest.mark.django_db
def test_healthz_503_when_broker_unreachable(settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    r = Client().get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["broker"]["ok"] is False


def _redis_url():
    """The Redis that the round-trip test may use: opt-in through SHEQU_TEST_REDIS_URL (a test must
    not write to a Redis it merely happens to find). SHEQU_REQUIRE_REDIS=1 (CI) turns a skip into a
    failure, as SHEQU_REQUIRE_BROWSER does for the browser tests."""
    url = os.environ.get("SHEQU_TEST_REDIS_URL")
    required = os.environ.get("SHEQU_REQUIRE_REDIS") == "1"
    if not url:
        reason = "SHEQU_TEST_REDIS_URL is not set; the embedded default runs tasks eagerly"
    else:
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            return url
        except Exception as exc:  # noqa: BLE001
            reason = f"Redis at SHEQU_TEST_REDIS_URL={url} is not reachable: {exc}"
    if required:
        pytest.fail(f"{reason} — and SHEQU_REQUIRE_REDIS=1, so the Redis test must run", pytrace=False)
    pytest.skip(reason)


@pytest.mark.redis
def test_celery_round_trip_through_redis():
    """A real worker consumes a real task from Redis (opt-in: SHEQU_TEST_REDIS_URL)."""
    url = _redis_url()
    from celery.contrib.testing.worker import start_worker

    from shequ.celery import app
    from shequ.core.tasks import ping

    def forget_connections():
        # Celery caches its producer pool and result backend on first use: a test that queued a
        # task earlier would leave them bound to the in-memory broker.
        import threading

        app._after_fork()
        app._backend_cache = None
        app._local = threading.local()

    keys = ("broker_url", "result_backend", "task_always_eager", "worker_hijack_root_logger")
    old = {k: app.conf[k] for k in keys}
    # The worker must not replace the root logger's handlers with ones bound to this test's captured
    # stderr: they would outlive the capture and fail every later log call ("I/O operation on closed file").
    app.conf.update(
        broker_url=url, result_backend=url, task_always_eager=False, worker_hijack_root_logger=False
    )
    forget_connections()
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            assert ping.delay().get(timeout=20) == "pong"
    finally:
        app.conf.update(old)
        forget_connections()


def test_tasks_run_eagerly_without_broker(settings):
    from shequ.celery import app

    if settings.REDIS_URL:
        pytest.skip("a broker is configured in this run")
    assert app.conf.task_always_eager
    from shequ.core.tasks import ping

    assert ping.delay().get() == "pong"


@pytest.mark.django_db
def test_demo_loads_once_and_is_repeatable():
    from shequ.core.models import User
    from shequ.org import demo
    from shequ.org.models import Assignment, Building, Grid, House

    r = demo.load(echo=lambda *a: None)
    assert r.loaded and r.counts["grids"] == 24
    assert Grid.objects.filter(boundary__isnull=False).count() == 24
    first = (
        Building.objects.count(),
        House.objects.count(),
        Assignment.objects.count(),
        sorted(Grid.objects.values_list("area_m2", flat=True)),
    )
    assert first[1] > 5000
    assert not demo.load(echo=lambda *a: None).loaded  # second call: already there
    roles = set(User.objects.filter(memberships__isnull=False).values_list("memberships__role", flat=True))
    assert roles == {
        "sysadmin",
        "district",
        "street",
        "community_lead",
        "community_worker",
        "grid_worker",
        "department",
        "resident",
    }
    demo.load(reset=True, echo=lambda *a: None)
    again = (
        Building.objects.count(),
        House.objects.count(),
        Assignment.objects.count(),
        sorted(Grid.objects.values_list("area_m2", flat=True)),
    )
    assert again == first  # same seed, same data


@pytest.mark.django_db
def test_demo_never_touches_an_operators_account_of_the_same_name():
    from shequ.core.models import User
    from shequ.org import demo
    from shequ.org.models import Grid

    operator = User.objects.create_user("admin", password="Operator-Own-Pass-1", email="ops@example.cn")
    for reset in (False, True):
        with pytest.raises(demo.DemoConflict, match="admin"):
            demo.load(reset=reset, echo=lambda *a: None)
        operator.refresh_from_db()
        assert operator.check_password("Operator-Own-Pass-1") and operator.email == "ops@example.cn"
        assert not Grid.objects.exists() and User.objects.count() == 1  # nothing half-written


def test_demo_refuses_in_chinese_from_the_command_line(cli_env):
    subprocess.run(
        [sys.executable, "-m", "shequ.cli", "user", "create", "--username", "admin", "--role", "sysadmin"],
        env={**cli_env, "SHEQU_NEW_PASSWORD": "Operator-Own-Pass-1"},
        check=True,
        capture_output=True,
    )
    r = subprocess.run(
        [sys.executable, "-m", "shequ.cli", "demo", "--no-serve"], env=cli_env, capture_output=True, text=True
    )
    assert r.returncode == 2
    assert "已有同名的账号 admin" in r.stderr and "Traceback" not in r.stderr, r.stderr


@pytest.mark.django_db
def test_openapi_document_and_offline_docs():
    c = Client()
    doc = c.get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/token" in doc["paths"] and "/api/v1/org/grids" in doc["paths"]
    page = c.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


@pytest.mark.django_db
def test_healthz_503_when_the_key_file_is_lost(world, settings):
    from shequ.core import crypto
    from shequ.org.models import Assignment

    settings.REDIS_URL = None
    Assignment.objects.create(grid=world.grid_a, post="grid_lead", person_name="甲", phone="13800000000")
    assert Client().get("/healthz").json()["checks"]["field_keys"]["ok"]
    settings.FIELD_KEY_FILE.unlink()
    crypto.reset_keyring()
    r = Client().get("/healthz")
    assert r.status_code == 503 and "密钥缺失或不匹配" in r.json()["checks"]["field_keys"]["error"]


@pytest.mark.django_db
def test_unlock_reset_totp_and_grant(world):
    from django.utils import timezone

    from shequ.core import accounts
    from shequ.core.models import ChangeLogEntry, LoginThrottle, Membership

    u = world.users["street"]
    LoginThrottle.objects.create(
        username=u.username,
        network="203.0.113.7/32",
        locked_until=timezone.now() + timezone.timedelta(minutes=10),
    )
    u.totp_secret = "JBSWY3DPEHPK3PXP"
    u.totp_confirmed_at = timezone.now()
    u.save()
    accounts.unlock_user(None, u.username)
    accounts.reset_totp(None, u.username)
    u.refresh_from_db()
    assert not LoginThrottle.objects.filter(username=u.username).exists()
    assert not u.totp_secret and u.totp_confirmed_at is None
    m = accounts.grant(None, "t_worker_a", role="community_worker", org=world.b)
    assert Membership.objects.filter(user=world.users["community_worker"]).count() == 2
    assert m.scope_code == world.b.code
    assert ChangeLogEntry.objects.filter(note__contains="解除登录锁定").exists()
    # A worker cannot grant themselves more scope.
    from shequ.core.errors import Forbidden

    with pytest.raises(Forbidden):
        accounts.grant(world.users["community_worker"], "t_worker_a", role="community_lead", org=world.a)
