"""One address column split into 小区 / 楼栋 / 单元 / 房号, and the lines it refuses."""

import pytest
from django.utils import translation

from shequ.core.addresses import RULES, AddressError, AddressParts, compound_key, split_address


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("幸福家园3栋2单元1202", ("幸福家园", "3栋", "2单元", "1202")),
        ("幸福家园小区3栋2单元1202室", ("幸福家园小区", "3栋", "2单元", "1202")),
        ("幸福家园小区3-2-1202", ("幸福家园小区", "3栋", "2单元", "1202")),
        ("幸福家园3－2－1202", ("幸福家园", "3栋", "2单元", "1202")),  # full-width dashes
        ("幸福家园3—2—1202", ("幸福家园", "3栋", "2单元", "1202")),  # em dashes
        ("幸福家园3-2-1202室", ("幸福家园", "3栋", "2单元", "1202")),
        ("3栋2单元1202室", ("", "3栋", "2单元", "1202")),
        ("3号楼2单元1202", ("", "3栋", "2单元", "1202")),
        ("3幢2单元1202", ("", "3栋", "2单元", "1202")),
        ("3栋二单元1202", ("", "3栋", "2单元", "1202")),
        ("幸福家园十二栋三单元1202", ("幸福家园", "12栋", "3单元", "1202")),
        ("幸福家园第3栋第2单元1202", ("幸福家园", "3栋", "2单元", "1202")),
        ("幸福家园3栋1202", ("幸福家园", "3栋", "", "1202")),
        ("幸福家园3-1202", ("幸福家园", "3栋", "", "1202")),
        ("幸福家园3栋-2-1202", ("幸福家园", "3栋", "2单元", "1202")),
        ("幸福家园3#2单元1202", ("幸福家园", "3栋", "2单元", "1202")),
        ("3号楼2门101", ("", "3栋", "2单元", "101")),
        ("幸福家园03栋02单元0301", ("幸福家园", "3栋", "2单元", "0301")),  # the room is kept as written
        ("３栋２单元１２０２", ("", "3栋", "2单元", "1202")),  # full-width digits
        ("幸福家园\u00a03栋 2单元\u30001202", ("幸福家园", "3栋", "2单元", "1202")),  # nbsp, full-width space
        (" 幸福 家园3栋2单元\u200b1202 ", ("幸福家园", "3栋", "2单元", "1202")),  # stray and zero-width
        ("幸福家园A座a101", ("幸福家园", "A栋", "", "A101")),
        ("幸福家园Ａ座１２０２", ("幸福家园", "A栋", "", "1202")),
        ("SOHO3栋1202", ("SOHO", "3栋", "", "1202")),
        ("宁安小区8栋1单元301号", ("宁安小区", "8栋", "1单元", "301")),
        ("幸福家园二期3栋2单元1202", ("幸福家园二期", "3栋", "2单元", "1202")),
        ("幸福家园2期3-2-1202", ("幸福家园2期", "3栋", "2单元", "1202")),
        ("文化路12号幸福家园3栋2单元1202", ("文化路12号幸福家园", "3栋", "2单元", "1202")),
        ("幸福家园，3栋2单元1202。", ("幸福家园", "3栋", "2单元", "1202")),
    ],
)
def test_split(line, expected):
    assert split_address(line) == AddressParts(*expected)


@pytest.mark.parametrize(
    ("line", "compound"),
    [
        ("湖北省武汉市江夏区纸坊街道宁安社区幸福家园3栋2单元1202", "幸福家园"),
        ("武汉市江夏区纸坊街道幸福家园3栋2单元1202", "幸福家园"),
        ("江夏区幸福家园3栋1202", "幸福家园"),
        ("纸坊街道宁安社区居委会幸福家园3-2-1202", "幸福家园"),
        ("宁安社区幸福家园小区3栋2单元1202", "幸福家园小区"),
        ("东湖新技术开发区关山街道幸福家园3栋2单元1202", "幸福家园"),
        ("湖北省嘉鱼县幸福家园3栋1202", "幸福家园"),
        ("江夏区五里界镇幸福家园3栋1202", "幸福家园"),
        ("北京市朝阳区幸福家园3栋1202", "幸福家园"),
        # the last segment is never taken off: it is all the line says about the compound
        ("湖北省武汉市江夏区纸坊街道宁安社区3栋2单元1202", "宁安社区"),
        ("江夏区纸坊街道3栋1202", "纸坊街道"),
    ],
)
def test_administrative_prefix_is_taken_off(line, compound):
    assert split_address(line).compound == compound


@pytest.mark.parametrize(
    "compound",
    ["城市花园", "新城市花园", "都市阳光", "幸福家园小区", "光谷小镇", "江南水乡", "县委大院", "镇江花园"],
)
def test_compound_names_that_look_like_divisions_are_kept(compound):
    assert split_address(f"{compound}3栋2单元1202").compound == compound
    assert split_address(f"江夏区{compound}3栋2单元1202").compound == compound


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("", "地址为空"),
        ("   ", "地址为空"),
        (None, "地址为空"),
        ("幸福家园", "“幸福家园”中没有找到楼栋号"),
        ("江夏区纸坊街", "没有找到楼栋号"),
        ("幸福家园1202", "没有找到楼栋号"),
        ("幸福家园2单元1202", "没有找到楼栋号"),
        ("3栋", "“3栋”之后没有房号"),
        ("幸福家园3栋2单元", "“3栋”之后没有房号"),
        ("宁安小区8栋二单元室", "“8栋”之后没有房号"),
        ("幸福家园3栋2单元12楼1202", "“2单元12楼1202”无法识别为单元和房号"),
        ("幸福家园3栋13807150000", "无法识别为单元和房号"),  # a phone number is no room
        ("幸福家园3栋2单元1202（出租）", "无法识别为单元和房号"),
    ],
)
def test_refused_with_reason(line, reason):
    with pytest.raises(AddressError) as caught:
        split_address(line)
    message = str(caught.value)
    assert reason in message
    assert "请" in message  # and what to write instead


def test_refusal_shows_how_to_write_it():
    with pytest.raises(AddressError, match="请写成“小区名\\+3栋2单元1202”或“小区名3-2-1202”"):
        split_address("幸福家园")


def test_refusal_is_a_value_error():
    with pytest.raises(ValueError):
        split_address("幸福家园")


def test_long_line_is_shortened_in_the_reason():
    line = "幸福家园" * 20
    with pytest.raises(AddressError) as caught:
        split_address(line)
    assert line not in str(caught.value)
    assert line[:40] + "…" in str(caught.value)


@pytest.mark.parametrize(("rule", "example", "result"), RULES)
def test_rules_shown_in_the_preview_hold(rule, example, result):
    assert str(rule)
    assert split_address(example).label() == result


def test_label_marks_missing_parts():
    assert AddressParts("", "3栋", "", "1202").label() == "— / 3栋 / — / 1202"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("幸福家园小区", "幸福家园"),
        ("幸福家园 小区", "幸福家园"),
        ("幸福家园住宅小区", "幸福家园"),
        ("宁安社区", "宁安"),
        ("ＳＯＨＯ现代城", "soho现代城"),
        ("\u3000幸福家园\u00a0", "幸福家园"),
    ],
)
def test_compound_key_matches_loosely(a, b):
    assert compound_key(a) == compound_key(b)


@pytest.mark.parametrize(("a", "b"), [("幸福家园", "幸福家园二期"), ("幸福家园", "幸福花园"), ("小区", "")])
def test_compound_key_keeps_different_names_apart(a, b):
    assert compound_key(a) != compound_key(b)


def test_compound_key_of_a_bare_suffix_is_itself():
    assert compound_key("小区") == "小区"
    assert compound_key("") == ""
