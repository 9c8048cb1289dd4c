"""One address cell split into 小区 / 楼栋 / 单元 / 房号, as community ledgers write it.

Ledgers keep a resident's home in one column ("幸福家园3栋2单元1202", "幸福家园小区3-2-1202",
sometimes behind a 省市区街道社区 prefix copied from another system); the house registry keeps it in
four. The split is two anchored patterns over the normalised text, not a guess: a line neither fits
is refused with what is missing, never cut somewhere merely plausible."""

import re
import string
import unicodedata
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l


class AddressParts(NamedTuple):
    compound: str  # 小区 as written ("" when the line has none)
    building: str  # "3栋"
    unit: str  # "2单元", or "" when the line has none
    house: str  # "1202"

    def label(self) -> str:
        """The four parts as the import preview shows them: "幸福家园 / 3栋 / 2单元 / 1202"."""
        return " / ".join(part or "—" for part in self)


class AddressError(ValueError):
    """A line that cannot be split; the message says what is missing and how to write it."""


# Dashes people type between building, unit and room (NFKC already turns "－" into "-").
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣", "-"))
_INVISIBLE = str.maketrans(dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff"))
_EDGE_PUNCTUATION = "-,，、.。;；:："

_CN = "[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九]"  # 一 … 九十九
_CN_DIGIT = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_BUILDING = rf"(?P<building>\d{{1,4}}[A-Za-z]?|[A-Za-z]|{_CN})"
_HOUSE = r"(?P<house>[A-Za-z]?\d{1,5}[A-Za-z]?)(?:室|号|房)?"
_BUILDING_MARK = "(?:号楼|号栋|号幢|栋|幢|座|#楼?)"
# 幸福家园3栋2单元1202室 · 3号楼2单元1202 · 3幢二单元1202 · 幸福家园3栋1202 · 3栋2-1202
_MARKED = re.compile(
    rf"^(?P<compound>.*?)第?{_BUILDING}{_BUILDING_MARK}-?"
    rf"(?:第?(?P<unit>\d{{1,3}}|{_CN})(?:单元|门)-?|(?P<bare_unit>\d{{1,3}})-)?"
    rf"{_HOUSE}$"
)
# 幸福家园3-2-1202 · 幸福家园3-1202
_DASHED = re.compile(
    rf"^(?P<compound>.*?)(?P<building>\d{{1,4}}[A-Za-z]?|[A-Za-z])-(?:(?P<unit>\d{{1,3}})-)?{_HOUSE}$"
)
_ANY_BUILDING = re.compile(rf"第?(?:\d{{1,4}}[A-Za-z]?|[A-Za-z]|{_CN}){_BUILDING_MARK}")
_UNIT_AT_START = re.compile(rf"^-?第?(?:\d{{1,3}}|{_CN})(?:单元|门)")

# The administrative chain some systems put before the compound, outermost first. Each level is
# taken off only when something is left after it, so a compound is never stripped to nothing; a
# city only counts before a district or street, and a 镇 only right after a district (not "小镇"):
# "城市花园", "光谷小镇" and "江南水乡" are compound names far more often than divisions.
_HAN = "[\u4e00-\u9fff]"
_DISTRICT = rf"{_HAN}{{2,8}}?(?<![小社园校景厂])(?:区|县|旗)"
_STREET = rf"{_HAN}{{2,8}}?(?:街道办事处|街道办|街道)"
_DIVISIONS = [
    re.compile(rf"(?:北京|天津|上海|重庆)市|{_HAN}{{2,3}}省|{_HAN}{{2,9}}?自治区|(?:香港|澳门)特别行政区"),
    re.compile(rf"{_HAN}{{2,4}}?(?:市|自治州|地区|盟)(?={_DISTRICT}|{_STREET})"),
    re.compile(rf"{_DISTRICT}(?:{_HAN}{{2,6}}?(?<!小)镇(?!$))?"),
    re.compile(_STREET),
    re.compile(rf"{_HAN}{{2,10}}?(?:社区居民委员会|社区居委会|居民委员会|居委会|社区|村民委员会|村委会)"),
]

_WRITE_IT = _l("请写成“小区名+3栋2单元1202”或“小区名3-2-1202”（没有单元的写“小区名3栋1202”）。")

# What the import preview shows: (rule, example as written, how it is split).
RULES: list[tuple[str, str, str]] = [
    (
        _l("小区名在前，再写楼栋、单元、房号；房号后的“室”“号”可写可不写"),
        "幸福家园小区3栋2单元1202室",
        "幸福家园小区 / 3栋 / 2单元 / 1202",
    ),
    (
        _l("楼栋写成“号楼”“幢”“座”也可以，一律记为“栋”"),
        "幸福家园3号楼2单元1202",
        "幸福家园 / 3栋 / 2单元 / 1202",
    ),
    (
        _l("也可用短横线连写：楼栋-单元-房号"),
        "幸福家园3-2-1202",
        "幸福家园 / 3栋 / 2单元 / 1202",
    ),
    (
        _l("没有单元的楼栋只写楼栋和房号，或写成“楼栋-房号”"),
        "幸福家园3-1202",
        "幸福家园 / 3栋 / — / 1202",
    ),
    (
        _l("全角数字、全角横线、多余空格和中文数字的单元号会自动转换"),
        "幸福家园 ３栋二单元１２０２",
        "幸福家园 / 3栋 / 2单元 / 1202",
    ),
    (
        _l("开头的省、市、区、街道、社区会去掉，只留小区名"),
        "江夏区纸坊街道宁安社区幸福家园3栋2单元1202",
        "幸福家园 / 3栋 / 2单元 / 1202",
    ),
    (
        _l("没有小区名时小区留空"),
        "3栋2单元1202室",
        "— / 3栋 / 2单元 / 1202",
    ),
]


def split_address(text) -> AddressParts:
    """小区 / 楼栋 / 单元 / 房号 of one address line; raises AddressError saying what is missing."""
    line = _normalise(text)
    if not line:
        raise AddressError(_("地址为空。") + str(_WRITE_IT))
    match = _MARKED.match(line) or _DASHED.match(line)
    if match is None:
        raise AddressError(_why_not(line))
    parts = match.groupdict()
    unit = parts.get("unit") or parts.get("bare_unit")
    return AddressParts(
        compound=_without_divisions(parts["compound"].strip(_EDGE_PUNCTUATION)),
        building=_number(parts["building"]) + "栋",
        unit=_number(unit) + "单元" if unit else "",
        house=parts["house"].upper(),
    )


def compound_key(name: str) -> str:
    """A compound name for loose matching: "幸福家园小区", "幸福家园 社区" and "幸福家园" agree."""
    key = "".join(unicodedata.normalize("NFKC", str(name or "")).split()).upper()
    for suffix in ("住宅小区", "小区", "社区"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _normalise(text) -> str:
    """Full-width digits, letters and spaces made plain (NFKC), every dash made "-", every space
    (ordinary, non-breaking, full-width, zero-width) removed."""
    if text is None:
        return ""
    line = unicodedata.normalize("NFKC", str(text)).translate(_DASHES).translate(_INVISIBLE)
    return "".join(line.split()).strip(_EDGE_PUNCTUATION)


def _number(token: str) -> str:
    """A building or unit number as the registry writes it: 03 → 3, 十二 → 12, 3a → 3A."""
    if token[0].isdigit():
        digits = token.rstrip(string.ascii_letters)
        return str(int(digits)) + token[len(digits) :].upper()
    if token.isascii():
        return token.upper()
    tens, ten, ones = token.partition("十")
    if not ten:
        return str(_CN_DIGIT[token])
    return str(_CN_DIGIT.get(tens, 1) * 10 + _CN_DIGIT.get(ones, 0))


def _without_divisions(compound: str) -> str:
    """The compound without a leading 省/市/区/街道/社区 chain (never stripped to nothing)."""
    rest = compound
    for level in _DIVISIONS:
        m = level.match(rest)
        if m and m.end() < len(rest):
            rest = rest[m.end() :]
    return rest


def _why_not(line: str) -> str:
    shown = line if len(line) <= 40 else line[:40] + "…"
    found = _ANY_BUILDING.search(line)
    if found is None:
        return _("“%(a)s”中没有找到楼栋号（如“3栋”“3号楼”“3幢”）。") % {"a": shown} + str(_WRITE_IT)
    after = line[found.end() :]
    if not re.search(r"\d", _UNIT_AT_START.sub("", after)):
        return _("“%(a)s”中“%(b)s”之后没有房号。请在楼栋、单元之后写上房号，如“3栋2单元1202”。") % {
            "a": shown,
            "b": found.group(),
        }
    return _("“%(a)s”中“%(b)s”之后的“%(r)s”无法识别为单元和房号。") % {
        "a": shown,
        "b": found.group(),
        "r": after[:20],
    } + str(_WRITE_IT)
