"""The same 60 synthetic residents of one compound, written the four ways community ledgers come in:
the platform's template, an office .xlsx ledger, an Excel 97-2003 .xls ledger with a two-row
header, and a GBK CSV with one address column.

Everyone here is made up (seeded, deterministic): names drawn from common characters, 身份证
numbers of 江夏区 (420115) with correct check characters, birth dates and genders taken from those
numbers, 11-digit mobiles. They live in 幸福家园, the only compound of the community, one household
per house: a 户主 and the family (配偶, 子, 女, 父母).

A ledger is a list of `Entry`s: the 60 people, plus (with `planted_faults`) three rows that must be
refused in every layout, the same in each:
  - a 61st person whose ID number has a wrong check character;
  - a 62nd person whose 出生日期 contradicts the ID number;
  - one of the 60 written a second time.
So every file holds 63 data rows; the 60 good people are the same in all four. The faulty rows are
written with the platform's own spellings, so that a value translation counts the accepted rows only.

Each layout function returns (filename, bytes)."""

import csv
import datetime as dt
import functools
import io
import random
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import translation

from shequ.core.validators import id_check_char

COMMUNITY_TITLE = "宁安社区人口台账"
COMPOUND = "幸福家园"
REGION = "420115"
SEED = 20261101

FAULT_CHECK_CHAR = "check_char"
FAULT_BIRTH_DATE = "birth_date"
FAULT_DUPLICATE = "duplicate"
FAULT_ID_AS_NUMBER = "id_as_number"

# How clerks write values the template spells otherwise: platform label → ledger spelling. One
# place, so the spellings the import must understand are easy to see and to change.
CLERK_SPELLINGS = {
    "文化程度": {"大学本科": "本科", "大学专科": "大专", "普通高中": "高中", "中等职业教育": "中专"},
    "政治面貌": {"中共党员": "党员", "共青团员": "团员"},
    "居住类型": {"户籍在住": "户在人在"},
}
# 与户主关系 depends on the person's gender: (label, gender) → spelling.
CLERK_RELATIONSHIPS = {
    ("配偶", "女"): "妻子",
    ("配偶", "男"): "丈夫",
    ("子", "男"): "儿子",
    ("女", "女"): "女儿",
    ("父母", "男"): "父亲",
    ("父母", "女"): "母亲",
}
FOOTER = "填表人：王芳    审核人：李强"
TOTAL = ("合计", "60人")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "建国华明丽芳军平伟敏静磊洋勇艳杰娟涛超秀英霞刚桂兰玉梅志强文红春燕德海宇欣怡浩然子涵梓轩思雨晨阳佳琪"


@dataclass(frozen=True)
class Person:
    """One resident as the platform's template spells them (Chinese labels)."""

    n: int  # 1-based, order in the ledger
    name: str
    id_number: str
    gender: str  # 男 / 女, from the 17th digit
    birth_date: dt.date  # from the ID number
    ethnicity: str
    education: str
    political_status: str
    marital_status: str
    phone: str  # "" for children
    residence_type: str
    relationship: str
    compound: str
    building: str  # 3栋
    unit: str  # 2单元
    house: str  # 1202

    @property
    def address(self) -> tuple[str, str, str, str]:
        return (self.compound, self.building, self.unit, self.house)


@dataclass(frozen=True)
class Entry:
    """One data row of a ledger: a person, the ID number and birth date as written, and the fault
    planted in the row, if any. `plain` rows use the template's spellings in every layout."""

    person: Person
    id_number: str
    birth_date: dt.date
    fault: str = ""
    plain: bool = False


# --- the people ---------------------------------------------------------------------------------
def _id_number(rng, birth: dt.date, male: bool, taken: set, want_x: bool = False) -> str:
    while True:
        seq = rng.randrange(0, 1000)
        if seq % 2 != male:
            continue
        first = f"{REGION}{birth:%Y%m%d}{seq:03d}"
        number = first + id_check_char(first)
        if number in taken or (want_x and not number.endswith("X")):
            continue
        taken.add(number)
        return number


def _education(rng, birth: dt.date) -> str:
    age = 2026 - birth.year
    if age < 6:
        return "学龄前"
    if age < 13:
        return "小学"
    if age < 16:
        return "初中"
    if age < 19:
        return rng.choice(["普通高中", "中等职业教育"])
    if birth.year < 1950:
        return rng.choice(["未上学", "小学", "初中", "初中"])
    return rng.choice(
        ["研究生", "大学本科", "大学本科", "大学专科", "大学专科", "中等职业教育", "普通高中", "初中"]
    )


def _political(rng, birth: dt.date) -> str:
    age = 2026 - birth.year
    if age < 14:
        return "群众"
    if age <= 28 and rng.random() < 0.5:
        return "共青团员"
    return "中共党员" if rng.random() < 0.25 else "群众"


def _date(rng, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


# Household shapes: the relationships after the 户主, in order.
SHAPES = [
    ["配偶", "子"],
    ["配偶", "女", "子"],
    ["配偶"],
    ["配偶", "女", "父母", "父母"],
    [],
    ["配偶", "子", "女"],
    ["子"],
    ["配偶", "女"],
    ["配偶", "子", "父母"],
]
RESIDENCE_BY_HOUSE = ["户籍在住", "户籍在住", "户籍在住", "人户分离", "户籍在住", "常住非户籍", "流动人口"]
ETHNIC = ["汉族"] * 12 + ["回族", "土家族", "苗族"]


@functools.cache
def people(count: int = 60) -> tuple[Person, ...]:
    """`count` residents in households of 幸福家园 (deterministic)."""
    rng = random.Random(SEED)
    taken_ids, taken_names, taken_phones = set(), set(), set()
    out = []

    def name_of(surname: str) -> str:
        while True:
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
            if surname + given not in taken_names:
                taken_names.add(surname + given)
                return surname + given

    def phone() -> str:
        while True:
            p = rng.choice(["138", "139", "135", "186", "159", "177"]) + f"{rng.randrange(10**8):08d}"
            if p not in taken_phones:
                taken_phones.add(p)
                return p

    houses = [(f"{b}栋", f"{u}单元", f"{floor}{room:02d}") for b in (1, 2, 3) for u in (1, 2)
              for floor, room in ((3, 1), (12, 2), (6, 2), (9, 1))]  # fmt: skip
    rng.shuffle(houses)
    h = 0
    while len(out) < count:
        building, unit, house = houses[h]
        shape = SHAPES[h % len(SHAPES)]
        residence = RESIDENCE_BY_HOUSE[h % len(RESIDENCE_BY_HOUSE)]
        h += 1
        head_male = bool(shape and shape[0] == "配偶") or rng.random() < 0.5
        head_year = rng.randrange(1958, 1992)
        surname = rng.choice(SURNAMES)
        members = [("户主", head_male, head_year, surname)]
        for rel in shape:
            if rel == "配偶":
                members.append((rel, not head_male, head_year + rng.randrange(-3, 4), rng.choice(SURNAMES)))
            elif rel in ("子", "女"):
                members.append((rel, rel == "子", min(head_year + rng.randrange(24, 33), 2023), surname))
            else:  # 父母: the head's father, then mother
                male = not any(m[0] == "父母" for m in members)
                members.append((rel, male, head_year - rng.randrange(25, 31), surname if male else rng.choice(SURNAMES)))  # fmt: skip
        married = "配偶" in shape
        for rel, male, year, family in members:
            if len(out) == count:
                break
            birth = _date(rng, year)
            want_x = len(out) % 12 == 3  # some numbers end in X (written x in the office ledger)
            number = _id_number(rng, birth, male, taken_ids, want_x)
            if rel in ("户主", "配偶"):
                marital = "已婚" if married else rng.choice(["未婚", "离婚", "丧偶"])
            elif rel == "父母":
                marital = "已婚" if shape.count("父母") == 2 else "丧偶"
            else:
                marital = "未婚"
            out.append(
                Person(
                    n=len(out) + 1,
                    name=name_of(family),
                    id_number=number,
                    gender="男" if male else "女",
                    birth_date=birth,
                    ethnicity=rng.choice(ETHNIC),
                    education=_education(rng, birth),
                    political_status=_political(rng, birth),
                    marital_status=marital,
                    phone=phone() if 2026 - birth.year >= 16 else "",
                    residence_type=residence,
                    relationship=rel,
                    compound=COMPOUND,
                    building=building,
                    unit=unit,
                    house=house,
                )
            )
    return tuple(out)


EXTRA = {61: ("宋卫东", True), 62: ("唐晓燕", False)}


def extra_person(n: int) -> Person:
    """A person beyond the 60, for a faulty row (61, 62), registered in the first household's house."""
    name, male = EXTRA[n]
    assert name not in {p.name for p in people()}
    rng = random.Random(SEED + n)
    birth = _date(rng, 1970 + n % 20)
    return replace(
        people()[0],
        n=n,
        name=name,
        id_number=_id_number(rng, birth, male, {p.id_number for p in people()}),
        gender="男" if male else "女",
        birth_date=birth,
        relationship="其他亲属",
        phone="",
    )


def ledger(persons=None) -> list[Entry]:
    """The people as written, without faults."""
    return [Entry(p, p.id_number, p.birth_date) for p in (persons or people())]


def planted_faults(persons=None) -> list[Entry]:
    """The 60 people and the three faulty rows (see the module's docstring), at fixed places."""
    entries = ledger(persons)
    wrong = extra_person(61)
    check = wrong.id_number[-1]
    bad_check = wrong.id_number[:-1] + ("1" if check != "1" else "2")
    birth = extra_person(62)
    twice = entries[4].person
    entries.insert(50, Entry(twice, twice.id_number, twice.birth_date, FAULT_DUPLICATE, plain=True))
    entries.insert(30, Entry(birth, birth.id_number, birth.birth_date + dt.timedelta(days=40), FAULT_BIRTH_DATE, plain=True))  # fmt: skip
    entries.insert(10, Entry(wrong, bad_check, wrong.birth_date, FAULT_CHECK_CHAR, plain=True))
    return entries


def id_stored_as_number(persons=None) -> list[Entry]:
    """The people, one of whom has their ID number in a numeric cell (as Excel turns a long digit
    string into 4.20115E+17 when the column is not text)."""
    entries = ledger(persons)
    k = next(i for i, e in enumerate(entries) if not e.id_number.endswith("X") and i > 5)
    entries[k] = replace(entries[k], fault=FAULT_ID_AS_NUMBER)
    return entries


def faulty(entries) -> list[Entry]:
    return [e for e in entries if e.fault]


# --- spellings ----------------------------------------------------------------------------------
def clerk_value(column: str, e: Entry) -> str:
    """The value of a template column as a clerk writes it in an office ledger."""
    value = getattr(e.person, _FIELD[column])
    if e.plain:
        return value
    if column == "与户主关系":
        return CLERK_RELATIONSHIPS.get((value, e.person.gender), value)
    return CLERK_SPELLINGS.get(column, {}).get(value, value)


_FIELD = {"文化程度": "education", "政治面貌": "political_status", "居住类型": "residence_type",
          "与户主关系": "relationship", "民族": "ethnicity", "婚姻状况": "marital_status", "性别": "gender"}  # fmt: skip


def translations(entries) -> list[dict]:
    """What an office ledger of these entries spells otherwise than the template, counted:
    [{"column": template header, "from": ledger spelling, "to": template label, "rows": n}]."""
    counts = {}
    for e in entries:
        for column in ("文化程度", "政治面貌", "居住类型", "与户主关系"):
            written, label = clerk_value(column, e), getattr(e.person, _FIELD[column])
            if written != label:
                counts[(column, written, label)] = counts.get((column, written, label), 0) + 1
    return [{"column": c, "from": f, "to": t, "rows": n} for (c, f, t), n in sorted(counts.items())]


FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９ＸＸ")


def clerk_id(e: Entry, k: int, *, nbsp: bool = True) -> str:
    """The ID number as typed: a third in full-width digits, x in lower case, stray spaces."""
    number = e.id_number
    if k % 3 == 0 or e.fault == FAULT_DUPLICATE:  # the second time, typed otherwise than the first
        return number.translate(FULL_WIDTH)
    if number.endswith("X"):
        number = number[:-1] + "x"
    if k % 3 == 1 and k % 2:
        return f" {number} "
    if k % 3 == 2 and k % 4 == 2:
        space = "\u00a0" if nbsp else "\u3000"
        return f"{number[:6]}{space}{number[6:]}" if k % 8 == 2 else f"{number}{space}"
    return number


def clerk_date(d: dt.date, k: int):
    """出生日期 in the spellings found in ledgers (a date object stands for a date cell)."""
    return [d, f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日",
            f"{d:%Y%m%d}"][k % 5]  # fmt: skip


# --- 1. the template ----------------------------------------------------------------------------
def template_headers() -> list[str]:
    from shequ.people.importer import ResidentImporter

    with translation.override(settings.LANGUAGE_CODE):
        return [str(c.header) for c in ResidentImporter.columns]


def template_xlsx(entries) -> tuple[str, bytes]:
    """The platform's template columns, canonical values, text cells (the template's own format)."""
    import xlsxwriter

    headers = template_headers()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("居民信息")
    text = wb.add_format({"num_format": "@"})
    sci = wb.add_format({"num_format": "0.00000E+00"})
    ws.write_row(0, 0, headers)
    for row, e in enumerate(_entries(entries), start=1):
        p = e.person
        values = {
            "姓名": p.name, "证件类型": "居民身份证", "证件号码": e.id_number, "性别": p.gender,
            "出生日期": e.birth_date.isoformat(), "民族": p.ethnicity, "文化程度": p.education,
            "政治面貌": p.political_status, "婚姻状况": p.marital_status, "联系电话": p.phone,
            "居住类型": p.residence_type, "小区": p.compound, "楼栋": p.building, "单元": p.unit,
            "房号": p.house, "与户主关系": p.relationship,
        }  # fmt: skip
        for col, h in enumerate(headers):
            value = values.get(h, "")
            if h == "证件号码" and e.fault == FAULT_ID_AS_NUMBER:
                ws.write_number(row, col, id_as_float(e.id_number), sci)
            elif value:
                ws.write_string(row, col, value, text)
    wb.close()
    return "居民信息导入模板.xlsx", buf.getvalue()


def id_as_float(number: str) -> float:
    """What Excel keeps of an 18-digit number typed into a numeric cell: 15 significant digits."""
    return float(number[:15] + "000")


def _entries(entries) -> list[Entry]:
    return [e if isinstance(e, Entry) else Entry(e, e.id_number, e.birth_date) for e in entries]


# --- 2. the office ledger (.xlsx) ---------------------------------------------------------------
OFFICE_HEADERS = ["序号", "姓名", "性别", "公民身份号码", "出生日期", "民族", "文化程度", "政治面貌", "婚姻状况",
                  "联系电话", "人口类型", "与户主关系", "小区", "楼栋", "单元", "房号", "备注"]  # fmt: skip
BLANK_AFTER = 30  # a blank row after this many data rows


def _office_cells(e: Entry, k: int, *, nbsp: bool = True) -> dict:
    """A row of an office ledger, by its office header; numbers stay numbers (as clerks type)."""
    p = e.person
    return {
        "序号": float(k + 1),
        "姓名": p.name,
        "性别": p.gender,
        "公民身份号码": clerk_id(e, k, nbsp=nbsp),
        "出生日期": e.birth_date if e.plain else clerk_date(e.birth_date, k),
        "民族": p.ethnicity,
        "文化程度": clerk_value("文化程度", e),
        "政治面貌": clerk_value("政治面貌", e),
        "婚姻状况": p.marital_status,
        "联系电话": float(p.phone) if p.phone else None,
        "人口类型": clerk_value("居住类型", e),
        "与户主关系": clerk_value("与户主关系", e),
        "小区": p.compound,
        "楼栋": p.building,
        "单元": p.unit,
        "房号": float(p.house),
        "备注": "",
    }


def office_xlsx(entries) -> tuple[str, bytes]:
    """A ledger as a community office keeps it: a merged title, a line naming who reports and
    when, the header in row 3, clerks' spellings, numbers as numbers, a blank row, a 合计 row and
    the signatures' footer."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("人口台账")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    date = wb.add_format({"num_format": "yyyy/m/d"})
    sci = wb.add_format({"num_format": "0.00000E+00"})
    last = len(OFFICE_HEADERS) - 1
    ws.merge_range(0, 0, 0, last, COMMUNITY_TITLE, title)
    ws.merge_range(1, 0, 1, last, "填报单位：宁安社区居委会      填报日期：2026年11月", None)
    ws.write_row(2, 0, OFFICE_HEADERS)
    row = 3
    for k, e in enumerate(_entries(entries)):
        if k == BLANK_AFTER:
            row += 1
        cells = _office_cells(e, k)
        for col, h in enumerate(OFFICE_HEADERS):
            value = cells[h]
            if h == "公民身份号码" and e.fault == FAULT_ID_AS_NUMBER:
                ws.write_number(row, col, id_as_float(e.id_number), sci)
            elif isinstance(value, dt.date):
                ws.write_datetime(row, col, value, date)
            elif isinstance(value, float):
                ws.write_number(row, col, value)
            elif value:
                ws.write_string(row, col, value)
        row += 1
    ws.write_row(row, 0, TOTAL)
    ws.write_string(row + 1, 0, FOOTER)
    wb.close()
    return "宁安社区人口台账.xlsx", buf.getvalue()


# --- 3. the Excel 97-2003 ledger (.xls) with a two-row header -----------------------------------
XLS_HEADERS = ["序号", "姓名", "性别", "身份证号", "出生日期", "民族", "文化程度", "政治面貌", "婚姻状况",
               "联系电话", "人口类型", "与户主关系", "现住址", "备注"]  # fmt: skip
ADDRESS_PARTS = ["小区", "楼栋", "单元", "房号"]


def office_xls(entries) -> tuple[str, bytes]:
    """An .xls ledger: a merged title, then a two-row header where 现住址 spans 小区/楼栋/单元/房号
    and every other heading is merged down over both rows."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("人口台账")
    title = xlwt.easyxf("font: bold on, height 320; align: horiz center")
    head = xlwt.easyxf("font: bold on; align: horiz center, vert center")
    date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    sci = xlwt.easyxf(num_format_str="0.00000E+00")
    flat = [h for h in XLS_HEADERS if h != "现住址"]
    flat[flat.index("与户主关系") + 1 : flat.index("与户主关系") + 1] = ADDRESS_PARTS
    ws.write_merge(0, 0, 0, len(flat) - 1, COMMUNITY_TITLE, title)
    col = 0
    for h in XLS_HEADERS:
        if h == "现住址":
            ws.write_merge(1, 1, col, col + len(ADDRESS_PARTS) - 1, h, head)
            for i, part in enumerate(ADDRESS_PARTS):
                ws.write(2, col + i, part, head)
            col += len(ADDRESS_PARTS)
        else:
            ws.write_merge(1, 2, col, col, h, head)
            col += 1
    names = {"身份证号": "公民身份号码"}
    row = 3
    for k, e in enumerate(_entries(entries)):
        if k == BLANK_AFTER:
            row += 1
        cells = _office_cells(e, k)
        for c, h in enumerate(flat):
            value = cells[names.get(h, h)]
            if h == "身份证号" and e.fault == FAULT_ID_AS_NUMBER:
                ws.write(row, c, id_as_float(e.id_number), sci)
            elif isinstance(value, dt.date):
                ws.write(row, c, value, date)
            elif value not in (None, ""):
                ws.write(row, c, value)
        row += 1
    ws.write(row, 0, TOTAL[0])
    ws.write(row, 1, TOTAL[1])
    ws.write(row + 1, 0, FOOTER)
    buf = io.BytesIO()
    wb.save(buf)
    return "宁安社区人口台账.xls", buf.getvalue()


# --- 4. a GBK CSV with one address column -------------------------------------------------------
CSV_HEADERS = ["序号", "姓名", "性别", "身份证号码", "出生日期", "民族", "学历", "政治面貌", "婚姻状况", "手机号",
               "人口类型", "与户主关系", "现住址", "备注"]  # fmt: skip


def one_line_address(p: Person, k: int) -> str:
    """幸福家园3栋2单元1202, 幸福家园小区3-2-1202, or (the community has one compound) 3栋2单元1202室."""
    b, u = p.building.removesuffix("栋"), p.unit.removesuffix("单元")
    return [
        f"{p.compound}{p.building}{p.unit}{p.house}",
        f"{p.compound}小区{b}-{u}-{p.house}",
        f"{p.building}{p.unit}{p.house}室",
    ][k % 3]


def gbk_csv(entries, encoding: str = "gbk") -> tuple[str, bytes]:
    """What another system's export or Excel's 'CSV' on a Chinese Windows gives: the title line,
    GBK text, 手机号/学历 headings, the address in one column, a 合计 line and the footer."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    width = len(CSV_HEADERS)
    w.writerow([COMMUNITY_TITLE] + [""] * (width - 1))
    w.writerow(CSV_HEADERS)
    for k, e in enumerate(_entries(entries)):
        if k == BLANK_AFTER:
            w.writerow([""] * width)
        cells = _office_cells(e, k, nbsp=False)  # GBK has no non-breaking space: 　 instead
        p = e.person
        birth = cells["出生日期"]
        w.writerow([
            k + 1, p.name, p.gender, cells["公民身份号码"],
            birth.isoformat() if isinstance(birth, dt.date) else birth, p.ethnicity, cells["文化程度"],
            cells["政治面貌"], p.marital_status, p.phone, cells["人口类型"], cells["与户主关系"],
            one_line_address(p, 0 if e.plain else k), "",
        ])  # fmt: skip
    w.writerow([*TOTAL] + [""] * (width - 2))
    w.writerow([FOOTER] + [""] * (width - 1))
    return "宁安社区人口台账.csv", out.getvalue().encode(encoding)


LAYOUTS = {
    "template_xlsx": template_xlsx,
    "office_xlsx": office_xlsx,
    "office_xls": office_xls,
    "gbk_csv": gbk_csv,
}


def file_lines(filename: str, data: bytes) -> list[list[str]]:
    """The rows of a generated file as text, numbered from 1 as a clerk sees them (row n is
    `result[n - 1]`): where the 合计 line and the footer ended up."""
    if filename.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return [["" if v is None else str(v) for v in r] for r in rows]


def line_of(filename: str, data: bytes, first_cell: str) -> int:
    """The 1-based line whose first cell starts with `first_cell`."""
    for n, r in enumerate(file_lines(filename, data), start=1):
        if r and r[0].startswith(first_cell):
            return n
    raise LookupError(first_cell)
