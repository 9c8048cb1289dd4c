"""The one QR sign-in mechanism: a daily code names its record and day (yesterday's and a forged one
are refused, a renewed key voids it); a standing link names its record."""

import datetime as dt

from django.utils import timezone

from shequ.core import qr


def test_daily_code_is_todays_and_genuine():
    code = qr.daily_code("test.salt", 42, "abcd1234")
    assert qr.read_daily_code("test.salt", code) == ("42", "abcd1234")
    assert qr.read_daily_code("other.salt", code) is None
    assert qr.read_daily_code("test.salt", code[:-1] + ("A" if code[-1] != "A" else "B")) is None
    yesterday = qr.daily_code("test.salt", 42, "abcd1234", timezone.localdate() - dt.timedelta(days=1))
    assert qr.read_daily_code("test.salt", yesterday) is None
    assert qr.read_daily_code("test.salt", "x" * 5000) is None
    assert len(qr.new_key()) == 8 and qr.new_key() != qr.new_key()


def test_link_code_and_picture():
    assert qr.read_link_code("s", qr.link_code("s", 7)) == 7
    assert qr.read_link_code("s", "forged") is None and qr.read_link_code("t", qr.link_code("s", 7)) is None
    assert qr.qr_data_uri("https://example.invalid/x").startswith("data:image/svg+xml")
