"""Notifications: the channels of shequ.core.notify (console, e-mail, SMS and WeChat template
adapters, the recording outbox and the HTTP transport against a real local server), and who hears
what as a case moves: the requester, the handling unit, the superior on escalation."""

import datetime as dt
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from shequ.cases import services
from shequ.cases.models import Case, CaseEvent
from shequ.core import notify
from shequ.core.models import Notification
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_outbox():
    notify.outbox.clear()
    yield
    notify.outbox.clear()


@pytest.fixture
def channels(settings):
    """Choose the configured channels for one test: channels("sms,email"); SMS and WeChat go to
    the recording outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_SMS_GATEWAY = notify.MEMORY_GATEWAY
    settings.NOTIFY_WECHAT_GATEWAY = notify.MEMORY_GATEWAY

    def use(names: str):
        settings.NOTIFY_CHANNELS = names

    return use


def _message(**kw):
    base = {
        "template": "case.dispatched",
        "subject": "新派遣案件",
        "body": "新派遣案件：20260101000001 楼道堆放杂物",
        "params": {"number": "20260101000001", "title": "楼道堆放杂物"},
        "scope_code": "420115001001",
    }
    return notify.Message(**{**base, **kw})


# --- the channels ---------------------------------------------------------------------------------
def test_console_channel_logs_and_records(channels, caplog):
    channels("console")
    with caplog.at_level(logging.INFO, logger="shequ.notify"):
        rows = notify.send(_message(phone="13812345678"))
    assert [r.channel for r in rows] == ["console"]
    assert any("楼道堆放杂物" in r.getMessage() and "13812345678" in r.getMessage() for r in caplog.records)
    n = Notification.objects.get()
    assert (n.channel, n.status, n.template, n.address) == (
        "console",
        "sent",
        "case.dispatched",
        "13812345678",
    )
    assert n.scope_code == "420115001001"  # the notice is filed under the scope it concerns


def test_email_channel_sends_through_django_mail(channels):
    channels("email")
    notify.send(_message(email="wang@example.cn"))
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["wang@example.cn"] and sent.subject == "新派遣案件"
    assert "楼道堆放杂物" in sent.body
    assert Notification.objects.get().status == "sent"


def test_email_to_a_user_uses_their_address_and_skips_those_without(channels, world):
    channels("email")
    lead = world.users["community_lead"]
    lead.email = "lead@example.cn"
    lead.save()
    notify.send(_message(user=lead))
    notify.send(_message(user=world.users["community_worker"]))  # no address: nothing, no row
    assert [m.to for m in mail.outbox] == [["lead@example.cn"]]
    assert Notification.objects.count() == 1 and Notification.objects.get().user == lead


def test_sms_adapter_sends_a_template_and_its_parameters(channels, settings):
    channels("sms")
    settings.NOTIFY_TEMPLATE_IDS = {"case.dispatched": "SMS_100200"}
    notify.send(_message(phone="13812345678"))
    assert list(notify.outbox.sent) == [
        (
            "sms",
            {
                "phone": "13812345678",
                "template_id": "SMS_100200",
                "params": {"number": "20260101000001", "title": "楼道堆放杂物"},
            },
        )
    ]


def test_wechat_adapter_builds_a_template_message(channels):
    channels("wechat,sms")
    notify.send(_message(wechat_openid="oABC123", phone=""))  # no phone: SMS skipped
    assert list(notify.outbox.sent) == [
        (
            "wechat",
            {
                "touser": "oABC123",
                "template_id": "case.dispatched",
                "data": {"number": {"value": "20260101000001"}, "title": {"value": "楼道堆放杂物"}},
            },
        )
    ]
    assert list(Notification.objects.values_list("channel", flat=True)) == ["wechat"]


def test_a_channel_without_a_gateway_is_reported_as_not_configured(channels, settings):
    """An enabled SMS channel with no gateway neither pretends to send nor keeps the message."""
    channels("sms,wechat")
    settings.NOTIFY_SMS_GATEWAY = ""
    settings.NOTIFY_WECHAT_GATEWAY = ""
    rows = notify.send(_message(phone="13812345678", wechat_openid="oABC123"))
    assert [(r.channel, r.status) for r in rows] == [
        ("sms", Notification.FAILED),
        ("wechat", Notification.FAILED),
    ]
    assert "SHEQU_NOTIFY_SMS_GATEWAY" in rows[0].error and "未配置" in rows[0].error
    assert "SHEQU_NOTIFY_WECHAT_GATEWAY" in rows[1].error
    assert list(notify.outbox.sent) == []


def test_the_recording_outbox_is_bounded():
    box = notify.RecordingOutbox(limit=3)
    for i in range(10):
        box("sms", {"n": i})
    assert [p["n"] for _, p in box.sent] == [7, 8, 9]


def test_unknown_channel_is_a_configuration_error(channels):
    channels("console,pager")
    with pytest.raises(ValueError, match="pager"):
        notify.send(_message(phone="13812345678"))


# --- the HTTP transport against a real gateway ---------------------------------------------------
class _Gateway:
    """A tiny SMS/WeChat gateway on 127.0.0.1 that records the JSON it receives."""

    def __init__(self, status=200):
        self.received = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (the http.server API)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(
                    (self.path, self.headers["Content-Type"], json.loads(body.decode("utf-8")))
                )
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_sms_goes_to_the_configured_gateway_as_json(channels, settings):
    channels("sms")
    with _Gateway() as gw:
        settings.NOTIFY_SMS_GATEWAY = gw.url
        rows = notify.send(_message(phone="13812345678"))
    assert [r.status for r in rows] == ["sent"]
    assert list(notify.outbox.sent) == []  # the gateway, not the outbox
    path, ctype, payload = gw.received[0]
    assert path == "/send" and ctype.startswith("application/json")
    assert payload["phone"] == "13812345678" and payload["params"]["title"] == "楼道堆放杂物"


def test_wechat_gateway_too(channels, settings):
    channels("wechat")
    with _Gateway() as gw:
        settings.NOTIFY_WECHAT_GATEWAY = gw.url
        notify.send(_message(wechat_openid="oXYZ"))
    assert gw.received[0][2]["touser"] == "oXYZ"


def test_a_failing_gateway_is_recorded_not_raised(channels, settings):
    channels("sms,console")
    with _Gateway(status=500) as gw:
        settings.NOTIFY_SMS_GATEWAY = gw.url
        rows = notify.send(_message(phone="13812345678"))
    assert len(gw.received) == 1
    by_channel = {r.channel: r for r in rows}
    assert by_channel["sms"].status == "failed" and "500" in by_channel["sms"].error
    assert by_channel["console"].status == "sent"  # the other channels still deliver
    assert Notification.objects.filter(status="failed").count() == 1


def test_an_unreachable_gateway_does_not_break_the_act(
    channels, settings, world, django_capture_on_commit_callbacks
):
    channels("sms")
    settings.NOTIFY_SMS_GATEWAY = "http://127.0.0.1:9/nothing-listens-here"
    case = make_case(world, "a", "filed")
    with django_capture_on_commit_callbacks(execute=True):
        case = services.transition(
            world.users["street"], case.pk, "dispatch", unit=f"community:{world.a.code}"
        )
    assert Case.objects.get(pk=case.pk).status == "dispatched"
    failed = Notification.objects.get(template="case.dispatch")
    assert failed.status == "failed" and failed.error


# --- who hears what -------------------------------------------------------------------------------
def _walk(world, case, actions, capture):
    street = world.users["street"]
    data = {
        "dispatch": {"unit": f"community:{world.a.code}"},
        "feedback": {"note": "已清理"},
        "callback": {"valid": True, "contacted": True, "solved": True, "satisfaction": "satisfied"},
    }
    for action in actions:
        with capture(execute=True):
            case = services.transition(street, case.pk, action, **data.get(action, {}))
    return case


def _submit(world, capture, **kw):
    from tests.cases.factories import point_in

    lat, lng = point_in(world, "a")
    with capture(execute=True):
        case, _ = services.submit_request(
            world.users["street"],
            channel="phone",
            category="0703",
            description="楼道堆放杂物需要清理",
            lat=lat,
            lng=lng,
            **kw,
        )
    return case


def test_requester_with_contact_details_hears_of_each_status_change(
    channels, world, django_capture_on_commit_callbacks
):
    channels("sms,email")
    case = _submit(
        world,
        django_capture_on_commit_callbacks,
        requester_name="王女士",
        requester_phone="13812345678",
        requester_email="wang@example.cn",
    )
    _walk(
        world,
        case,
        ["file", "dispatch", "accept", "feedback", "verify", "close"],
        django_capture_on_commit_callbacks,
    )
    sms = [p for ch, p in notify.outbox.sent if ch == "sms" and p["phone"] == "13812345678"]
    assert [p["template_id"] for p in sms] == [
        "case.receive",
        "case.file",
        "case.dispatch",
        "case.feedback",
        "case.close",
    ]
    assert sms[-1]["params"] == {"number": case.number, "status": "已结案"}
    mails = [m for m in mail.outbox if m.to == ["wang@example.cn"]]
    assert len(mails) == 5 and case.number in mails[0].body and "已受理" in mails[0].body


def test_anonymous_requester_hears_nothing(channels, world, django_capture_on_commit_callbacks):
    channels("sms,email")
    case = _submit(
        world,
        django_capture_on_commit_callbacks,
        anonymous=True,
        requester_phone="13812345678",
        requester_email="x@y.cn",
    )
    assert case.requester_phone == "" and case.requester_email == ""
    _walk(world, case, ["file", "dispatch"], django_capture_on_commit_callbacks)
    assert not [p for ch, p in notify.outbox.sent if p.get("phone") == "13812345678"]
    assert mail.outbox == []


def test_requester_without_contact_details_hears_nothing(channels, world, django_capture_on_commit_callbacks):
    channels("sms,email")
    case = _submit(world, django_capture_on_commit_callbacks, requester_name="李先生")
    _walk(world, case, ["file"], django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(template__in=["case.receive", "case.file"]).exists()


def test_handlers_hear_of_dispatch_and_supervision(channels, world, django_capture_on_commit_callbacks):
    channels("console")
    case = make_case(world, "a", "filed")
    _walk(world, case, ["dispatch"], django_capture_on_commit_callbacks)
    told = set(
        Notification.objects.filter(template="case.dispatched").values_list("user__username", flat=True)
    )
    assert told == {"t_lead_a", "t_worker_a"}  # the community's own staff, not b's, not the street
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(world.users["street"], case.pk, "supervise", note="群众反映强烈，请加快办理")
    told = set(
        Notification.objects.filter(template="case.supervised").values_list("user__username", flat=True)
    )
    assert told == {"t_lead_a", "t_worker_a"}
    assert Case.objects.get(pk=case.pk).supervised


def test_dispatch_to_a_grid_tells_its_grid_worker(channels, world, django_capture_on_commit_callbacks):
    channels("console")
    case = make_case(world, "a", "filed")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(world.users["street"], case.pk, "dispatch", unit=f"grid:{world.grid_a.code}")
    told = set(
        Notification.objects.filter(template="case.dispatched").values_list("user__username", flat=True)
    )
    assert told == {"t_grid_a"}


def test_merged_requester_hears_the_parents_outcome(channels, world, django_capture_on_commit_callbacks):
    channels("sms")
    parent = make_case(world, "a", "filed")
    child = _submit(world, django_capture_on_commit_callbacks, requester_phone="13900001111")
    _walk(world, child, ["file"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(world.users["street"], child.pk, "merge", parent=parent.pk)
    _walk(
        world,
        parent,
        ["dispatch", "accept", "feedback", "verify", "close"],
        django_capture_on_commit_callbacks,
    )
    to_child = [p["template_id"] for ch, p in notify.outbox.sent if p.get("phone") == "13900001111"]
    assert to_child == ["case.receive", "case.file", "case.merge", "case.parent_outcome"]
    assert CaseEvent.objects.filter(case=child, action="parent_outcome").exists()


# --- the deadline sweep ---------------------------------------------------------------------------
def test_sweep_warns_at_80_percent_escalates_once_and_never_twice(
    channels, world, django_capture_on_commit_callbacks
):
    channels("console")
    case = make_case(world, "a", "processing")
    assert case.dispatched_at < case.warn_at < case.deadline
    from shequ.core import worktime

    used = worktime.working_hours_between(case.dispatched_at, case.warn_at)
    total = worktime.working_hours_between(case.dispatched_at, case.deadline)
    assert used == pytest.approx(0.8 * total, abs=0.01)

    def sweep(at):
        with django_capture_on_commit_callbacks(execute=True):
            return services.sweep_deadlines(now=at)

    assert sweep(case.warn_at - dt.timedelta(minutes=1)) == {"warned": 0, "escalated": 0, "review_due": 0}
    assert sweep(case.warn_at + dt.timedelta(seconds=1)) == {"warned": 1, "escalated": 0, "review_due": 0}
    warned = Notification.objects.filter(template="case.warning")
    assert set(warned.values_list("user__username", flat=True)) == {"t_lead_a", "t_worker_a"}
    assert sweep(case.warn_at + dt.timedelta(minutes=5)) == {"warned": 0, "escalated": 0, "review_due": 0}
    assert warned.count() == 2
    assert Case.objects.get(pk=case.pk).clock_state(now=case.warn_at + dt.timedelta(seconds=1)) == "warning"

    late = case.deadline + dt.timedelta(minutes=1)
    assert sweep(late) == {"warned": 0, "escalated": 1, "review_due": 0}
    overdue = Notification.objects.filter(template="case.overdue")
    assert set(overdue.values_list("user__username", flat=True)) == {"t_lead_a", "t_worker_a"}
    escalated = Notification.objects.filter(template="case.escalated")
    # The superior of a community is its street: the street's managers (and the administrators).
    assert set(escalated.values_list("user__username", flat=True)) == {"t_street", "t_admin"}
    assert CaseEvent.objects.filter(case=case, action="escalate").get().data == {"to": world.street.code}
    before = Notification.objects.count()
    assert sweep(late + dt.timedelta(hours=1)) == {"warned": 0, "escalated": 0, "review_due": 0}
    assert Notification.objects.count() == before
    assert CaseEvent.objects.filter(case=case, action__in=("warn", "escalate")).count() == 2


def test_sweep_leaves_stopped_and_parked_cases_alone(channels, world, django_capture_on_commit_callbacks):
    channels("console")
    handled = make_case(world, "a", "handled")
    parked = make_case(world, "a", "parked")
    far = max(handled.deadline, parked.deadline or handled.deadline) + dt.timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_deadlines(now=far) == {"warned": 0, "escalated": 0, "review_due": 0}
    assert not Notification.objects.filter(template__in=["case.warning", "case.overdue"]).exists()
