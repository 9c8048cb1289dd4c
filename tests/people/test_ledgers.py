"""Real community ledgers import as they are kept: the same 60 people written four ways (the
template, an office .xlsx, an .xls with a two-row header, a GBK CSV with one address column; see
tests/people/ledgers.py) become the same 60 residents, with the same three rows refused for the
same reasons, through the command line end to end.

What the summary reports beyond the counts (the keys `skipped_rows` and `translated`) is checked
in the two `assert_*_reported` helpers, in one place each."""

import contextlib
import json
import re

import pytest

from shequ.cli import main
from shequ.org.models import Building, BuildingUnit, House
from shequ.people.importer import ResidentImporter
from shequ.people.models import Resident
from tests.people import ledgers
from tests.people.ledgers import (
    FAULT_BIRTH_DATE,
    FAULT_CHECK_CHAR,
    FAULT_DUPLICATE,
    FAULT_ID_AS_NUMBER,
    LAYOUTS,
)

CODE = "420115001001"  # 宁安, community a of the test world
USER = "t_worker_a"  # a community worker of 宁安


# --- running the command ------------------------------------------------------------------------
def run_import(tmp_path, capsys, filename: str, data: bytes, *, commit: bool = True) -> dict:
    """`shequ residents import FILE --community 宁安 [--commit] --user …`, its JSON summary."""
    path = tmp_path / filename
    path.write_bytes(data)
    argv = ["residents", "import", str(path), "--community", CODE, "--user", USER]
    with contextlib.suppress(SystemExit):  # a failure prints its summary, then exits 1
        main([*argv, "--commit"] if commit else argv)
    out = json.loads(capsys.readouterr().out)
    assert "error" not in out, f"the import of {filename} failed: {out['error']}"
    return out


@pytest.fixture
def registry(world):
    """The houses of 幸福家园 in 宁安's house registry (as a community has them before its ledger
    is imported); returns the number of houses."""
    units = {}
    for p in ledgers.people():
        key = (p.building, p.unit)
        if key not in units:
            b, _ = Building.objects.get_or_create(grid=world.grid_a, compound=p.compound, number=p.building)
            units[key] = BuildingUnit.objects.create(building=b, number=p.unit)
        House.objects.get_or_create(unit=units[key], number=p.house)
    return House.objects.count()


# --- what the registry holds --------------------------------------------------------------------
def residents_of_community() -> dict[str, dict]:
    """ID number (decrypted) → the fields an import writes, with the house's address."""
    out = {}
    for r in Resident.objects.filter(community__code=CODE).select_related(
        "house__unit__building", "household"
    ):
        out[r.doc_number] = {
            "name": r.name,
            "gender": r.gender,
            "birth_date": r.birth_date,
            "ethnicity": r.ethnicity,
            "education": r.education,
            "political_status": r.political_status,
            "marital_status": r.marital_status,
            "phone": r.phone,
            "residence_type": r.residence_type,
            "relationship": r.relationship,
            "address": (
                r.house.unit.building.compound,
                r.house.unit.building.number,
                r.house.unit.number,
                r.house.number,
            ),  # fmt: skip
            "head_of_household": bool(r.household and r.household.head_id == r.pk),
        }
    return out


def expected_residents() -> dict[str, dict]:
    """The 60 people as the registry should hold them (stored values of the template's labels)."""
    lookups = {c.key: c.lookup() for c in ResidentImporter.columns if c.kind == "choice"}
    out = {}
    for p in ledgers.people():
        out[p.id_number] = {
            "name": p.name,
            "gender": lookups["gender"][p.gender],
            "birth_date": p.birth_date,
            **{k: lookups[k][getattr(p, k)] for k in ("ethnicity", "education", "political_status",
                                                      "marital_status", "residence_type", "relationship")},
            "phone": p.phone,
            "address": p.address,
            "head_of_household": p.relationship == "户主",
        }  # fmt: skip
    return out


def refusals(out) -> dict[str, list[str]]:
    """Refused rows by the person's name, their reasons without line numbers ("与第 6 行重复" in
    one layout is "与第 9 行重复" in another)."""
    return {
        r["name"]: [re.sub(r"第\s*\d+\s*行", "第 N 行", m) for m in r["reasons"]] for r in out["rejected"]
    }


def planted_refusals(entries) -> dict[str, str]:
    """The person of each planted fault → a phrase their refusal must contain."""
    phrase = {
        FAULT_CHECK_CHAR: "校验位",
        FAULT_BIRTH_DATE: "出生日期与身份证号码不符",
        FAULT_DUPLICATE: "重复",
        FAULT_ID_AS_NUMBER: "文本",  # Excel made the number a float: set the column as text
    }
    return {e.person.name: phrase[e.fault] for e in ledgers.faulty(entries)}


# --- the summary's reports: keys and shapes in one place each -----------------------------------
LEDGER_HEADERS = {"文化程度": {"学历"}, "居住类型": {"人口类型"}}  # the ledgers' names for template columns


def assert_skipped_reported(out, lines: list[int]) -> None:
    """Rows that are not people (the 合计 line, the signatures' footer) are listed under
    `skipped_rows` as {"sheet", "row", "reason"}, by the line a clerk sees."""
    reported = {r["row"]: r for r in out.get("skipped_rows", [])}
    for line in lines:
        assert line in reported, f"line {line} is not among the skipped rows {sorted(reported)}"
        assert "sheet" in reported[line] and reported[line]["reason"]


def assert_translations_reported(out, expected: list[dict]) -> None:
    """Values read as another label are listed under `translated` as {"column", "from", "to",
    "rows"}; the column may be named as the template or as the ledger names it."""
    reported = out.get("translated", [])
    for want in expected:
        names = {want["column"], *LEDGER_HEADERS.get(want["column"], ())}
        hits = [t for t in reported if t["from"] == want["from"] and t["to"] == want["to"]]
        assert len(hits) == 1 and hits[0]["column"] in names, f"{want} not reported once in {reported}"
        assert hits[0]["rows"] == want["rows"], f"{want} reported as {hits[0]}"


# --- the four layouts ---------------------------------------------------------------------------
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_imports_the_same_residents_and_refuses_the_same_rows(
    layout, registry, tmp_path, capsys
):
    entries = ledgers.planted_faults()
    filename, data = LAYOUTS[layout](entries)
    out = run_import(tmp_path, capsys, filename, data)

    assert out["committed"] is True
    totals = out["totals"]
    assert (totals["new"], totals["updated"], totals["unchanged"]) == (60, 0, 0), (
        totals,
        out["rejected"][:5],
    )
    assert (totals["rejected"], totals["conflict"]) == (3, 0), out["rejected"]
    assert residents_of_community() == expected_residents()
    assert House.objects.count() == registry  # every address found in the registry, none made up

    refused = refusals(out)
    want = planted_refusals(entries)
    assert set(refused) == set(want)
    for name, phrase in want.items():
        assert any(phrase in m for m in refused[name]), (name, refused[name])

    # The template of the same people, checked against what this layout wrote: nothing to
    # change, and the same rows refused for the same reasons.
    template_name, template_data = ledgers.template_xlsx(entries)
    again = run_import(tmp_path, capsys, template_name, template_data, commit=False)
    assert (again["totals"]["unchanged"], again["totals"]["new"], again["totals"]["updated"]) == (60, 0, 0)
    assert refusals(again) == refused

    if layout == "template_xlsx":
        assert out.get("skipped_rows", []) == [] and out.get("translated", []) == []
    else:
        assert not Resident.objects.filter(name__in=["60人", "合计"]).exists()
        lines = [ledgers.line_of(filename, data, "合计"), ledgers.line_of(filename, data, "填表人")]
        assert_skipped_reported(out, lines)
        expected = ledgers.translations(entries)
        cells = [c for r in ledgers.file_lines(filename, data) for c in r]
        assert all(cells.count(t["from"]) == t["rows"] for t in expected)  # counted in the file itself
        assert_translations_reported(out, expected)


def test_a_gb18030_csv_and_the_same_csv_in_utf8_give_the_same_residents(registry, tmp_path, capsys):
    entries = ledgers.planted_faults()
    filename, gbk = ledgers.gbk_csv(entries, encoding="gb18030")
    _same, utf8 = ledgers.gbk_csv(entries, encoding="utf-8-sig")
    assert gbk != utf8 and utf8.startswith(b"\xef\xbb\xbf")

    first = run_import(tmp_path, capsys, filename, gbk)
    assert first["totals"]["new"] == 60
    registry_after_gbk = residents_of_community()
    second = run_import(tmp_path, capsys, filename, utf8)
    totals = second["totals"]
    assert (totals["unchanged"], totals["new"], totals["updated"], totals["rejected"]) == (60, 0, 0, 3)
    assert refusals(second) == refusals(first)
    assert residents_of_community() == registry_after_gbk == expected_residents()


@pytest.mark.parametrize("layout", ["template_xlsx", "office_xlsx", "office_xls"])
def test_an_id_number_stored_as_a_number_is_refused_with_a_request_for_text(
    layout, registry, tmp_path, capsys
):
    entries = ledgers.id_stored_as_number()
    filename, data = LAYOUTS[layout](entries)
    out = run_import(tmp_path, capsys, filename, data)

    assert (out["totals"]["new"], out["totals"]["rejected"]) == (59, 1)
    (victim,) = ledgers.faulty(entries)
    refused = refusals(out)
    assert list(refused) == [victim.person.name]
    assert any("文本" in m for m in refused[victim.person.name]), refused
    assert victim.person.id_number not in residents_of_community()
