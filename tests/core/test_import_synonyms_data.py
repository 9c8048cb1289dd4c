"""The shipped header and value synonyms of each importer name real columns and real choices, and
none of them is ambiguous: a wrong synonym would silently put a cell in the wrong column or turn a
value into another one."""

import json
import unicodedata
from importlib import resources

import pytest
from django.utils import translation

from shequ.cases.importer import HotlineImporter
from shequ.duties import importer as duties_importer
from shequ.people.importer import ResidentImporter

IMPORTERS = {
    "shequ.people": (ResidentImporter.columns, {"address"}),  # one address cell, split into four
    "shequ.cases": (HotlineImporter.columns, set()),
    "shequ.duties": (duties_importer.COLUMNS, set()),
}


def _no_duplicate_keys(pairs):
    keys = [k for k, _v in pairs]
    repeated = {k for k in keys if keys.count(k) > 1}
    assert not repeated, f"repeated keys: {repeated}"
    return dict(pairs)


def _load(package: str) -> dict:
    text = (resources.files(package) / "data" / "import_synonyms.json").read_text(encoding="utf-8")
    return json.loads(text, object_pairs_hook=_no_duplicate_keys)


def _norm(text) -> str:
    """How a header or cell is compared: full-width folded, spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def _labels(column) -> dict[str, str]:
    with translation.override("zh-hans"):
        return {
            str(label): value
            for value, label in zip(column.choices.values, column.choices.labels, strict=True)
        }


@pytest.fixture(params=sorted(IMPORTERS), ids=lambda p: p.split(".")[1])
def shipped(request):
    columns, extra_keys = IMPORTERS[request.param]
    return _load(request.param), {c.key: c for c in columns}, extra_keys


def test_file_has_headers_and_values(shipped):
    data, _columns, _extra = shipped
    assert set(data) == {"headers", "values"}
    assert data["headers"], "no header synonyms"
    for key, words in data["headers"].items():
        assert isinstance(words, list) and words, key
        assert all(isinstance(w, str) and w.strip() == w and w for w in words), key
        assert len({_norm(w) for w in words}) == len(words), f"{key} lists a synonym twice"
    for key, table in data["values"].items():
        assert isinstance(table, dict) and table, key
        assert all(isinstance(w, str) and w.strip() == w and w for w in table), key


def test_header_keys_are_columns(shipped):
    data, columns, extra = shipped
    unknown = set(data["headers"]) - set(columns) - extra
    assert not unknown


def test_no_header_synonym_serves_two_columns(shipped):
    data, _columns, _extra = shipped
    owner = {}
    for key, words in data["headers"].items():
        for word in words:
            other = owner.setdefault(_norm(word), key)
            assert other == key, f"“{word}” is listed for both {other} and {key}"


def test_no_header_synonym_is_another_columns_header(shipped):
    """A synonym equal to a header or alias another column already answers to would take it over."""
    data, columns, _extra = shipped
    with translation.override("zh-hans"):
        taken = {_norm(name): c.key for c in columns.values() for name in (c.header, *c.aliases)}
    for key, words in data["headers"].items():
        for word in words:
            owner = taken.get(_norm(word), key)
            assert owner == key, f"“{word}” for {key} is already the header of {owner}"


def test_value_targets_are_exact_labels(shipped):
    data, columns, _extra = shipped
    for key, table in data["values"].items():
        assert key in columns, key
        assert columns[key].choices is not None, f"{key} has no choices"
        labels = _labels(columns[key])
        wrong = {word: target for word, target in table.items() if target not in labels}
        assert not wrong, f"{key}: not a label of its choices: {wrong}"


def test_no_value_synonym_is_already_a_choice(shipped):
    """A synonym that is itself a label or stored value is at best redundant and at worst maps a
    real choice onto another one."""
    data, columns, _extra = shipped
    for key, table in data["values"].items():
        labels = _labels(columns[key])
        taken = {_norm(label) for label in labels} | {_norm(v) for v in labels.values()}
        clashes = [word for word in table if _norm(word) in taken]
        assert not clashes, f"{key}: {clashes}"
        assert len({_norm(w) for w in table}) == len(table), f"{key} lists a value twice"


def test_people_values_cover_the_enumerations_clerks_abbreviate():
    values = _load("shequ.people")["values"]
    assert values["education"]["大专"] == "大学专科"
    assert values["education"]["职高"] == "中等职业教育"
    assert values["education"]["高职"] == "大学专科"  # 高等职业教育 is tertiary, unlike 职高
    assert values["relationship"]["本人"] == "户主"
    assert values["relationship"]["女儿"] == "女"
    assert values["political_status"]["党员"] == "中共党员"
    assert values["employment"]["退休"] == "离退休"
    with translation.override("zh-hans"):
        groups = [str(label) for label in _column("ethnicity").choices.labels if str(label).endswith("族")]
    assert len(groups) == 56
    assert all(values["ethnicity"][g[:-1]] == g for g in groups), "every group by its short name"


def test_duties_value_synonyms_read_the_short_names_of_the_published_lists():
    """The duty-list columns know only their labels: the short names the published documents use
    are these synonyms (so the preview counts every one it translated)."""
    values = _load("shequ.duties")["values"]
    assert values["kind"]["负面"] == "负面清单事项"
    assert values["kind"]["协助"] == "协助政府工作事项"
    assert values["kind"]["依法履职"] == "依法履行职责事项"
    assert values["kind"]["证明"] == "证明事项"
    assert values["set_by"] == {"区": "区级", "街": "街道", "街道级": "街道"}


def _column(key):
    return next(c for c in ResidentImporter.columns if c.key == key)
