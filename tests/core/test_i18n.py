"""The English catalog is complete and actually used by the pages."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

import shequ

EN_DIR = Path(shequ.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _read_po(path: Path) -> list[dict]:
    """A tiny .po reader: one dict per entry with flags, msgid, msgid_plural and msgstr (a list)."""
    entries, cur, key = [], None, None

    def flush():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#~"):  # blank line ends an entry; obsolete entries are skipped
            if not line:
                flush()
                cur, key = None, None
            continue
        if cur is None:
            cur = {"flags": set(), "msgstr": []}
        if line.startswith("#,"):
            cur["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if key == "msgstr":
                cur["msgstr"][-1] += text
            else:
                cur[key] += text
        else:
            key, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if key.startswith("msgstr"):
                cur["msgstr"].append(text)
                key = "msgstr"
            else:
                cur[key] = text
    return entries


def test_english_catalog_is_complete():
    entries = _read_po(EN_DIR / "django.po")
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert len(messages) > 100
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in messages if not all(s.strip() for s in e["msgstr"])]
    assert not fuzzy, fuzzy
    assert not untranslated, untranslated
    for e in messages:
        expected = set(PLACEHOLDER.findall(e["msgid"]))
        for s in e["msgstr"]:
            assert set(PLACEHOLDER.findall(s)) == expected, (e["msgid"], s)
        if "msgid_plural" in e:
            assert len(e["msgstr"]) == 2, e["msgid"]


def test_compiled_catalog_matches_po():
    """django.mo is committed; it must be recompiled whenever django.po changes."""
    with (EN_DIR / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in _read_po(EN_DIR / "django.po")[1:]:
        if "msgid_plural" in e:
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0], e["msgid"]
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr"][1], e["msgid"]
        elif "msgctxt" in e:
            assert compiled.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"][0], e["msgid"]
        else:
            assert compiled.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]


def _login_page(language: str) -> str:
    client = Client()
    client.cookies["django_language"] = language
    response = client.get("/login/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_login_page_in_english():
    html = _login_page("en")
    assert "Username" in html
    assert "Sign in" in html
    assert "用户名" not in html


@pytest.mark.django_db
def test_login_page_in_chinese():
    html = _login_page("zh-hans")
    assert "用户名" in html
    assert "登录" in html


@pytest.mark.django_db
def test_browser_language_does_not_switch_the_interface():
    """An en-US Accept-Language still gets Chinese; only the language menu's cookie switches."""
    body = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in body and "Username" not in body
