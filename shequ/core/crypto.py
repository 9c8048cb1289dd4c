"""Field encryption at rest (AES-256-GCM, random nonce, key-id prefix) and HMAC blind indexes.

Ciphertext format: "<kid>:<base64(nonce | ciphertext+tag)>". Keys come from SHEQU_FIELD_KEYS
("kid:base64,kid:base64", the first active, plus SHEQU_FIELD_INDEX_KEY) or from a key file
created on first run under SHEQU_DATA_DIR with mode 0600. The blind-index key is separate and
is not rotated with the data keys: rotating it would mean recomputing every index.
"""

import base64
import hmac
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

NONCE_BYTES = 12


@dataclass
class Keyring:
    keys: dict[str, bytes]
    active: str
    index_key: bytes
    source: str  # "env" or the key-file path

    def aead(self, kid: str) -> AESGCM:
        cache = self.__dict__.setdefault("_aead", {})
        if kid not in cache:
            try:
                cache[kid] = AESGCM(self.keys[kid])
            except KeyError:
                raise ImproperlyConfigured(f"field key {kid!r} is missing from the keyring") from None
        return cache[kid]


_lock = threading.Lock()
_keyring: Keyring | None = None
_checked_at = 0.0
_file_mtime = 0.0
RELOAD_CHECK_SECONDS = 5.0  # a rotation in another process is picked up within this time


class MissingKey(ImproperlyConfigured):
    """A ciphertext names a key this process does not have."""


def _b64d(value: str) -> bytes:
    raw = base64.b64decode(value)
    if len(raw) != 32:
        raise ImproperlyConfigured("field keys must be 32 bytes (base64 of 32 random bytes)")
    return raw


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _new_kid(n: int) -> str:
    # A random suffix: a key file recreated by mistake cannot pass for the lost one ("k1" again),
    # so old ciphertexts fail with "missing key" instead of a bare authentication error.
    return f"k{n}-{secrets.token_hex(2)}"


def _kid_number(kid: str) -> int:
    """k3-1a2b → 3 (older plain ids such as k3 also work)."""
    head = kid[1:].split("-", 1)[0]
    return int(head) if head.isdigit() else 0


def _write_key_file(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _load() -> Keyring:
    spec = settings.FIELD_KEYS
    if spec:
        keys: dict[str, bytes] = {}
        order = []
        for part in spec.split(","):
            kid, _, b64 = part.strip().partition(":")
            if not kid or not b64 or ":" in kid:
                raise ImproperlyConfigured("SHEQU_FIELD_KEYS must look like 'k2:<base64>,k1:<base64>'")
            keys[kid] = _b64d(b64)
            order.append(kid)
        index = os.environ.get("SHEQU_FIELD_INDEX_KEY")
        if not index:
            raise ImproperlyConfigured("SHEQU_FIELD_INDEX_KEY must be set together with SHEQU_FIELD_KEYS")
        return Keyring(keys, order[0], _b64d(index), "env")
    path = Path(settings.FIELD_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        kid = _new_kid(1)
        _write_key_file(path, {"active": kid, "keys": {kid: _new_key()}, "index_key": _new_key()})
        logging.getLogger("shequ.keys").warning("created a new field-key file %s; back it up", path)
    data = json.loads(path.read_text())
    return Keyring(
        {k: _b64d(v) for k, v in data["keys"].items()}, data["active"], _b64d(data["index_key"]), str(path)
    )


def _key_file_mtime() -> float:
    try:
        return os.stat(settings.FIELD_KEY_FILE).st_mtime
    except OSError:
        return 0.0


def keyring() -> Keyring:
    """The cached keyring; a key file changed by `shequ keys rotate` elsewhere is re-read."""
    global _keyring, _checked_at, _file_mtime
    now = time.monotonic()
    if _keyring is not None and _keyring.source != "env" and now - _checked_at > RELOAD_CHECK_SECONDS:
        _checked_at = now
        if _key_file_mtime() != _file_mtime:
            _keyring = None
    if _keyring is None:
        with _lock:
            if _keyring is None:
                _keyring = _load()
                _checked_at, _file_mtime = now, _key_file_mtime()
    return _keyring


def reset_keyring() -> None:
    """Forget the cached keyring (after a rotation, or in tests that swap keys)."""
    global _keyring
    _keyring = None


def add_key() -> str:
    """Create a new data key in the key file and make it active; returns its id."""
    ring = keyring()
    if ring.source == "env":
        raise ImproperlyConfigured(
            "keys come from SHEQU_FIELD_KEYS: prepend a new 'kid:base64' there, then run `shequ keys rotate --resume`"
        )
    path = Path(ring.source)
    data = json.loads(path.read_text())
    kid = _new_kid(1 + max(_kid_number(k) for k in data["keys"]))
    data["keys"][kid] = _new_key()
    data["active"] = kid
    _write_key_file(path, data)
    reset_keyring()
    return kid


def encrypt(plaintext: str) -> str:
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    ct = ring.aead(ring.active).encrypt(nonce, plaintext.encode(), ring.active.encode())
    return f"{ring.active}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(token: str) -> str:
    kid, sep, body = token.partition(":")
    if not sep:
        raise ValueError("not a shequ ciphertext")
    raw = base64.b64decode(body)
    ring = keyring()
    if kid not in ring.keys:
        reset_keyring()  # perhaps rotated by another process a moment ago
        ring = keyring()
        if kid not in ring.keys:
            raise MissingKey(
                f"字段密钥 {kid} 不在密钥环中（{ring.source}）：密钥文件丢失、被替换，或 SHEQU_DATA_DIR / "
                f"SHEQU_FIELD_KEYS 配置错误。请从备份恢复密钥文件。"
            )
    return ring.aead(kid).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    """A file at rest (an uploaded workbook): "<kid>:" + nonce + ciphertext."""
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = ring.aead(ring.active).encrypt(nonce, data, ring.active.encode())
    return b"".join((ring.active.encode(), b":", nonce, sealed))


def decrypt_bytes(blob) -> bytes:
    """The file back (blob: bytes or a memoryview, as the database driver gives it). The
    ciphertext is read through a view: a 30 MB workbook is not copied on the way."""
    view = memoryview(blob)
    sep = bytes(view[:64]).find(b":")
    if sep < 0:
        raise ValueError("not a shequ ciphertext")
    kid = bytes(view[:sep]).decode()
    ring = keyring()
    if kid not in ring.keys:
        reset_keyring()
        ring = keyring()
    start = sep + 1
    nonce = bytes(view[start : start + NONCE_BYTES])
    return ring.aead(kid).decrypt(nonce, view[start + NONCE_BYTES :], kid.encode())


def key_id(token: str) -> str | None:
    return token.partition(":")[0] if token else None


def blind_index(value: str, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value, namespaced by purpose so equal values in different
    fields do not share an index."""
    msg = f"{purpose}\x00{value}".encode()
    return hmac.digest(
        keyring().index_key, msg, "sha256"
    ).hex()  # one call, the same as hmac.new(...).hexdigest()


def normalize_default(value: str) -> str:
    return "".join(str(value).split()).upper()


class EncryptedTextField(models.TextField):
    """Stores ciphertext, hands Python code the plaintext. `mask` names the masking rule."""

    sensitive = True

    def __init__(self, *args, mask: str = "default", **kwargs):
        self.mask = mask
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))


class BlindIndexField(models.CharField):
    """HMAC of another field's normalised plaintext, kept in step on every save."""

    sensitive = True

    def __init__(self, *args, source: str = "", normalizer=None, **kwargs):
        self.source = source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for k in ("max_length", "blank", "default", "editable"):
            kwargs.pop(k, None)
        kwargs.pop("db_index", None)
        if not self.db_index:  # indexed by default; say so when not (e.g. a unique constraint serves)
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def purpose(self) -> str:
        return f"{self.model._meta.label_lower}.{self.source}"

    def compute(self, plaintext: str) -> str:
        if not plaintext:
            return ""
        norm = (self.normalizer or normalize_default)(plaintext)
        return blind_index(norm, self.purpose())

    def pre_save(self, model_instance, add):
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def lookup(model, source: str, plaintext: str) -> dict:
    """Filter kwargs that find rows whose encrypted `source` equals plaintext, via its index."""
    for f in model._meta.concrete_fields:
        if isinstance(f, BlindIndexField) and f.source == source:
            return {f.attname: f.compute(plaintext)}
    raise LookupError(f"{model.__name__}.{source} has no blind index")
