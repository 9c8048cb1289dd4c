"""Reads that tolerate a few seconds of lag go to a PostgreSQL streaming replica.

With SHEQU_DATABASE_REPLICA_URL set, a GET of a page or route whose URL name matches
REPLICA_READ_VIEWS (dashboards, indicators, reports, exports, Open311 reads, public pages) reads
from the replica, unless:
- the browser has written within REPLICA_STICKY_SECONDS (read-your-writes: a cookie set on every
  POST/PUT/PATCH/DELETE sends its next reads to the primary);
- the replica is down, or further behind than REPLICA_MAX_LAG_SECONDS (checked at most every few
  seconds per process): it is skipped until it catches up;
- the read happens inside a transaction (which reads what it has written).
Writes always go to the primary. /healthz reports the replica and its lag."""

import contextvars
import logging
import re
import time

from django.conf import settings
from django.db import connections

ALIAS = "replica"
WROTE_COOKIE = "sq_wrote"
CHECK_SECONDS = 3.0
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("shequ_use_replica", default=False)
_state = {"checked": 0.0, "ok": False, "lag": None, "error": ""}
log = logging.getLogger("shequ.replica")


def configured() -> bool:
    return ALIAS in settings.DATABASES


def state(force: bool = False) -> dict:
    """{"ok", "lag" (seconds, None if unknown), "error"}: cached for CHECK_SECONDS."""
    now = time.monotonic()
    if not force and now - _state["checked"] < CHECK_SECONDS:
        return dict(_state)
    _state["checked"] = now
    try:
        with connections[ALIAS].cursor() as cur:
            # Caught up (everything received is replayed) is no lag, however long the primary has
            # been idle; otherwise the age of the last replayed transaction.
            cur.execute(
                "SELECT pg_is_in_recovery(), "
                "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            recovering, lag = cur.fetchone()
        lag = float(lag) if lag is not None else 0.0
        _state.update(ok=lag <= settings.REPLICA_MAX_LAG_SECONDS, lag=round(lag, 3), error="")
        if not recovering:
            _state["error"] = "not a standby"
    except Exception as exc:  # noqa: BLE001 - a replica that cannot answer is skipped
        connections[ALIAS].close()
        _state.update(ok=False, lag=None, error=type(exc).__name__)
        log.warning("replica unavailable, reading from the primary: %s", exc)
    return dict(_state)


_patterns: list | None = None


def lag_tolerant(view_name: str | None) -> bool:
    global _patterns
    if _patterns is None:
        _patterns = [re.compile(p) for p in settings.REPLICA_READ_VIEWS]
    return bool(view_name) and any(p.search(view_name) for p in _patterns)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and not connections["default"].in_atomic_block:
            return ALIAS
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same database, one of them a copy

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class ReplicaMiddleware:
    """Decides per request (after URL resolution) whether its reads may go to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _use_replica.set(False)
        try:
            response = self.get_response(request)
        finally:
            _use_replica.reset(token)
        if configured() and request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            response.set_cookie(
                WROTE_COOKIE, str(int(time.time())), max_age=settings.REPLICA_STICKY_SECONDS, httponly=True,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not configured() or request.method not in ("GET", "HEAD"):
            return None
        if request.COOKIES.get(WROTE_COOKIE):
            return None  # wrote a moment ago: read it back from the primary
        match = getattr(request, "resolver_match", None)
        if match and lag_tolerant(match.view_name) and state()["ok"]:
            _use_replica.set(True)
        return None


def reads_from_replica() -> bool:
    """Whether the current request's reads go to the replica (for tests and /healthz)."""
    return _use_replica.get()
