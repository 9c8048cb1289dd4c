"""/metrics: Prometheus text for the monitoring server only, with request latency per view, status
counts, database time, Celery task counts and durations, import speed and the scrape-time gauges;
and JSON log lines that carry the request id."""

import json
import logging

import pytest
from django.test import Client

from shequ.core import metrics

pytestmark = pytest.mark.django_db


def _scrape(client=None, **headers) -> str:
    r = (client or Client()).get("/metrics", **headers)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def test_metrics_answer_only_an_internal_address_or_the_token(settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 404
    # Through the proxy (X-Forwarded-For) it is the world, even though the proxy itself is local.
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert (
        Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code
        == 404
    )
    _scrape(Client(REMOTE_ADDR="203.0.113.9"), HTTP_AUTHORIZATION="Bearer s3cret-token")
    _scrape()  # 127.0.0.1


def test_requests_database_time_and_scrape_time_figures_are_exposed(world):
    world.client(world.users["community_lead"]).get("/")
    metrics.register_gauge("shequ_test_answer", "a gauge read when scraped", lambda: 42)
    metrics.register_gauge("shequ_test_broken", "a gauge that fails", lambda: 1 / 0)
    text = _scrape()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="core:home"}' in text
    assert (
        'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="core:home"}'
        in text
    )
    assert 'shequ_request_db_seconds_count{view="core:home"}' in text
    assert "shequ_db_query_seconds_bucket" in text
    assert "shequ_test_answer 42.0" in text
    assert (
        "shequ_test_broken" not in text.split("# HELP shequ_test_answer")[1]
    )  # skipped, scrape still answers
    assert "shequ_cases_overdue_open" in text


def test_import_speed_and_celery_tasks_are_counted():
    before = metrics.IMPORT_ROWS.labels("test")._value.get()
    metrics.import_committed("test", 1000, 2.0)
    assert metrics.IMPORT_ROWS.labels("test")._value.get() == before + 1000
    metrics.connect_celery_signals()
    from celery.signals import task_postrun, task_prerun

    task = type("T", (), {"name": "shequ.test_task"})()
    task_prerun.send(sender=task, task_id="t1", task=task)
    task_postrun.send(sender=task, task_id="t1", task=task, state="SUCCESS")
    text = _scrape()
    assert 'shequ_celery_tasks_total{state="success",task="shequ.test_task"}' in text
    assert 'shequ_celery_task_seconds_count{task="shequ.test_task"}' in text
    assert 'shequ_import_rows_total{kind="test"}' in text


def test_json_log_lines_carry_the_request_id(capsys):
    from logging.config import dictConfig

    from django.conf import settings

    config = json.loads(json.dumps(settings.LOGGING))
    config["handlers"]["console"]["formatter"] = "json"
    dictConfig(config)
    try:
        r = Client().get("/healthz", HTTP_X_REQUEST_ID="req-12345678")
        assert r["X-Request-ID"] == "req-12345678"
        logging.getLogger("shequ.test").warning("检查日志")
        from shequ.core import context

        token = context.activate(context.RequestContext("req-abcdef01", None, "web"))
        try:
            logging.getLogger("shequ.test").warning("请求内的日志")
        finally:
            context.deactivate(token)
        lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
        inside = [x for x in lines if x["message"] == "请求内的日志"]
        assert inside and inside[0]["request_id"] == "req-abcdef01" and inside[0]["level"] == "WARNING"
        assert inside[0]["logger"] == "shequ.test" and "time" in inside[0]
    finally:
        dictConfig(settings.LOGGING)
