"""Notifications: one call (`send`) fans a message out to the channels configured in
SHEQU_NOTIFY_CHANNELS ("console,email" by default; "sms" and "wechat" when a gateway is set).

A channel turns a `Message` into what its medium takes: the console prints it, e-mail goes through
Django's mail backend, and the SMS and WeChat adapters build a template message (template id and
parameters, as the operators' gateways require) and hand it to a transport: an HTTP POST to the
configured gateway, or, only when the gateway is set to `memory://` (tests, demos), the bounded
`outbox` that records what would have been sent. A channel listed without a gateway sends nothing
and records each notice as failed with the reason, so an operator sees the gap instead of a
"sent" that reached nobody. Every attempt leaves a `Notification` row, so a clerk can see who was
told what and when."""

import json
import logging
import urllib.request
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger("shequ.notify")


@dataclass
class Message:
    """What to say (`subject`, `body`) and to whom: a user, or a bare phone / e-mail address."""

    template: str  # a stable code, e.g. "case.dispatched"; SMS/WeChat map it to a template id
    subject: str
    body: str
    params: dict = field(default_factory=dict)
    user: object = None
    phone: str = ""
    email: str = ""
    wechat_openid: str = ""
    scope_code: str = ""


MEMORY_GATEWAY = "memory://"  # the gateway setting that selects the recording outbox


class RecordingOutbox:
    """A transport that keeps the last `limit` payloads it was given (gateway `memory://`)."""

    def __init__(self, limit: int = 1000):
        self.sent: deque[tuple[str, dict]] = deque(maxlen=limit)

    def __call__(self, channel: str, payload: dict) -> None:
        self.sent.append((channel, payload))

    def clear(self) -> None:
        self.sent.clear()


outbox = RecordingOutbox()


class ChannelNotConfigured(Exception):
    """A channel is enabled but has no gateway to send through."""


def http_transport(url: str, timeout: float = 5.0):
    """POST the payload as JSON to a gateway; a non-2xx answer raises."""

    def post(channel: str, payload: dict) -> None:
        req = urllib.request.Request(  # noqa: S310  (the URL comes from the operator's settings)
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            if resp.status >= 300:
                raise OSError(f"{channel} gateway answered {resp.status}")

    return post


class Channel:
    name = ""

    def address(self, msg: Message) -> str:
        return ""

    def send(self, msg: Message) -> None:
        raise NotImplementedError


class ConsoleChannel(Channel):
    name = "console"

    def address(self, msg):
        return str(msg.user or msg.phone or msg.email or "")

    def send(self, msg):
        logger.info("[%s] %s → %s: %s", msg.template, msg.subject, self.address(msg), msg.body)


class EmailChannel(Channel):
    name = "email"

    def address(self, msg):
        return msg.email or (getattr(msg.user, "email", "") if msg.user else "")

    def send(self, msg):
        send_mail(msg.subject, msg.body, None, [self.address(msg)])


class TemplateChannel(Channel):
    """SMS and WeChat take a registered template and its parameters, not free text."""

    setting = ""
    label = ""

    def __init__(self, transport=None):
        url = getattr(settings, self.setting, "")
        if transport is None and url:
            transport = outbox if url == MEMORY_GATEWAY else http_transport(url)
        self.transport = transport

    def template_id(self, msg) -> str:
        ids = getattr(settings, "NOTIFY_TEMPLATE_IDS", {}) or {}
        return ids.get(msg.template, msg.template)

    def send(self, msg):
        if self.transport is None:
            raise ChannelNotConfigured(
                _("未配置%(channel)s网关（SHEQU_%(setting)s），通知未发出")
                % {"channel": self.label, "setting": self.setting}
            )
        self.transport(self.name, self.payload(msg))


class SmsChannel(TemplateChannel):
    name = "sms"
    label = gettext_lazy("短信")
    setting = "NOTIFY_SMS_GATEWAY"

    def address(self, msg):
        return msg.phone or (str(getattr(msg.user, "phone", "") or "") if msg.user else "")

    def payload(self, msg):
        return {
            "phone": self.address(msg),
            "template_id": self.template_id(msg),
            "params": {k: str(v) for k, v in msg.params.items()},
        }


class WeChatChannel(TemplateChannel):
    name = "wechat"
    label = gettext_lazy("微信")
    setting = "NOTIFY_WECHAT_GATEWAY"

    def address(self, msg):
        return msg.wechat_openid

    def payload(self, msg):
        return {
            "touser": self.address(msg),
            "template_id": self.template_id(msg),
            "data": {k: {"value": str(v)} for k, v in msg.params.items()},
        }


CHANNELS = {c.name: c for c in (ConsoleChannel, EmailChannel, SmsChannel, WeChatChannel)}


def channels() -> list[Channel]:
    names = [n.strip() for n in getattr(settings, "NOTIFY_CHANNELS", "console,email").split(",") if n.strip()]
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise ValueError(f"unknown notification channel(s) {unknown}; known: {sorted(CHANNELS)}")
    return [CHANNELS[n]() for n in names]


def send(msg: Message) -> list:
    """Deliver through every configured channel that has an address for the recipient; a failing
    channel is logged and recorded, never raised (a notice must not undo the act it reports)."""
    from shequ.core.models import Notification

    rows = []
    for ch in channels():
        address = ch.address(msg)
        if not address:
            continue
        status, error = Notification.SENT, ""
        try:
            ch.send(msg)
        except Exception as exc:  # noqa: BLE001  (any gateway failure is recorded, not raised)
            status, error = Notification.FAILED, str(exc)[:300]
            logger.warning("notification %s via %s failed: %s", msg.template, ch.name, exc)
        rows.append(
            Notification(
                channel=ch.name,
                template=msg.template,
                user=msg.user if getattr(msg.user, "pk", None) else None,
                address=address,
                subject=msg.subject[:200],
                body=msg.body,
                status=status,
                error=error,
                code=msg.scope_code,
                scope_code=msg.scope_code,  # bulk_create skips save(), which would compute it
            )
        )
    if rows:
        Notification.objects.bulk_create(rows)
    return rows


def describe_channels() -> str:
    return _("已启用的通知渠道：%(c)s") % {"c": ", ".join(c.name for c in channels())}
