"""Prometheus metrics: what an operator alerts on.

Requests (latency per view, status counts) come from django-prometheus's middleware; this module
adds database time (every query of a request, through Django's execute_wrapper), Celery task
counts and durations, import rows and their speed, and figures read when scraped: the length of
the Celery queues and the gauges modules register (open cases past their deadline …).

With several processes (gunicorn workers, Celery's pool) the counters of each are written to
PROMETHEUS_MULTIPROC_DIR and added up at scrape time: `shequ serve` uses DATA_DIR/metrics/web and
`shequ worker` DATA_DIR/metrics/worker (each emptied when its service starts), and /metrics adds up
every directory under DATA_DIR/metrics, so the web node also reports the workers of its machine (a
worker on a machine of its own serves them with `shequ worker --metrics-port`). `/metrics` answers only a request carrying SHEQU_METRICS_TOKEN as a bearer
token, or one that comes straight (not through the proxy) from an address in SHEQU_METRICS_ALLOW."""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

DB_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)

DB_QUERY_SECONDS = Histogram(
    "shequ_db_query_seconds", "Time of one database query", ["vendor"], buckets=DB_BUCKETS
)
REQUEST_DB_SECONDS = Histogram(
    "shequ_request_db_seconds", "Database time of one request, per view", ["view"], buckets=DB_BUCKETS
)
CELERY_TASKS = Counter("shequ_celery_tasks_total", "Celery tasks finished, by outcome", ["task", "state"])
CELERY_SECONDS = Histogram(
    "shequ_celery_task_seconds", "Celery task run time", ["task"], buckets=TASK_BUCKETS
)
IMPORT_ROWS = Counter("shequ_import_rows_total", "Rows written by import commits", ["kind"])
IMPORT_SECONDS = Counter("shequ_import_seconds_total", "Time spent committing imports", ["kind"])

_gauges: dict[str, tuple[str, Callable[[], float]]] = {}
log = logging.getLogger("shequ.metrics")


def register_gauge(name: str, help_text: str, fn: Callable[[], float]) -> None:
    """A figure read when scraped (fn() -> number), from a module's AppConfig.ready."""
    _gauges[name] = (help_text, fn)


def import_committed(kind: str, rows: int, seconds: float) -> None:
    """An import commit ended: rows per second is rate(rows_total) / rate(seconds_total)."""
    IMPORT_ROWS.labels(kind).inc(rows)
    IMPORT_SECONDS.labels(kind).inc(max(seconds, 0.0))


class _ScrapeTime:
    """Figures read at scrape time: queue lengths and the registered gauges."""

    def collect(self):
        queues = GaugeMetricFamily(
            "shequ_celery_queue_length", "Tasks waiting in a Celery queue", labels=["queue"]
        )
        for name, length in _queue_lengths().items():
            queues.add_metric([name], length)
        yield queues
        for name, (help_text, fn) in sorted(_gauges.items()):
            try:
                value = float(fn())
            except Exception as exc:  # noqa: BLE001 - a failing gauge must not break the scrape
                log.warning("gauge %s failed: %s", name, exc)
                continue
            yield GaugeMetricFamily(name, help_text, value=value)


def _queue_lengths() -> dict[str, int]:
    if not settings.REDIS_URL:
        return {}
    try:
        import redis

        r = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return {q: int(r.llen(q)) for q in ("celery",)}
    except Exception as exc:  # noqa: BLE001 - the broker being down is reported by /healthz
        log.warning("queue length unavailable: %s", exc)
        return {}


def process_registry() -> CollectorRegistry:
    """The counters of every process of this machine (or of this process alone)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import REGISTRY

        return REGISTRY
    registry = CollectorRegistry()
    root = settings.DATA_DIR / "metrics"
    for d in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        multiprocess.MultiProcessCollector(registry, path=str(d))
    return registry


def exposition() -> bytes:
    """The text a Prometheus server scrapes."""
    scrape = CollectorRegistry()
    scrape.register(_ScrapeTime())
    return generate_latest(process_registry()) + generate_latest(scrape)


def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    auth = request.headers.get("Authorization", "")
    if token and auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].encode(), token.encode()):
        return True
    if request.META.get("HTTP_X_FORWARDED_FOR"):  # through the proxy: the world, unless it brings the token
        return False
    try:
        addr = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        addr in ipaddress.ip_network(n.strip(), strict=False) for n in settings.METRICS_ALLOW if n.strip()
    )


class DatabaseTimeMiddleware:
    """Times every query of a request (per query, and the request's total per view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        spent = [0.0]
        vendor = connection.vendor

        def timed(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                d = time.perf_counter() - start
                spent[0] += d
                DB_QUERY_SECONDS.labels(vendor).observe(d)

        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        REQUEST_DB_SECONDS.labels(match.view_name if match else "<unresolved>").observe(spent[0])
        return response


def connect_celery_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    started: dict[str, float] = {}

    @task_prerun.connect(weak=False)
    def _start(task_id=None, task=None, **_):
        started[task_id] = time.perf_counter()

    @task_postrun.connect(weak=False)
    def _done(task_id=None, task=None, state=None, **_):
        t0 = started.pop(task_id, None)
        name = getattr(task, "name", "?")
        if t0 is not None:
            CELERY_SECONDS.labels(name).observe(time.perf_counter() - t0)
        CELERY_TASKS.labels(name, (state or "UNKNOWN").lower()).inc()
