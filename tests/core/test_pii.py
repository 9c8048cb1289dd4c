import datetime as dt
import json
import os
import stat

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from shequ.core import crypto, keys
from shequ.core.masking import mask, mask_id_number, mask_phone
from shequ.core.validators import id_check_char, parse_id_number, validate_mobile, validate_uscc
from shequ.org.models import Assignment, Post


def valid_id(prefix="420115", birth="19800101", seq="123"):
    first17 = prefix + birth + seq
    return first17 + id_check_char(first17)


def test_key_file_created_with_mode_0600(settings):
    crypto.encrypt("x")
    mode = stat.S_IMODE(os.stat(settings.FIELD_KEY_FILE).st_mode)
    assert mode == 0o600
    data = json.loads(settings.FIELD_KEY_FILE.read_text())
    assert data["active"].startswith("k1") and "index_key" in data


def test_ciphertext_has_key_id_and_random_nonce():
    a, b = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    k1 = crypto.keyring().active
    assert a.startswith(f"{k1}:") and b.startswith(f"{k1}:")
    assert a != b
    assert crypto.decrypt(a) == crypto.decrypt(b) == "13812345678"


def test_tampered_ciphertext_is_rejected():
    token = crypto.encrypt("secret")
    kid, body = token.split(":")
    import base64

    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(Exception):  # noqa: B017 - InvalidTag from cryptography
        crypto.decrypt(f"{kid}:{base64.b64encode(bytes(raw)).decode()}")


def test_keys_from_environment(settings, monkeypatch):
    import base64
    import secrets

    k = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.FIELD_KEYS = f"env1:{k}"
    monkeypatch.setenv("SHEQU_FIELD_INDEX_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    crypto.reset_keyring()
    assert crypto.encrypt("x").startswith("env1:")


@pytest.mark.django_db
def test_encrypted_at_rest_and_found_by_blind_index(world):
    a = Assignment.objects.create(
        grid=world.grid_a, post=Post.FULL_TIME, person_name="张三", phone="13812345678"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT phone, phone_index FROM org_assignment WHERE id = %s", [a.pk])
        raw, index = cur.fetchone()
    assert "13812345678" not in raw and raw.startswith(f"{crypto.keyring().active}:")
    assert len(index) == 64
    assert Assignment.objects.get(**crypto.lookup(Assignment, "phone", " 138 1234 5678 ")).pk == a.pk


@pytest.mark.django_db
def test_rotation_reencrypts_and_resumes(world):
    k1 = crypto.keyring().active
    for i in range(7):
        Assignment.objects.create(
            grid=world.grid_a, post=Post.PART_TIME, person_name=f"人{i}", phone=f"1391234567{i}"
        )
    seen = []

    def interrupt_after_first_batch(msg):
        if "已重新加密" in msg:
            seen.append(msg)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        keys.rotate(new_key=True, batch_size=3, echo=interrupt_after_first_batch)
    k2 = crypto.keyring().active
    assert k2 != k1 and k2.startswith("k2")
    counts = keys.status()["models"]["org.Assignment"]
    assert counts == {k1: 4, k2: 3}  # first batch committed before the interruption
    result = keys.rotate(new_key=False, batch_size=3, echo=lambda m: None)
    assert result["active"] == k2
    assert keys.status()["models"]["org.Assignment"] == {k2: 7}
    assert sorted(a.phone for a in Assignment.objects.all())[0] == "13912345670"
    # The blind index survives rotation: it uses its own key.
    assert Assignment.objects.filter(**crypto.lookup(Assignment, "phone", "13912345673")).count() == 1


def test_masks():
    assert mask_id_number("42011519800101123X") == "420115********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask("027-87654321", "phone") == "027*****4321"
    assert mask("", "phone") == ""


def test_id_number_accepts_valid_and_reports_birth_and_gender():
    info = parse_id_number(valid_id(seq="123"))
    assert info.birth_date == dt.date(1980, 1, 1)
    assert info.gender == "male"  # 17th digit 3 is odd
    assert parse_id_number(valid_id(seq="124")).gender == "female"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("4201151980010112", "id_length"),
        ("42011519800101123A", "id_format"),
        (valid_id(birth="19800231")[:17] + "0", "id_birth"),
        (valid_id()[:17] + ("0" if valid_id()[17] != "0" else "1"), "id_checksum"),
    ],
)
def test_id_number_errors_are_explained(value, code):
    with pytest.raises(ValidationError) as exc:
        parse_id_number(value)
    assert exc.value.code == code
    assert "身份证" in exc.value.messages[0]


def test_id_number_unknown_region_is_a_warning_not_an_error():
    info = parse_id_number(valid_id(prefix="990101"))
    assert info.warnings and "990101" in info.warnings[0]


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_roundtrip(first17):
    v = first17 + id_check_char(first17)
    try:
        parse_id_number(v)
    except ValidationError as exc:
        assert exc.code == "id_birth"  # random digits rarely form a real date; never a checksum error


def test_mobile():
    validate_mobile("13812345678")
    validate_mobile("+86 138 1234 5678")
    with pytest.raises(ValidationError):
        validate_mobile("12812345678")


def test_uscc_check_character():
    from stdnum.cn import uscc

    body = "91420115MA4K12345"
    good = body + uscc.calc_check_digit(body)
    validate_uscc(good)
    bad = body + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        validate_uscc(bad)
    assert exc.value.code == "uscc_checksum"
    assert good[-1] in exc.value.messages[0]


def test_a_rotation_by_another_process_is_picked_up(settings):
    old = crypto.encrypt("甲")
    # Another process adds a key to the file and encrypts under it.
    data = json.loads(settings.FIELD_KEY_FILE.read_text())
    import base64
    import secrets

    data["keys"]["k9beef"] = base64.b64encode(secrets.token_bytes(32)).decode()
    data["active"] = "k9beef"
    settings.FIELD_KEY_FILE.write_text(json.dumps(data))
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    ct = AESGCM(base64.b64decode(data["keys"]["k9beef"])).encrypt(nonce, "乙".encode(), b"k9beef")
    foreign = "k9beef:" + base64.b64encode(nonce + ct).decode()
    assert crypto.decrypt(foreign) == "乙"  # unknown key id → the file is re-read once
    assert crypto.decrypt(old) == "甲"
    assert crypto.encrypt("丙").startswith("k9beef:")


def test_lost_key_file_gives_a_clear_error(settings):
    token = crypto.encrypt("甲")
    settings.FIELD_KEY_FILE.unlink()
    crypto.reset_keyring()
    with pytest.raises(crypto.MissingKey) as exc:
        crypto.decrypt(token)
    assert "密钥文件丢失" in str(exc.value)


def test_subtree_ranges_carry_and_never_use_punctuation():
    from shequ.core.scope import subtree_q

    assert dict(subtree_q("c", "420115001019").children) == {
        "c__gte": "420115001019",
        "c__lt": "420115001020",
    }
    assert dict(subtree_q("c", "4201150019").children)["c__lt"] == "4201150020"
    assert dict(subtree_q("c", "99").children) == {"c__gte": "99"}
