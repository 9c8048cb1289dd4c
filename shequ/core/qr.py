"""QR codes people scan with their phone to sign in: a daily signed code naming one record (a room's
door, an activity's entrance), a signed link naming one record for as long as it stands (a meeting's
sign-in), and the picture of a link.

One mechanism for every module: the facilities' door code, the meetings' sign-in link and the teams'
activity check-in all come from here. A daily code is `<subject>.<yyyymmdd>.<key>` signed with the
module's salt: a photo of yesterday's code does not work today, and renewing the record's key voids
every code already printed. A record code (an activity pass a resident shows at the door) names its
records in plain sight, signed, so a staff scanner can tell whose it is before it is back online."""

import datetime as dt
import secrets

from django.core import signing
from django.utils import timezone

TOKEN_MAX = 200  # longer text is no code of ours: cut before the signature is checked


def new_key() -> str:
    """A fresh key for a record's codes (8 hex characters)."""
    return secrets.token_hex(4)


def daily_code(salt: str, subject, key: str = "", on: dt.date | None = None) -> str:
    """The code of `subject` (a record's id) for a day, today unless `on` is given."""
    on = on or timezone.localdate()
    return signing.Signer(salt=salt).sign(f"{subject}.{on:%Y%m%d}.{key}")


def read_daily_code(salt: str, token: str) -> tuple[str, str] | None:
    """(subject, key) of a genuine code of today; None for a forged, damaged or stale one (the
    caller checks the key against the record and says what to do)."""
    try:
        value = signing.Signer(salt=salt).unsign(str(token or "")[:TOKEN_MAX])
        subject, day, key = value.split(".")
    except (signing.BadSignature, ValueError):
        return None
    if day != f"{timezone.localdate():%Y%m%d}":
        return None
    return subject, key


def link_code(salt: str, subject) -> str:
    """A signed link naming a record for as long as it stands (no day in it)."""
    return signing.dumps({"m": subject}, salt=salt, compress=True)


def read_link_code(salt: str, token: str):
    """The subject of a genuine link code, else None."""
    try:
        return signing.loads(str(token or ""), salt=salt)["m"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def record_code(salt: str, *parts) -> str:
    """A signed code naming records in plain sight (`12.345:<signature>`): a scanner that is briefly
    offline can read whose code it is before the server checks the signature."""
    return signing.Signer(salt=salt).sign(".".join(str(p) for p in parts))


def read_record_code(salt: str, token: str, n: int) -> list[str] | None:
    """The `n` parts of a genuine record code, else None (forged, damaged, or of another kind)."""
    try:
        parts = signing.Signer(salt=salt).unsign(str(token or "").strip()[:TOKEN_MAX]).split(".")
    except signing.BadSignature:
        return None
    return parts if len(parts) == n else None


def qr_data_uri(url: str) -> str:
    """The QR picture of a link, as an SVG data URI for an <img> (no script, CSP-safe)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=8, border=2, dark="#212529")
