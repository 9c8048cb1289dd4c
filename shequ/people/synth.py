"""Synthetic residents: a seeded generator of plausible community populations for the demo, the
tests and the benchmarks. Pure Python on `random.Random(seed)`; Django is needed only to write a
workbook (the importer's headers and the Chinese labels of the enumerations).

The figures it aims at come from Chinese urban statistics and community ledgers, so that a demo
screen looks like a community and a benchmark exercises realistic value distributions rather than
uniform noise: households of 1–6 people (mean ≈ 2.6, many one- and two-person elderly households),
an ageing tail (60+ ≈ 23 %, 80+ ≈ 3.5 %), 居住类型 roughly 70/8/12/9/<1 %, ~8 % 中共党员 among
adults, and the tag rates noted where the tags are assigned.

    plan = plan_community(seed, "420115001001", houses, 6000)   # rows, households, house uses
    rows = generate_community(seed, "420115001001", houses, 6000)
    bad_lines = write_workbook("residents.xlsx", rows, bad_rows=20, seed=1)
    generate_workbook(100_000, "420115001001", 7, "bench.xlsx")
"""

import bisect
import contextlib
import datetime as dt
import gc
import math
import random
from dataclasses import dataclass, field

from shequ.core.validators import id_check_char
from shequ.people import choices as _choices
from shequ.people.tags import DEFAULT_TAGS, DISABILITY_CATEGORIES, DISABILITY_GRADES


class _Values:
    """The plain string values of a TextChoices class: rows hold what the model fields hold, and
    the generator compares millions of them (enum members are slower and print as names)."""

    def __init__(self, choices):
        for member in choices:
            setattr(self, member.name, str(member.value))


DocType, Gender, Status, Tenure, EventKind = (
    _Values(c)
    for c in (_choices.DocType, _choices.Gender, _choices.Status, _choices.Tenure, _choices.EventKind)
)
ED, EM, MS, PS, RL, RT = (
    _Values(c)
    for c in (
        _choices.Education,
        _choices.Employment,
        _choices.MaritalStatus,
        _choices.PoliticalStatus,
        _choices.Relationship,
        _choices.ResidenceType,
    )
)
MALE, FEMALE = Gender.MALE, Gender.FEMALE
HAN = "01"

# Visit intervals of the default tags (code → days); the demo passes the database's own.
DEFAULT_INTERVALS = {code: days for code, _n, _s, rule, days, _d in DEFAULT_TAGS if not rule and days}
HIGHLY_SENSITIVE = {code for code, _n, sens, *_r in DEFAULT_TAGS if sens == "highly_sensitive"}
TAG_NAMES = {code: name for code, name, *_r in DEFAULT_TAGS}


class _Picker:
    """Weighted choice by bisection on precomputed cumulative weights (rng.choices is ~5× slower,
    and a 100,000-row workbook makes millions of these)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs):
        self.items = [p[0] for p in pairs]
        self.cum, total = [], 0.0
        for p in pairs:
            total += p[1]
            self.cum.append(total)
        self.total = total

    def __call__(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _words(table: str) -> list[str]:
    """A space-separated word table (easier to read and edit than a list of quoted words)."""
    return table.split()


def _weighted(spec: str) -> _Picker:
    """'王71 李70 …' or 'name:weight …' → a picker."""
    pairs = []
    for token in spec.split():
        if ":" in token:
            name, _sep, weight = token.rpartition(":")
        else:
            i = next(n for n, ch in enumerate(token) if ch.isdigit())
            name, weight = token[:i], token[i:]
        pairs.append((name, float(weight)))
    return _Picker(pairs)


# --- names ---------------------------------------------------------------------------------------
# Share of the population in ‰ (公安部 2020 ranking, rounded), with Hubei's own surnames (熊, 胡,
# 余, 程, 涂, 喻, 柯, 鲁, 聂) a little above their national rank.
SURNAMES = _weighted(
    "王71 李70 张67 刘54 陈46 杨31 黄26 赵23 吴20 周19 徐16 胡16 孙15 马15 朱13 郭11 何11 林10 高10 "
    "罗9 郑9 梁8 谢8 宋7 唐7 许7 韩6 邓6 冯6 曹6 彭6 曾5 肖5 田5 董5 潘5 袁5 熊5 余6 程6 蔡4 蒋4 于4 "
    "杜4 叶4 魏4 苏4 吕3 丁3 任3 卢3 姚3 沈3 钟3 姜3 崔3 谭3 陆3 范3 汪4 廖3 石3 金3 夏3 付4 方3 邹2 "
    "白2 孟2 秦2 邱2 侯2 江2 尹2 薛2 段2 雷2 龙2 黎2 史2 陶2 贺2 毛2 郝2 顾2 龚2 邵2 万3 覃2 戴2 严2 "
    "孔2 向2 汤2 易2 涂2 喻2 柯2 鲁2 聂2 舒1 艾1 闵1"
)
# Given names by birth cohort and sex: a name says when someone was born (建国 and 秀英 are
# grandparents, 子轩 and 梓涵 are in primary school).
_GIVEN = {
    (1960, MALE): "建国 国强 国华 德明 志强 文华 振华 建华 卫国 国庆 保国 学文 长生 福生 德胜 金山 海生 春生 光明 "
    "树林 国栋 国平 汉生 家福 正明 有才 立新 建军 和平 永清 军 明 华 强 林 刚 平 忠 斌",
    (1960, FEMALE): "秀英 桂英 秀兰 玉兰 凤英 淑珍 桂兰 玉珍 翠兰 秀珍 美华 丽华 素珍 金凤 秀云 桂芳 菊英 爱华 凤兰 "
    "春梅 冬梅 腊梅 桂香 玉梅 月娥 巧云 淑芬 翠英 英 兰 珍 芳 梅 琴",
    (1980, MALE): "勇 军 伟 强 斌 刚 平 明 华 辉 建军 卫东 志刚 建华 红兵 小平 建平 文斌 志勇 海涛 建新 建明 永刚 "
    "晓东 立军 利民 新华 春林 俊 涛 波 峰",
    (1980, FEMALE): "丽 敏 艳 红 霞 芳 琴 燕 萍 娟 丽华 红梅 晓燕 秀芳 春燕 海燕 丽萍 红霞 艳萍 小红 玉梅 晓红 卫红 "
    "丽娟 慧 莉 静 玲",
    (1995, MALE): "磊 涛 鹏 超 杰 浩 鑫 亮 峰 俊 伟 晨 凯 宇 波 洋 志强 文杰 俊杰 晓东 海波 振宇 一鸣 天宇 建波 "
    "鹏程 俊峰 亚军 明亮 少华",
    (1995, FEMALE): "婷 静 丹 娟 敏 莉 倩 颖 琳 雪 洁 晶 燕 慧 佳 晓丽 婷婷 丹丹 静静 倩倩 晓燕 雪梅 佳慧 思思 "
    "晓雯 文静 小玲 梦 蕾",
    (2010, MALE): "浩 宇 杰 鑫 帅 博 晨 阳 凯 浩然 宇航 俊杰 子豪 文博 浩宇 博文 家豪 思远 志豪 天佑 明轩 鹏飞 "
    "一帆 晨阳 雨泽 嘉豪 梓航 宇轩",
    (2010, FEMALE): "欣 雨 佳 悦 琪 怡 瑶 晴 欣怡 雨欣 佳怡 梦瑶 思琪 诗雨 佳琪 雨涵 心怡 可欣 梦洁 紫涵 诗涵 "
    "子涵 欣悦 雨萱 佳欣 雅琪 若曦",
    (9999, MALE): "子轩 梓轩 浩宇 宇轩 子墨 沐宸 一诺 梓豪 俊熙 皓轩 奕辰 浩然 子睿 睿 宸 铭 逸 轩 诺 思源 承泽 "
    "锦程 梓睿 昊然 沐阳 晨宇 煜 一鸣",
    (9999, FEMALE): "梓涵 一诺 欣怡 语桐 若汐 梓萱 依诺 雨桐 可馨 诗涵 芷若 紫萱 梦琪 悦 涵 萱 彤 妍 语汐 沐晴 "
    "安琪 思语 梓琳 子涵 昕怡 星语 可可 一然",
}  # fmt: skip
GIVEN = {k: _words(v) for k, v in _GIVEN.items()}
ERAS = sorted({k[0] for k in GIVEN})

# Foreign residents: Wuhan's are mostly Korean, Japanese, French (神龙汽车), American and German
# engineers and teachers. (nationality, ISO 3166 numeric, passport pattern, city, men's and
# women's given names, surnames, names in Chinese characters if the community writes them so, share)
FOREIGN = [
    ("韩国", "410", "M########", "首尔", "MINJUN|JIHO|SEOJUN|DOYUN", "SEOYEON|JIWOO|HAEUN|MINSEO",
     "KIM|LEE|PARK|CHOI|JUNG", "金敏俊|李智浩|朴俊昊|崔在元", "朴瑞妍|金智友|李夏恩|崔敏瑞", 30),
    ("日本", "392", "TK#######", "大阪", "KENTA|HIROSHI|TAKUYA|DAIKI", "YUKI|AYAKA|MISAKI|HARUKA",
     "TANAKA|SATO|SUZUKI|TAKAHASHI", "田中健太|佐藤拓也|铃木大辉|高桥浩", "田中由纪|佐藤美咲|铃木彩香|高桥遥", 15),
    ("法国", "250", "##AA#####", "巴黎", "PIERRE|NICOLAS|JULIEN|THOMAS", "MARIE|CAMILLE|CLAIRE|LEA",
     "MARTIN|BERNARD|DUBOIS|MOREAU", "", "", 15),
    ("美国", "840", "A########", "芝加哥", "JOHN|MICHAEL|DAVID|JAMES", "SARAH|EMILY|JESSICA|LAURA",
     "SMITH|JOHNSON|BROWN|MILLER", "", "", 12),
    ("德国", "276", "C########", "斯图加特", "LUKAS|JONAS|FELIX|MAXIMILIAN", "ANNA|LENA|SOPHIE|LAURA",
     "MUELLER|SCHMIDT|WEBER|WAGNER", "", "", 8),
    ("巴基斯坦", "586", "AA#######", "拉合尔", "MUHAMMAD|ALI|HASSAN|USMAN", "AYESHA|FATIMA|SANA|HIRA",
     "KHAN|AHMED|MALIK|HUSSAIN", "", "", 8),
    ("俄罗斯", "643", "#########", "莫斯科", "IVAN|DMITRY|SERGEY|ALEXEY", "ANNA|OLGA|NATALIA|ELENA",
     "IVANOV|PETROV|SMIRNOV|VOLKOV", "", "", 6),
    ("越南", "704", "C#######", "河内", "VAN AN|VAN MINH|DUC ANH|QUANG HUY", "THI LAN|THI HOA|THU HA|NGOC MAI",
     "NGUYEN|TRAN|LE|PHAM", "", "", 6),
]  # fmt: skip
FOREIGN_PICK = _Picker([(f, f[-1]) for f in FOREIGN])

# --- places and 身份证 region codes -----------------------------------------------------------
# A region code is the county's code when the number was assigned; counties were renamed and
# renumbered (武昌县 420122 became 江夏区 420115 in 1995, 黄冈地区 4221xx became 黄冈市 4211xx),
# so each place is a chain of (code, first year, last year). A person gets the code in force in
# their birth year, which is also what GB 11643 checkers (python-stdnum) accept without a warning:
# an older 江夏 native therefore carries 420122, a younger one 420115.
# place, weight, chain "code:from-to …", and "city" where the 户籍地址 is a street, not a village
_LOCAL = """
湖北省武汉市江夏区 74 420122:-1995 420115:1995-
湖北省武汉市洪山区 6 420111:1983-
湖北省武汉市武昌区 5 420106:1983-
湖北省武汉市江岸区 2.5 420102:1983-
湖北省武汉市江汉区 2.5 420103:1983-
湖北省武汉市汉阳区 2.5 420105:1983-
湖北省武汉市硚口区 1.5 420104:1983-
湖北省武汉市青山区 2 420107:1983-
湖北省武汉市蔡甸区 1.5 420121:-1992 420114:1992-
湖北省武汉市东西湖区 1 420112:1983-
湖北省武汉市黄陂区 1 420123:1983-1998 420116:1998-
湖北省武汉市新洲区 0.5 420124:1983-1998 420117:1998-
"""
# Where people in a Jiangxia community come from when not from Wuhan: mostly the rest of Hubei
# (咸宁 next door, 黄冈, 孝感, 荆州 …), then 信阳 in Henan, 岳阳, 九江, 安庆 and Sichuan.
_OTHER = """
湖北省黄石市大冶市 2 420221:-1994 420281:1994-
湖北省黄石市阳新县 2 422327:-1996 420222:1996-
湖北省咸宁市咸安区 3 422321:-1983 422301:1983-1998 421202:1998-
湖北省咸宁市嘉鱼县 2.5 422322:-1998 421221:1998-
湖北省咸宁市赤壁市 2 422323:-1986 422302:1986-1998 421281:1998-
湖北省咸宁市通城县 1.5 422324:-1998 421222:1998-
湖北省咸宁市崇阳县 1.5 422325:-1998 421223:1998-
湖北省咸宁市通山县 1.5 422326:-1998 421224:1998-
湖北省黄冈市麻城市 2.5 422124:-1986 422101:1986-1995 421181:1995-
湖北省黄冈市红安县 1.5 422123:-1995 421122:1995-
湖北省黄冈市浠水县 2 422127:-1995 421125:1995-
湖北省黄冈市蕲春县 2 422128:-1995 421126:1995-
湖北省黄冈市黄梅县 1.5 422130:-1995 421127:1995-
湖北省黄冈市罗田县 1 422125:-1995 421123:1995-
湖北省黄冈市英山县 1 422126:-1995 421124:1995-
湖北省黄冈市武穴市 1 422129:-1987 422102:1987-1995 421182:1995-
湖北省孝感市孝南区 2 422221:-1983 422201:1983-1993 420902:1993-
湖北省孝感市汉川市 1.5 422228:-1993 420924:1993-1997 420984:1997-
湖北省孝感市应城市 1 422227:-1986 422202:1986-1993 420981:1993-
湖北省孝感市安陆市 1 422225:-1987 422203:1987-1993 420982:1993-
湖北省孝感市云梦县 1 422226:-1993 420923:1993-
湖北省孝感市大悟县 1 422223:-1993 420922:1993-
湖北省荆州市洪湖市 2 422426:-1987 422403:1987-1994 421083:1994-
湖北省荆州市监利市 2 422425:-1994 421023:1994-2020 421088:2020-
湖北省荆州市公安县 1.5 422423:-1994 421022:1994-
湖北省荆州市石首市 1 422424:-1986 422402:1986-1994 421081:1994-
湖北省荆州市江陵县 1 422421:-1994 421004:1994-1998 421024:1998-
湖北省仙桃市 2 422427:-1986 422401:1986-1994 429004:1994-
湖北省天门市 1.5 422428:-1987 422404:1987-1994 429006:1994-
湖北省潜江市 1 422429:-1988 422405:1988-1994 429005:1994-
湖北省荆门市钟祥市 1 422431:-1992 422406:1992-1994 421082:1994-1996 420881:1996-
湖北省荆门市京山市 0.8 422432:-1994 421025:1994-1996 420821:1996-2018 420882:2018-
湖北省襄阳市枣阳市 0.8 422522:-1983 420622:1983-1988 429003:1988-1989 420683:1989-
湖北省恩施土家族苗族自治州恩施市 1 422821:-1983 422801:1981-
湖北省恩施土家族苗族自治州利川市 0.8 422824:-1986 422802:1986-
湖北省恩施土家族苗族自治州建始县 0.5 422822:-
湖北省恩施土家族苗族自治州巴东县 0.5 422823:-
湖北省宜昌市秭归县 0.6 422727:-1992 420527:1992-
湖北省宜昌市当阳市 0.6 422724:-1988 422702:1988-1992 420582:1992-
湖北省襄阳市襄城区 0.6 420602:1984- city
湖北省宜昌市西陵区 0.6 420502:1986- city
湖北省黄石市黄石港区 0.6 420202:1983- city
湖北省十堰市茅箭区 0.5 420302:1984- city
河南省信阳市光山县 1.5 413025:-1998 411522:1998-
河南省信阳市固始县 1.5 413026:-1998 411525:1998-
河南省信阳市商城县 1 413027:-1998 411524:1998-
河南省信阳市息县 1 413021:-1998 411528:1998-
河南省信阳市罗山县 1 413028:-1998 411521:1998-
河南省信阳市潢川县 1 413024:-1998 411526:1998-
河南省信阳市新县 0.8 413029:-1998 411523:1998-
河南省南阳市唐河县 0.6 412929:-1994 411328:1994-
河南省驻马店市正阳县 0.6 412829:-2000 411724:2000-
河南省周口市郸城县 0.6 412726:-2000 411625:2000-
湖南省岳阳市岳阳县 1.5 432221:-1983 430621:1983-
湖南省岳阳市临湘市 1.5 432225:-1986 430622:1986-1992 430682:1992-
湖南省岳阳市华容县 1 432226:-1986 430623:1986-
湖南省岳阳市平江县 1 432222:-1986 430626:1986-
湖南省岳阳市湘阴县 0.8 432223:-1986 430624:1986-
湖南省常德市澧县 0.8 432424:-1988 430723:1988-
湖南省长沙市长沙县 0.8 430121:-
湖南省湘潭市湘潭县 0.6 430321:-
湖南省邵阳市邵东市 0.6 432523:-1983 430521:1983-2019 430582:2019-
安徽省安庆市宿松县 1.2 342826:-1988 340826:1988-
安徽省安庆市太湖县 1 342825:-1988 340825:1988-
安徽省安庆市望江县 0.8 342827:-1988 340827:1988-
安徽省安庆市怀宁县 0.8 342821:-1988 340822:1988-
安徽省安庆市岳西县 0.6 342828:-1988 340828:1988-
安徽省六安市霍邱县 0.6 342423:-1999 341522:1999-
安徽省阜阳市临泉县 0.6 342122:-1996 341221:1996-
安徽省合肥市长丰县 0.4 340121:-
江西省九江市瑞昌市 1.2 362622:-1983 360422:1983-1989 360481:1989-
江西省九江市修水县 1.2 362624:-1983 360424:1983-
江西省九江市武宁县 1 362623:-1983 360423:1983-
江西省九江市都昌县 1 362628:-1983 360428:1983-
江西省九江市彭泽县 0.8 362630:-1983 360430:1983-
江西省九江市永修县 0.8 362625:-1983 360425:1983-
江西省南昌市南昌县 0.6 360121:-
四川省南充市营山县 0.8 512924:-1993 511322:1993-
四川省达州市宣汉县 0.8 513022:-1999 511722:1999-
四川省达州市渠县 0.8 513030:-1999 511725:1999-
四川省广安市岳池县 0.6 512923:-1993 513622:1993-1998 511621:1998-
四川省成都市金堂县 0.5 510121:-
重庆市云阳县 0.6 500235:1997-
重庆市奉节县 0.6 500236:1997-
"""


@dataclass(frozen=True)
class Place:
    address: str
    weight: float
    chain: tuple  # ((code, first year or 0, last year or 9999), ...)
    urban: bool

    def code_for(self, year: int) -> str | None:
        found = None
        for c, a, b in self.chain:
            if a <= year <= b:
                found = c  # the newer code where two overlap
        return found

    @property
    def province(self) -> str:
        return self.address[:3]


def _places(text: str) -> list[Place]:
    out = []
    for line in text.strip().splitlines():
        parts = line.split()
        urban = parts[-1] == "city"
        chain = []
        for token in parts[2:-1] if urban else parts[2:]:
            code, _c, span = token.partition(":")
            a, _d, b = span.partition("-")
            chain.append((code, int(a or 0), int(b or 9999)))
        out.append(Place(parts[0], float(parts[1]), tuple(chain), urban or "区" in parts[0][-1:]))
    return out


LOCAL_PLACES = _places(_LOCAL)
OTHER_PLACES = _places(_OTHER)
JIANGXIA = LOCAL_PLACES[0]
# Where Wuhan people whose 户口 is elsewhere in the city (人户分离) are registered: real 街道.
WUHAN_STREETS = {
    "洪山区": ["关山街道", "珞南街道", "狮子山街道", "张家湾街道", "青菱街道"],
    "武昌区": ["中南路街道", "水果湖街道", "积玉桥街道", "杨园街道", "首义路街道"],
    "江岸区": ["大智街道", "台北街道", "后湖街道"],
    "江汉区": ["民族街道", "唐家墩街道", "汉兴街道"],
    "汉阳区": ["四新街道", "琴断口街道", "建桥街道"],
    "青山区": ["红卫路街道", "冶金街道"],
    "江夏区": ["金口街道", "郑店街道", "五里界街道", "乌龙泉街道", "山坡街道"],
}
ROADS = _words(
    "建设路 和平路 友谊路 新华路 民主路 解放路 人民路 团结路 文化路 光明路 胜利路 中山路 东风路 兴业路"
)
# Village names follow each region's habit: 湾/畈/垸 in Hubei, 庄/营 in Henan, 冲/坪 in Hunan …
VILLAGE_SUFFIX = {
    "湖北省": "湾 畈 垸 岗 咀 冲 铺",
    "河南省": "庄 营 寨 岗 店",
    "湖南省": "冲 坪 湾 塘 垅",
    "安徽省": "岗 圩 冲 湾 畈",
    "江西省": "坑 垅 塘 村 湾",
    "四川省": "沟 坝 湾 嘴 坪",
    "重庆市": "沟 坝 湾 嘴 坪",
}
VILLAGE_SUFFIX = {k: _words(v) for k, v in VILLAGE_SUFFIX.items()}

# GB 3304 codes: a few minorities among Han, more 土家族/苗族 among people from 恩施.
ETHNIC_OTHER = _Picker(
    [("15", 35), ("03", 30), ("06", 15), ("11", 15), ("08", 10), ("02", 8), ("12", 6), ("07", 3), ("10", 3),
     ("05", 3), ("04", 2), ("13", 2)]
)  # fmt: skip
ENSHI = {"422801", "422802", "422821", "422822", "422823", "422824"}

MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 147 150 151 152 153 155 156 157 158 159 166 172 173 175 176 "
    "177 178 180 181 182 183 185 186 187 188 189 191 193 195 198 199"
)

EMPLOYERS = _weighted(
    "上汽通用汽车武汉分公司8 中建三局6 武汉地铁集团4 江夏区人民医院4 江夏区中医医院3 华中科技大学3 武汉大学2 "
    "武汉东湖学院3 湖北美术学院2 中百仓储纸坊店3 国网武汉供电公司2 江夏区第一中学2 纸坊街第二小学2 "
    "江夏区纸坊街道办事处2 长江存储科技有限责任公司3 华为武汉研究所2 中国邮政江夏区分公司2 江夏农商银行纸坊支行2 "
    "中铁十一局集团2 武汉光迅科技2 京东方武汉工厂2 小米武汉总部1 江夏区税务局1 纸坊街社区卫生服务中心2 "
    "武汉宁安物业服务有限公司2 湖北江城物业管理有限公司2 武汉金口建材有限公司2 湖北龙泉建设工程有限公司2 "
    "江夏区公安分局1 江夏区城管执法局1 武汉市江夏区人民法院1 中国移动武汉分公司1 武汉晨鸣纸业1"
)
SMALL_FIRMS = _words("鑫盛 宏达 瑞丰 恒通 华腾 金桥 联创 德胜 众合 天润 江城 楚天 华兴 新源")
TRADES = _words("商贸 建材 物流 餐饮 装饰工程 电子科技 机电设备 汽车服务 家政服务 广告传媒")
FLEXIBLE = _weighted("个体经营30 网约车司机10 外卖骑手12 快递员10 装修工10 家政服务8 自由职业10 保洁6 保安4")
FOREIGN_EMPLOYERS = _words(
    "神龙汽车有限公司 上汽通用汽车武汉分公司 武汉东湖学院 华中科技大学 湖北美术学院 武汉外国语学校"
)
UNIVERSITIES = _words(
    "武汉大学 华中科技大学 武汉理工大学 中南财经政法大学 湖北大学 武汉东湖学院 湖北美术学院 武汉职业技术学院"
)


# --- rows ----------------------------------------------------------------------------------------
@dataclass
class TagRow:
    code: str
    detail: dict = field(default_factory=dict)
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    def current(self, today: dt.date) -> bool:
        return self.end_date is None or self.end_date > today


@dataclass
class EventRow:
    kind: str
    date: dt.date
    note: str = ""
    detail: dict = field(default_factory=dict)


@dataclass
class PersonRow:
    """One resident as the registry holds them (model field values; enumerations as values)."""

    name: str
    doc_type: str
    doc_number: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    education: str
    political_status: str
    marital_status: str
    phone: str
    registered_address: str
    residence_type: str
    move_in_date: dt.date | None
    employment: str
    work_unit: str
    relationship: str  # "" once the person has left the household (迁出, 死亡)
    household_key: str | None
    address: tuple  # (compound, building, unit, house number)
    tags: list = field(default_factory=list)  # [TagRow]
    remarks: str = ""
    tenure: str = Tenure.OWNED
    status: str = Status.ACTIVE
    events: list = field(default_factory=list)  # [EventRow], oldest first

    def age(self, today: dt.date) -> int:
        return _age(self.birth_date, today)

    def current_tags(self, today: dt.date) -> list:
        return [t for t in self.tags if t.current(today)]


@dataclass
class HouseholdRow:
    key: str
    address: tuple
    tenure: str
    number: str = ""  # 户号, for households whose 户口 is here
    landlord_name: str = ""
    lease_start: dt.date | None = None
    lease_end: dt.date | None = None
    remarks: str = ""


@dataclass
class CommunityPlan:
    rows: list  # [PersonRow]: active residents, then those who left or died
    households: dict  # key → HouseholdRow
    houses: dict  # address → (HouseUse value, owner name) for every house of the list
    registry_start: dt.date  # the 入户摸排 that built the registry: residents before it 建档 then


@dataclass
class VisitRow:
    date: dt.date
    hour: int
    minute: int
    method: str  # VisitMethod value
    findings: str
    follow_up: bool = False
    follow_up_note: str = ""


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


# --- household composition -----------------------------------------------------------------------
@dataclass
class _M:
    rel: str
    age: int
    male: bool
    spouse: bool = False  # their spouse lives in the same household


# Household kinds with weights per situation. The family weights are set so that, with the renters
# mixed in, the mean size is ≈ 2.6 and 60+ ≈ 23 % (checked by tests/people/test_synth.py).
FAMILY_KINDS = _weighted(
    "single_young:5 single_mid:4 single_old:10 couple_young:4 couple_mid:7 couple_old:10 nuclear1:18 nuclear2:11 "
    "single_parent:4 three_gen_up:9 three_gen_down:9.5 old_adult_child:4.5 mid_parent:3.5 skipped:1.2 siblings:0.8"
)
RENTER_KINDS = _weighted(
    "single_young:30 single_mid:7 couple_young:14 nuclear1:22 nuclear2:7 roommates:12 couple_mid:5 single_old:3"
)
FOREIGN_KINDS = _weighted("single_young:45 single_mid:15 couple_young:22 nuclear1:18")
# Ages of the elderly who head a household: Wuhan's 2020 census has ~1 in 6 of the 60+ aged 80+.
OLD_AGE = _weighted("60-64:22 65-69:24 70-74:20 75-79:15 80-84:10 85-89:6 90-96:3")


def _span(rng, token: str) -> int:
    a, b = token.split("-")
    return rng.randint(int(a), int(b))


def _birth_gap(rng) -> int:
    """A mother's age at a birth (peak in the late twenties)."""
    return max(20, min(40, int(rng.triangular(21, 38, 27))))


def _children(rng, n: int, mother_age: int, max_age: int = 24, eldest: int | None = None) -> list[_M]:
    """Up to n children of a mother of that age: the eldest `eldest` years old (or any age the
    mother's allows, up to max_age), the next ones 2–8 years apart."""
    out = []
    if eldest is None:
        cap = min(max_age, mother_age - 20)
        if cap < 0:
            return out
        eldest = rng.randint(0, cap)
    age = eldest
    for _ in range(n):
        if age < 0:
            break
        male = rng.random() < 0.52
        out.append(_M(RL.SON if male else RL.DAUGHTER, age, male))
        age -= rng.randint(2, 8)
    return out


def _couple(rng, husband_age: int, head_male: float = 0.72) -> list[_M]:
    wife = max(18, husband_age - int(round(rng.gauss(2, 2.5))))
    if rng.random() < head_male:
        return [_M(RL.HEAD, husband_age, True, True), _M(RL.SPOUSE, wife, False, True)]
    return [_M(RL.HEAD, wife, False, True), _M(RL.SPOUSE, husband_age, True, True)]


def _compose(rng, kind: str) -> list[_M]:
    """The members of a household of this kind, head first, with ages and sexes consistent."""
    r = rng.random
    if kind == "single_young":
        return [_M(RL.HEAD, rng.randint(20, 39), r() < 0.56)]
    if kind == "single_mid":
        return [_M(RL.HEAD, rng.randint(40, 59), r() < 0.55)]
    if kind == "single_old":
        return [_M(RL.HEAD, _span(rng, OLD_AGE(rng)), r() < 0.36)]  # more widows than widowers
    if kind == "couple_young":
        return _couple(rng, rng.randint(23, 38))
    if kind == "couple_mid":
        return _couple(rng, rng.randint(45, 62))
    if kind == "couple_old":
        return _couple(rng, min(96, _span(rng, OLD_AGE(rng)) + 1), 0.85)
    if kind in ("nuclear1", "nuclear2"):
        n = 1 if kind == "nuclear1" else 2
        # The eldest child's age, then the mother's: gives a realistic spread of school ages and
        # of grown children still living with their parents.
        eldest = int(rng.triangular(0, 36, 21))
        mother = eldest + _birth_gap(rng)
        kids = _children(rng, n, mother, eldest=eldest)
        husband = mother + max(-2, int(round(rng.gauss(2, 2))))
        members = _couple(rng, husband)
        return members + kids
    if kind == "single_parent":
        parent_age = rng.randint(30, 55)
        male = r() < 0.22
        head = _M(RL.HEAD, parent_age, male)
        kids = _children(rng, 1 if r() < 0.7 else 2, parent_age if not male else parent_age - 2, max_age=22)
        return [head, *kids] if kids else [head, *_children(rng, 1, 40, 10)]
    if kind == "three_gen_up":
        # A young family with a grandparent or two who help with the children (父母 of the head).
        mother = rng.randint(28, 44)
        members = _couple(rng, mother + 2)
        members += _children(rng, 1 if r() < 0.65 else 2, mother, max_age=15) or _children(rng, 1, 30, 5)
        head = members[0]
        gp = min(92, head.age + _birth_gap(rng) + 1)
        if r() < 0.5:
            members += [_M(RL.PARENT, gp + 2, True, True), _M(RL.PARENT, gp, False, True)]
        else:
            members.append(_M(RL.PARENT, gp, r() < 0.3))
        return members
    if kind == "three_gen_down":
        # Elderly head, an adult child (and their spouse: 儿媳/女婿 → 其他亲属), grandchildren.
        head_age = rng.randint(56, 82)
        members = _couple(rng, head_age, 0.85) if r() < 0.7 else [_M(RL.HEAD, head_age, r() < 0.4)]
        mother = members[0].age if not members[0].male else members[0].age - 2
        child_age = max(22, mother - _birth_gap(rng))
        son = r() < 0.7
        married = r() < 0.85
        members.append(_M(RL.SON if son else RL.DAUGHTER, child_age, son, married))
        if married:
            inlaw = child_age + (-2 if son else 2) + rng.randint(-2, 2)
            members.append(_M(RL.OTHER_RELATIVE, max(20, inlaw), not son, True))
        young_mother = child_age if not son else max(20, child_age - 2)
        for k in _children(rng, 1 if r() < 0.7 else 2, young_mother, max_age=young_mother - 20):
            members.append(_M(RL.GRANDCHILD, k.age, k.male))
        return members
    if kind == "old_adult_child":
        head_age = _span(rng, OLD_AGE(rng))
        members = _couple(rng, head_age, 0.8) if r() < 0.4 else [_M(RL.HEAD, head_age, r() < 0.35)]
        mother = members[0].age if not members[0].male else members[0].age - 2
        child = max(24, min(58, mother - _birth_gap(rng)))
        male = r() < 0.55
        members.append(_M(RL.SON if male else RL.DAUGHTER, child, male))
        return members
    if kind == "mid_parent":
        head_age = rng.randint(45, 62)
        members = _couple(rng, head_age) if r() < 0.75 else [_M(RL.HEAD, head_age, r() < 0.5)]
        members.append(
            _M(RL.PARENT, min(97, members[0].age + _birth_gap(rng) + rng.randint(0, 4)), r() < 0.3)
        )
        return members
    if kind == "skipped":
        # Grandparents bringing up grandchildren whose parents work elsewhere (隔代家庭).
        gp = rng.randint(55, 74)
        members = _couple(rng, gp, 0.85) if r() < 0.6 else [_M(RL.HEAD, gp, r() < 0.3)]
        for _ in range(1 if r() < 0.75 else 2):
            male = r() < 0.53
            members.append(_M(RL.GRANDCHILD, rng.randint(3, 15), male))
        return members
    if kind == "siblings":
        a = rng.randint(25, 70)
        return [_M(RL.HEAD, a, r() < 0.5), _M(RL.SIBLING, max(20, a + rng.randint(-8, 8)), r() < 0.5)]
    if kind == "roommates":
        a = rng.randint(20, 34)
        male = r() < 0.55
        return [_M(RL.HEAD, a, male)] + [
            _M(RL.NON_RELATIVE, max(18, a + rng.randint(-4, 4)), male) for _ in range(1 if r() < 0.65 else 2)
        ]
    raise ValueError(kind)


# --- person attributes ---------------------------------------------------------------------------
# Highest education by age band for the resident population (Wuhan, 2020 census, rounded):
# 研究生 本科 专科 中职 高中 初中 小学 未上学
_EDU_ORDER = [
    ED.POSTGRADUATE,
    ED.BACHELOR,
    ED.COLLEGE,
    ED.VOCATIONAL,
    ED.HIGH_SCHOOL,
    ED.JUNIOR,
    ED.PRIMARY,
    ED.NONE,
]
_EDU_BANDS = [
    (34, [7, 30, 22, 9, 13, 17, 2, 0]),
    (44, [4, 22, 20, 9, 16, 24, 5, 0]),
    (54, [2, 10, 13, 9, 24, 34, 8, 0]),
    (64, [1, 6, 8, 7, 26, 38, 13, 1]),
    (74, [0.5, 4, 5, 5, 20, 32, 28, 5.5]),
    (84, [0.3, 3, 3, 3, 12, 22, 40, 16.7]),
    (200, [0.2, 2, 2, 2, 8, 14, 42, 30]),
]
EDU_BY_AGE = [(top, _Picker(list(zip(_EDU_ORDER, w, strict=True)))) for top, w in _EDU_BANDS]
# Migrants who rent (流动人口) have less schooling than the registered population of their age.
EDU_MIGRANT = _Picker(list(zip(_EDU_ORDER, [1, 8, 12, 12, 20, 38, 8, 1], strict=True)))
EDU_FOREIGN = _Picker([(ED.POSTGRADUATE, 25), (ED.BACHELOR, 50), (ED.COLLEGE, 15), (ED.HIGH_SCHOOL, 10)])
_EDU_RANK = {e: i for i, e in enumerate(_EDU_ORDER)}

DISABILITY_BY_AGE = {  # category weights (第二次全国残疾人抽样调查: 肢体 and 听力 lead; 智力 in the young)
    "young": _Picker(list(zip(DISABILITY_CATEGORIES, [8, 10, 8, 22, 30, 8, 14], strict=True))),
    "adult": _Picker(list(zip(DISABILITY_CATEGORIES, [12, 14, 2, 36, 10, 14, 12], strict=True))),
    "old": _Picker(list(zip(DISABILITY_CATEGORIES, [20, 32, 1, 30, 2, 4, 11], strict=True))),
}
DISABILITY_GRADE = _Picker(list(zip(DISABILITY_GRADES, [12, 20, 25, 43], strict=True)))


class _Synth:
    """State of one generation run: the random source, the numbers already handed out, and the
    reference date everything is measured from."""

    def __init__(
        self, rng: random.Random, community_code: str, today: dt.date, address_prefix: str, seq_digit: int
    ):
        self.rng = rng
        self.code = community_code
        self.today = today
        self.prefix = address_prefix
        self.seq_digit = seq_digit
        self.used_numbers: set[str] = set()
        self.used_phones: set[str] = set()
        self.registry_start = _years_ago(today, 2) - dt.timedelta(days=rng.randint(0, 60))
        self.local_pick = _Picker([(p, p.weight) for p in LOCAL_PLACES])
        self.other_pick = _Picker([(p, p.weight) for p in OTHER_PLACES])
        self.household_seq = 0

    # identities -----------------------------------------------------------------------------------
    def birth(self, age: int) -> dt.date:
        return _years_ago(self.today, age) - dt.timedelta(days=int(self.rng.random() * 365))

    def name(self, male: bool, birth_year: int, surname: str | None = None) -> str:
        era = ERAS[bisect.bisect_left(ERAS, birth_year)] if birth_year <= ERAS[-1] else ERAS[-1]
        pool = GIVEN[era, MALE if male else FEMALE]
        random_ = self.rng.random
        given = pool[int(random_() * len(pool))]
        if len(given) == 1 and random_() < 0.45:
            # 2-character given names dominate after the 1980s; pad some 1-character ones.
            given = pool[int(random_() * len(pool))][:1] + given
        return (surname or SURNAMES(self.rng)) + given

    def id_number(self, place: Place, birth: dt.date, male: bool) -> str:
        """An 18-digit number: region code in force in the birth year, birth date, a sequence whose
        first digit is the community's (so two communities never collide) and whose last digit's
        parity is the sex, then the GB 11643 check character."""
        code = place.code_for(birth.year)
        if code is None:  # the place had no code of its own that year: born somewhere like it
            pool = self.local_pick if place in LOCAL_PLACES else self.other_pick
            for _ in range(20):
                code = pool(self.rng).code_for(birth.year)
                if code:
                    break
            code = code or JIANGXIA.code_for(birth.year)
        stem = f"{code}{birth.year}{birth.month:02d}{birth.day:02d}{self.seq_digit}"
        parity = 1 if male else 0
        random_ = self.rng.random
        for attempt in range(90):
            if attempt < 40:
                tail = f"{int(random_() * 10)}{int(random_() * 5) * 2 + parity}"
            else:  # crowded day: walk every sequence
                n = attempt - 40
                tail = f"{n // 5}{n % 5 * 2 + parity}"
            first = stem + tail
            number = first + id_check_char(first)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number
        raise RuntimeError(f"no free sequence number for {stem}")

    def mobile(self) -> str:
        random_ = self.rng.random
        while True:
            number = MOBILE_PREFIXES[int(random_() * len(MOBILE_PREFIXES))] + f"{int(random_() * 1e8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def passport(self, pattern: str) -> str:
        """A number in the country's passport pattern (# digit, A letter); its last digit is the
        community's, as in the ID sequence numbers."""
        rng = self.rng
        last = pattern.rindex("#")
        while True:
            out = []
            for i, ch in enumerate(pattern):
                if i == last:
                    out.append(str(self.seq_digit))
                elif ch == "#":
                    out.append(str(rng.randrange(10)))
                elif ch == "A":
                    out.append(chr(65 + rng.randrange(26)))
                else:
                    out.append(ch)
            number = "".join(out)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def foreign_pr(self, iso: str, birth: dt.date, male: bool) -> str:
        """外国人永久居留身份证 (2023 version): 9, province of issue (42 湖北), nationality code,
        birth date, sequence (odd for men), MOD 11-2 check — 18 characters like a 身份证."""
        while True:
            first = f"942{iso}{birth:%Y%m%d}{self.seq_digit}{self.rng.randrange(10)}{self.rng.randrange(5) * 2 + (1 if male else 0)}"
            number = first + id_check_char(first)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    # places and addresses ---------------------------------------------------------------------------
    def place(self, local: bool) -> Place:
        return self.local_pick(self.rng) if local else self.other_pick(self.rng)

    def village_address(self, place: Place) -> str:
        rng = self.rng
        if place.urban:
            return f"{place.address}{rng.choice(ROADS)}{rng.randint(1, 380)}号"
        suffix = rng.choice(VILLAGE_SUFFIX.get(place.province, VILLAGE_SUFFIX["湖北省"]))
        village = SURNAMES(rng) + ("家" if rng.random() < 0.6 else "") + suffix
        return f"{place.address}{village}村{rng.randint(1, 12)}组"

    def wuhan_address(self) -> str:
        rng = self.rng
        district = rng.choice(list(WUHAN_STREETS))
        street = rng.choice(WUHAN_STREETS[district])
        return (
            f"湖北省武汉市{district}{street}{rng.choice(ROADS)}{rng.randint(1, 260)}号"
            f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 26)}{rng.randint(1, 4):02d}室"
        )

    def here_address(self, address: tuple) -> str:
        compound, building, unit, house = address
        return f"{self.prefix}{compound}{building}{unit}{house}室"


# --- attributes ----------------------------------------------------------------------------------
def _education(s: _Synth, age: int, student: bool, migrant: bool) -> str:
    rng = s.rng
    if age < 6:
        return ED.PRESCHOOL
    if age < 12:
        return ED.PRIMARY
    if age < 15:
        return ED.JUNIOR
    if age < 18:
        return ED.HIGH_SCHOOL if rng.random() < 0.65 else ED.VOCATIONAL
    if student and age < 23:
        return ED.BACHELOR if rng.random() < 0.6 else ED.COLLEGE
    if student:
        return ED.POSTGRADUATE if rng.random() < 0.6 else ED.BACHELOR
    value = EDU_MIGRANT(rng) if migrant else next(p for top, p in EDU_BY_AGE if age <= top)(rng)
    if age < 22 and value in (ED.POSTGRADUATE, ED.BACHELOR):
        value = ED.HIGH_SCHOOL
    return value


def _political(s: _Synth, age: int, education: str, student: bool, migrant: bool) -> str:
    rng = s.rng
    if age < 14:
        return ""
    if age < 18:
        return PS.LEAGUE_MEMBER if rng.random() < (0.6 if student else 0.25) else PS.MASSES
    base = 0.035 if age < 29 else (0.085 if age < 60 else 0.12)
    rank = _EDU_RANK.get(education, 5)
    base *= (2.3, 2.0, 1.4, 0.9, 1.0, 0.55, 0.35, 0.2)[rank]
    if migrant:
        base *= 0.6
    x = rng.random()
    if x < base:
        return PS.PARTY_MEMBER
    x -= base
    if age < 36 and x < 0.004:
        return PS.PROBATIONARY
    if age < 29 and x < 0.004 + (0.5 if student else 0.3) * (29 - age) / 11:
        return PS.LEAGUE_MEMBER
    if rank <= 1 and x > 0.985:
        return PS.DEMOCRATIC_PARTY if age >= 30 else PS.MASSES
    return PS.MASSES


def _marital(s: _Synth, m: _M) -> str:
    if m.spouse:
        return MS.MARRIED
    a, x = m.age, s.rng.random()
    if a < 16:
        return ""
    if a < 20:
        return MS.SINGLE
    if a < 25:
        return MS.SINGLE if x < 0.88 else (MS.MARRIED if x < 0.97 else MS.DIVORCED)
    if a < 30:
        return MS.SINGLE if x < 0.62 else (MS.MARRIED if x < 0.86 else MS.DIVORCED)
    if a < 45:
        return (
            MS.SINGLE if x < 0.3 else (MS.MARRIED if x < 0.6 else (MS.DIVORCED if x < 0.95 else MS.WIDOWED))
        )
    if a < 60:
        return (
            MS.SINGLE if x < 0.1 else (MS.MARRIED if x < 0.38 else (MS.DIVORCED if x < 0.72 else MS.WIDOWED))
        )
    return MS.SINGLE if x < 0.04 else (MS.MARRIED if x < 0.12 else (MS.DIVORCED if x < 0.2 else MS.WIDOWED))


def _employment(s: _Synth, age: int, male: bool, rtype: str) -> tuple[str, bool]:
    """(就业状况, still in education)."""
    rng = s.rng
    x = rng.random()
    if age < 6:
        return EM.PRESCHOOL, False
    if age < 16:
        return EM.STUDENT, True
    if age < 18:
        return (EM.STUDENT, True) if x < 0.92 else ((EM.FLEXIBLE, False) if x < 0.97 else (EM.NONE, False))
    if age < 23 and x < (0.62 if rtype != RT.FLOATING else 0.15):
        return EM.STUDENT, True
    if 23 <= age < 27 and x < 0.1 and rtype != RT.FLOATING:
        return EM.STUDENT, True
    retire = 60 if male else 55
    if age >= retire or (not male and age >= 50 and x < 0.55):
        if rtype in (RT.FLOATING, RT.NON_REGISTERED):
            return (EM.RETIRED if rng.random() < 0.45 else EM.NONE), False
        y = rng.random()
        return (EM.RETIRED if y < 0.88 else (EM.NONE if y < 0.98 else EM.OTHER)), False
    y = rng.random()
    if rtype == RT.FLOATING:
        table = (
            (0.68, EM.EMPLOYED),
            (0.94, EM.FLEXIBLE),
            (0.965, EM.UNEMPLOYED),
            (0.995, EM.NONE),
            (1, EM.OTHER),
        )
    elif rtype == RT.FOREIGN:
        table = ((0.85, EM.EMPLOYED), (0.9, EM.FLEXIBLE), (1, EM.NONE))
    else:
        table = (
            (0.72, EM.EMPLOYED),
            (0.86, EM.FLEXIBLE),
            (0.9, EM.UNEMPLOYED),
            (0.98, EM.NONE),
            (1, EM.OTHER),
        )
    for limit, value in table:
        if y < limit:
            return value, False
    return EM.OTHER, False


def _work_unit(s: _Synth, age: int, employment: str, education: str, foreign: bool) -> str:
    rng = s.rng
    if employment == EM.EMPLOYED:
        if foreign:
            return rng.choice(FOREIGN_EMPLOYERS)
        if rng.random() < 0.55:
            return EMPLOYERS(rng)
        return f"武汉{rng.choice(SMALL_FIRMS)}{rng.choice(TRADES)}有限公司"
    if employment == EM.FLEXIBLE:
        return FLEXIBLE(rng)
    if employment == EM.STUDENT:
        if age < 12:
            return rng.choice(["纸坊街第二小学", "江夏区实验小学", "纸坊街第一小学"])
        if age < 15:
            return rng.choice(["江夏区第一初级中学", "江夏区实验初级中学"])
        if age < 18:
            return "江夏区第一中学" if education == ED.HIGH_SCHOOL else "武汉市江夏区职业技术学校"
        return rng.choice(UNIVERSITIES)
    if employment == EM.PRESCHOOL and age >= 3:
        return rng.choice(["纸坊幼儿园", "江夏区机关幼儿园", "宁港花园幼儿园"])
    return ""


# --- households ----------------------------------------------------------------------------------
RESIDENCE = _Picker(
    [
        (RT.REGISTERED, 69),
        (RT.SEPARATED, 7.9),
        (RT.NON_REGISTERED, 11.2),
        (RT.FLOATING, 11.3),
        (RT.FOREIGN, 0.8),
    ]
)


def _tenure(s: _Synth, rtype: str) -> str:
    x = s.rng.random()
    if rtype == RT.REGISTERED:
        return Tenure.OWNED if x < 0.93 else (Tenure.BORROWED if x < 0.97 else Tenure.RENTED)
    if rtype == RT.SEPARATED:
        return Tenure.OWNED if x < 0.6 else (Tenure.RENTED if x < 0.95 else Tenure.BORROWED)
    if rtype == RT.NON_REGISTERED:
        return Tenure.OWNED if x < 0.42 else (Tenure.RENTED if x < 0.95 else Tenure.BORROWED)
    if rtype == RT.FLOATING:
        return Tenure.RENTED if x < 0.9 else (Tenure.BORROWED if x < 0.97 else Tenure.OTHER)
    return Tenure.RENTED if x < 0.95 else Tenure.OWNED


def _household(s: _Synth, key: str, address: tuple) -> tuple[list[PersonRow], HouseholdRow, str]:
    rng, today = s.rng, s.today
    rtype = RESIDENCE(rng)
    tenure = _tenure(s, rtype)
    if rtype == RT.FOREIGN:
        kind = FOREIGN_KINDS(rng)
    elif tenure == Tenure.OWNED or rtype in (RT.REGISTERED, RT.SEPARATED):
        kind = FAMILY_KINDS(rng)
    else:
        kind = RENTER_KINDS(rng)
    members = _compose(rng, kind)
    # When they came: owners anywhere in the last thirty years, renters in the last few.
    if tenure in (Tenure.RENTED, Tenure.OTHER) or rtype == RT.FOREIGN:
        arrived = today - dt.timedelta(days=int(rng.expovariate(1 / 700)) % 2900 + 5)
    else:
        arrived = today - dt.timedelta(days=rng.randint(200, 365 * 28))
    head_age = members[0].age
    arrived = max(arrived, _years_ago(today, max(0, head_age - 20)))
    hh = HouseholdRow(key=key, address=address, tenure=tenure)
    if rtype == RT.REGISTERED:
        s.household_seq += 1
        hh.number = f"{s.seq_digit}{s.household_seq:08d}"
    if tenure == Tenure.RENTED:
        hh.landlord_name = s.name(rng.random() < 0.55, rng.randint(1950, 1990))
        start = arrived
        while start + dt.timedelta(days=365) < today - dt.timedelta(days=rng.randint(0, 90)):
            start += dt.timedelta(days=365)  # renewed every year; a few leases lapsed lately
        hh.lease_start, hh.lease_end = start, start + dt.timedelta(days=364)
    foreign = FOREIGN_PICK(rng) if rtype == RT.FOREIGN else None
    local_household = rtype in (RT.REGISTERED, RT.SEPARATED) and rng.random() < 0.96
    home = s.place(local=local_household or (rtype == RT.NON_REGISTERED and rng.random() < 0.03))
    head_ethnic = HAN
    if rtype != RT.FOREIGN:
        enshi = home.chain[-1][0] in ENSHI
        if rng.random() < (0.55 if enshi else 0.012):
            head_ethnic = "15" if enshi and rng.random() < 0.85 else ETHNIC_OTHER(rng)
    family_surname = SURNAMES(rng)
    registered_here = s.here_address(address) if rtype == RT.REGISTERED else ""
    separated_home = s.wuhan_address() if rtype == RT.SEPARATED else ""
    origin_home = s.village_address(home) if rtype in (RT.NON_REGISTERED, RT.FLOATING) else ""

    rows = []
    husband_present = any(m.male and m.rel in (RL.HEAD, RL.SPOUSE) and m.spouse for m in members)
    foreign_surname = ""
    for i, m in enumerate(members):
        birth = s.birth(m.age)
        # The family name runs down the father's line: men of the line, children and grandchildren
        # carry it; wives, mothers and in-laws keep their own (Chinese women keep their surname).
        kin = m.rel in (RL.HEAD, RL.SON, RL.DAUGHTER, RL.GRANDCHILD, RL.SIBLING)
        of_the_line = (
            (m.male and m.rel in (RL.HEAD, RL.SPOUSE, RL.PARENT, RL.SON, RL.GRANDCHILD, RL.SIBLING))
            or m.rel in (RL.DAUGHTER, RL.GRANDCHILD)
            or (m.rel in (RL.HEAD, RL.SIBLING) and not husband_present)
        )
        surname = family_surname if of_the_line else None
        married_in = m.rel in (RL.SPOUSE, RL.OTHER_RELATIVE)
        person_rtype = rtype
        if rtype == RT.REGISTERED and married_in and rng.random() < 0.12:
            person_rtype = RT.NON_REGISTERED  # married in, 户口 still at home
        if foreign:
            nat, iso, pattern, city, men, women, surnames, han_men, han_women, _w = foreign
            han = han_men if m.male else han_women
            if han and rng.random() < 0.4:
                name = rng.choice(han.split("|"))
            else:
                given = rng.choice((men if m.male else women).split("|"))
                last = foreign_surname if kin and i else rng.choice(surnames.split("|"))
                name = f"{last} {given}" if nat in ("韩国", "越南", "日本") else f"{given} {last}"
                if i == 0:
                    foreign_surname = last
            if m.age >= 18 and rng.random() < 0.22:
                doc_type, number = DocType.FOREIGN_PR, s.foreign_pr(iso, birth, m.male)
            else:
                doc_type, number = DocType.PASSPORT, s.passport(pattern)
            registered = f"{nat}{city}"
            ethnicity = ""
        else:
            name = s.name(m.male, birth.year, surname)
            if (
                rtype == RT.REGISTERED
                and m.rel in (RL.SON, RL.DAUGHTER, RL.GRANDCHILD)
                and rng.random() < 0.95
            ):
                place = JIANGXIA  # born into a family whose 户口 is here: numbered here
            elif person_rtype != rtype:
                place = s.place(local=False)
            elif married_in and rng.random() < 0.2:
                place = s.place(local=rng.random() < 0.6)
            else:
                place = home
            doc_type, number = DocType.ID_CARD, s.id_number(place, birth, m.male)
            if person_rtype != rtype:
                registered = s.village_address(place)
            else:
                registered = registered_here or separated_home or origin_home
            if married_in and rng.random() < 0.3:
                ethnicity = ETHNIC_OTHER(rng) if rng.random() < 0.012 else HAN
            else:
                ethnicity = head_ethnic
        migrant = person_rtype in (RT.FLOATING,) or (
            person_rtype == RT.NON_REGISTERED and tenure != Tenure.OWNED
        )
        employment, student = _employment(s, m.age, m.male, person_rtype)
        if foreign:
            education = EDU_FOREIGN(rng) if m.age >= 22 else _education(s, m.age, student, False)
        else:
            education = _education(s, m.age, student, migrant)
        political = "" if foreign else _political(s, m.age, education, student, migrant)
        marital = _marital(s, m)
        if m.rel == RL.HEAD and kind == "single_parent" and marital in (MS.SINGLE, ""):
            marital = MS.DIVORCED
        work = _work_unit(s, m.age, employment, education, bool(foreign))
        phone_p = (
            0.0
            if m.age < 14
            else (0.45 if m.age < 18 else (0.97 if m.age < 70 else (0.85 if m.age < 80 else 0.6)))
        )
        phone = s.mobile() if rng.random() < phone_p else ""
        move_in = max(arrived, birth)
        if married_in and rng.random() < 0.3 and m.age > 25:
            move_in = min(today, arrived + dt.timedelta(days=rng.randint(0, 3000)))
        rows.append(
            PersonRow(
                name=name, doc_type=doc_type, doc_number=number, gender=MALE if m.male else FEMALE,
                birth_date=birth, ethnicity=ethnicity, education=education, political_status=political,
                marital_status=marital, phone=phone, registered_address=registered, residence_type=person_rtype,
                move_in_date=move_in, employment=employment, work_unit=work, relationship=m.rel,
                household_key=key, address=address, tenure=tenure,
                remarks=f"国籍：{foreign[0]}" if foreign else "",
            )
        )  # fmt: skip
    return rows, hh, kind


# --- tags ----------------------------------------------------------------------------------------
def _pick_people(rng, candidates: list, weights: list, count: float) -> list:
    """About `count` of the candidates, each with probability in proportion to its weight."""
    total = sum(weights)
    if not total or count <= 0:
        return []
    scale = count / total
    return [c for c, w in zip(candidates, weights, strict=True) if rng.random() < w * scale]


def _since(s: _Synth, earliest: dt.date, years: float) -> dt.date:
    """A start date within the last `years` years, not before `earliest` and not in the future."""
    back = s.rng.randint(20, max(21, int(years * 365)))
    return min(s.today, max(earliest, s.today - dt.timedelta(days=back)))


def _assign_tags(s: _Synth, rows: list, households: dict, kinds: dict) -> None:
    rng, today = s.rng, s.today
    active = [r for r in rows if r.status == Status.ACTIVE]
    n = len(active)
    by_household: dict[str, list] = {}
    for r in active:
        by_household.setdefault(r.household_key, []).append(r)
    ages = {id(r): r.age(today) for r in active}
    registered = [r for r in active if r.residence_type == RT.REGISTERED]

    def add(r, code, start, **detail):
        if any(t.code == code for t in r.tags):
            return
        r.tags.append(TagRow(code, detail, start))

    # Elderly living alone (70+) and 空巢 (elderly couples; singles of 60–69).
    for key, members in by_household.items():
        olds = [r for r in members if ages[id(r)] >= 60]
        if len(members) == 1 and olds:
            r = olds[0]
            age = ages[id(r)]
            threshold = 70 if age >= 70 else 60
            # Tagged at the earliest when they reached the age, and not before they lived here.
            earliest = max(_years_ago(today, age - threshold), r.move_in_date or today)
            add(r, "living_alone" if age >= 70 else "empty_nest", _since(s, earliest, 6))
            if age >= 70 and rng.random() < 0.4:
                notes = ["子女在外地工作", "子女在汉口，每周回来", "行动不便，需定期上门"]
                if r.marital_status == MS.WIDOWED:
                    notes.append("老伴已去世")
                r.remarks = r.remarks or rng.choice(notes)
        elif len(members) == 2 and len(olds) == 2 and kinds.get(key) == "couple_old":
            start = _since(s, max(members[0].move_in_date or today, _years_ago(today, 1)), 6)
            for r in olds:
                add(r, "empty_nest", start)

    # 残疾人 ≈ 6 %, rising steeply with age.
    def disability_weight(r):
        a = ages[id(r)]
        return 0.25 if a < 18 else (0.5 if a < 45 else (1.0 if a < 60 else (1.9 if a < 75 else 3.2)))

    for r in _pick_people(rng, active, [disability_weight(r) for r in active], 0.06 * n):
        a = ages[id(r)]
        band = "young" if a < 18 else ("adult" if a < 60 else "old")
        category = DISABILITY_BY_AGE[band](rng)
        add(
            r,
            "disabled",
            _since(s, r.birth_date + dt.timedelta(days=400), 15),
            category=category,
            grade=DISABILITY_GRADE(rng),
        )
        if category in ("精神残疾", "智力残疾") and r.employment in (EM.EMPLOYED, EM.UNEMPLOYED):
            r.employment, r.work_unit = EM.NONE, ""

    # 低保 ≈ 2 % and 低收入 ≈ 2 % of people: whole households whose 户口 is here, more often those
    # with a disabled member, a lone elderly person or a single parent. 特困 ≈ 0.3 %: people alone.
    keys = [k for k, m in by_household.items() if all(r.residence_type == RT.REGISTERED for r in m)]

    def need(k):
        m = by_household[k]
        w = 1.0
        if any(t.code == "disabled" for r in m for t in r.tags):
            w *= 3
        if len(m) == 1 and ages[id(m[0])] >= 60:
            w *= 2
        if kinds.get(k) in ("single_parent", "skipped"):
            w *= 2.5
        if any(r.employment == EM.UNEMPLOYED for r in m):
            w *= 2
        return w

    sizes = {k: len(by_household[k]) for k in keys}

    def households_for(rate, pool, weights):
        # The count of households whose members make up `rate` of the people, given that the
        # weights favour small households.
        mean = sum(w * sizes[k] for k, w in zip(pool, weights, strict=True)) / max(1e-9, sum(weights))
        return rate * n / max(1.0, mean)

    singles = [k for k in keys if sizes[k] == 1]
    tekun = _pick_people(
        rng,
        singles,
        [need(k) * (1 if ages[id(by_household[k][0])] >= 60 else 0.5) for k in singles],
        0.003 * n,
    )
    for k in tekun:
        r = by_household[k][0]
        add(r, "tekun", _since(s, r.move_in_date or today, 10))
    tekun_set = set(tekun)
    rest = [k for k in keys if k not in tekun_set]
    weights = [need(k) for k in rest]
    # A list, not a set: iterating a set of strings follows the per-process hash seed, and the
    # draws made along the way would make two runs of the same seed differ.
    dibao = _pick_people(rng, rest, weights, households_for(0.02, rest, weights))
    for k in dibao:
        start = _since(s, min(r.move_in_date or today for r in by_household[k]), 8)
        for r in by_household[k]:
            add(r, "dibao", max(start, r.birth_date))
    dibao_set = set(dibao)
    rest = [k for k in rest if k not in dibao_set]
    weights = [need(k) for k in rest]
    for k in _pick_people(rng, rest, weights, households_for(0.02, rest, weights)):
        start = _since(s, min(r.move_in_date or today for r in by_household[k]), 5)
        for r in by_household[k]:
            add(r, "low_income", max(start, r.birth_date))

    # 退役军人 ≈ 1.5 % (almost all men, most of them 35–75); 优抚对象 ≈ 0.5 %: older veterans and
    # a few martyrs' or disabled servicemen's families.
    def veteran_weight(r):
        a = ages[id(r)]
        if a < 21 or r.doc_type != DocType.ID_CARD:
            return 0
        w = 1.0 if r.gender == MALE else 0.04
        return w * (0.6 if a < 35 else (1.4 if a < 76 else 0.7))

    veterans = _pick_people(rng, active, [veteran_weight(r) for r in active], 0.015 * n)
    for r in veterans:
        add(r, "veteran", _since(s, r.move_in_date or today, 12))
    old_veterans = [r for r in veterans if ages[id(r)] >= 55]
    youfu = _pick_people(rng, old_veterans, [1] * len(old_veterans), 0.0038 * n)
    elderly = [r for r in registered if ages[id(r)] >= 65]
    youfu += _pick_people(rng, elderly, [1] * len(elderly), 0.0012 * n)
    for r in youfu:
        add(r, "youfu", _since(s, r.move_in_date or today, 10))

    # 失业人员: those whose 就业状况 is 失业; a few more who have since found work (ended tags).
    for r in active:
        if r.employment == EM.UNEMPLOYED:
            add(r, "unemployed", _since(s, r.move_in_date or today, 2))
        elif r.employment == EM.EMPLOYED and 25 <= ages[id(r)] < 55 and rng.random() < 0.01:
            start = _since(s, r.move_in_date or today, 3)
            end = min(today - dt.timedelta(days=1), start + dt.timedelta(days=rng.randint(60, 400)))
            if end > start:
                r.tags.append(TagRow("unemployed", {}, start, end))

    # 留守儿童: children under 16 brought up by grandparents while the parents work away.
    for key, members in by_household.items():
        if kinds.get(key) == "skipped":
            for r in members:
                if r.relationship == RL.GRANDCHILD and ages[id(r)] < 16:
                    add(r, "left_behind_child", _since(s, r.move_in_date or today, 4))
                    r.remarks = r.remarks or "父母在外务工，由祖父母照看"

    # The highly sensitive tags, each well under 0.5 %.
    adults = [r for r in active if ages[id(r)] >= 18 and r.doc_type == DocType.ID_CARD]
    men_weight = [(1.0 if r.gender == MALE else 0.15) * (1.0 if ages[id(r)] < 60 else 0.2) for r in adults]
    for code, rate, years in (("correction", 0.0005, 2), ("released", 0.0015, 5), ("drug", 0.0008, 4)):
        for r in _pick_people(rng, adults, men_weight, rate * n):
            add(r, code, _since(s, r.move_in_date or today, years))
    for r in _pick_people(rng, adults, [1.0] * len(adults), 0.003 * n):
        add(r, "mental", _since(s, r.move_in_date or today, 8))
        if rng.random() < 0.45:
            add(r, "disabled", _since(s, r.birth_date, 8), category="精神残疾", grade=DISABILITY_GRADE(rng))
    youth = [r for r in active if 13 <= ages[id(r)] <= 25]
    for r in _pick_people(rng, youth, [1.0 if r.gender == MALE else 0.4 for r in youth], 0.001 * n):
        add(r, "key_youth", _since(s, r.move_in_date or today, 2))


# --- history: deaths and departures --------------------------------------------------------------
def _history(s: _Synth, rows: list, households: dict, kinds: dict) -> list:
    """Residents who died or moved out since the registry was built (rows with their events), and
    the events of everyone: 建档 at the 入户摸排 or on arrival, 迁入, 出生."""
    rng, today, start = s.rng, s.today, s.registry_start
    span = (today - start).days
    extra = []
    first_of = {}
    for r in rows:
        first_of.setdefault(r.household_key, r)

    def gone(template, male, age, rel, kind, when, note, *, moved_in=None, rtype=None, registered=None):
        birth = s.birth(age + (today - when).days // 365)
        rtype = rtype or template.residence_type
        place = JIANGXIA if rtype in (RT.REGISTERED, RT.SEPARATED) else s.place(False)
        name = s.name(male, birth.year, template.name[0] if rel in (RL.SON, RL.DAUGHTER) else None)
        moved_in = max(birth, moved_in or template.move_in_date or start)
        row = PersonRow(
            name=name, doc_type=DocType.ID_CARD, doc_number=s.id_number(place, birth, male),
            gender=MALE if male else FEMALE, birth_date=birth, ethnicity=template.ethnicity or HAN,
            education=_education(s, age, False, rtype == RT.FLOATING),
            political_status=_political(s, age, ED.JUNIOR, False, False),
            marital_status=MS.MARRIED if rel in (RL.HEAD, RL.SPOUSE) else MS.SINGLE, phone="",
            registered_address=registered if registered is not None else template.registered_address,
            residence_type=rtype, move_in_date=moved_in, employment=EM.RETIRED if age >= 60 else EM.EMPLOYED,
            work_unit="", relationship="", household_key=None, address=template.address, tenure=template.tenure,
            status=Status.DECEASED if kind == EventKind.DEATH else Status.MOVED_OUT,
        )  # fmt: skip
        registered_on = max(start, moved_in) + dt.timedelta(days=rng.randint(0, 20))
        if registered_on >= when:
            registered_on = max(start, when - dt.timedelta(days=rng.randint(1, 5)))
        row.events.append(EventRow(EventKind.REGISTER, registered_on, "入户摸排建档"))
        row.events.append(
            EventRow(kind, when, note, {"house": "".join(template.address), "relationship": str(rel)})
        )
        extra.append(row)
        return row

    for key, head in first_of.items():
        kind = kinds.get(key)
        when = start + dt.timedelta(days=rng.randint(10, max(11, span - 5)))
        if head.status != Status.ACTIVE:
            continue
        age = head.age(today)
        # A widow(er) living alone or with a child: the spouse died within the registry's time.
        if (
            kind in ("single_old", "old_adult_child")
            and head.marital_status == MS.WIDOWED
            and rng.random() < 0.22
        ):
            male = head.gender != MALE
            gone(head, male, max(62, age + rng.randint(-2, 6)), RL.SPOUSE, EventKind.DEATH, when,
                 rng.choice(["病故", "因病去世", "自然死亡", ""]))  # fmt: skip
        # A grown child of an empty-nest couple married or took a job elsewhere and moved their 户口.
        elif kind == "couple_mid" and rng.random() < 0.28:
            male = rng.random() < 0.5
            gone(head, male, max(22, age - _birth_gap(rng)), RL.SON if male else RL.DAUGHTER, EventKind.MOVE_OUT,
                 when, rng.choice(["婚后迁往洪山区", "工作调动迁往深圳", "迁往东湖高新区", "随配偶迁往上海", "考研迁出"]))  # fmt: skip
        # Earlier tenants of a rented house who left before the present ones came.
        elif (
            head.tenure == Tenure.RENTED
            and rng.random() < 0.25
            and head.move_in_date > start + dt.timedelta(days=30)
        ):
            left = head.move_in_date - dt.timedelta(days=rng.randint(3, 25))
            if left > start + dt.timedelta(days=10):
                came = start - dt.timedelta(days=rng.randint(0, 700))
                origin = s.village_address(s.place(False))
                for _ in range(1 if rng.random() < 0.6 else 2):
                    gone(head, rng.random() < 0.55, rng.randint(22, 45), RL.HEAD, EventKind.MOVE_OUT, left,
                         "租约到期搬离", moved_in=came, rtype=RT.FLOATING, registered=origin)  # fmt: skip
        # The oldest of three generations died.
        elif kind in ("mid_parent", "three_gen_up") and rng.random() < 0.05:
            gone(head, rng.random() < 0.4, min(98, age + 28), RL.PARENT, EventKind.DEATH, when, "病故")

    for r in rows:
        arrived = r.move_in_date or start
        if arrived <= start:
            day = start + dt.timedelta(days=rng.randint(0, 75))
            r.events.append(EventRow(EventKind.REGISTER, min(day, today), "入户摸排建档"))
            continue
        if r.birth_date >= start and r.birth_date >= arrived - dt.timedelta(days=1):
            r.events.append(
                EventRow(
                    EventKind.BIRTH,
                    r.birth_date,
                    "新生儿落户" if r.residence_type == RT.REGISTERED else "新生儿",
                )
            )
        else:
            r.events.append(EventRow(EventKind.MOVE_IN, arrived, "", {"to": "".join(r.address)}))
        r.events.append(
            EventRow(
                EventKind.REGISTER, min(today, arrived + dt.timedelta(days=rng.randint(1, 30))), "入户登记"
            )
        )
    return extra


# --- placement -----------------------------------------------------------------------------------
def _place_households(s: _Synth, houses: list, target_people: int):
    """Buildings are covered one at a time, as a 入户摸排 goes: in a covered building ~8 % of the
    houses stand empty and a few ground-floor ones are shops; buildings not reached yet keep no
    households. Stops when `target_people` residents are placed or the houses run out."""
    rng = s.rng
    buildings: dict[tuple, list] = {}
    for h in houses:
        buildings.setdefault((h[0], h[1]), []).append(tuple(h))
    order = list(buildings)
    rng.shuffle(order)
    rows, households, kinds, uses = [], {}, {}, {}
    placed = 0
    for b in order:
        if placed >= target_people:
            break
        for address in buildings[b]:
            if placed >= target_people:
                break
            number = str(address[3])
            ground = len(number) == 3 and number.startswith("1")
            if ground and rng.random() < 0.04:
                uses[address] = ("commercial", s.name(rng.random() < 0.6, rng.randint(1955, 1990)))
                continue
            if rng.random() < 0.08:
                uses[address] = ("vacant", s.name(rng.random() < 0.55, rng.randint(1950, 1995)))
                continue
            key = f"{s.code}-{len(households) + 1}"
            members, hh, kind = _household(s, key, address)
            rows.extend(members)
            households[key] = hh
            kinds[key] = kind
            placed += len(members)
            if hh.tenure == Tenure.RENTED:
                uses[address] = ("rented", hh.landlord_name)
            else:
                owner = (
                    members[0].name if hh.tenure == Tenure.OWNED else s.name(True, rng.randint(1950, 1985))
                )
                uses[address] = ("self", owner)
    return rows, households, kinds, uses


@contextlib.contextmanager
def gc_paused():
    """The rows are acyclic; the cyclic collector would otherwise rescan the growing heap of
    hundreds of thousands of small objects over and over (~40 % of the generation time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _rng(rng_or_seed) -> random.Random:
    return rng_or_seed if isinstance(rng_or_seed, random.Random) else random.Random(rng_or_seed)


def default_prefix(community_code: str) -> str:
    if community_code.startswith("420115001"):
        return "湖北省武汉市江夏区纸坊街"
    if community_code.startswith("420115"):
        return "湖北省武汉市江夏区"
    return "湖北省武汉市"


def plan_community(
    rng_or_seed,
    community_code: str,
    houses: list,
    target_people: int,
    *,
    today: dt.date | None = None,
    address_prefix: str | None = None,
    seq_digit: int | None = None,
    history: bool = True,
) -> CommunityPlan:
    """Residents, households and house uses for one community. `houses` are (compound, building,
    unit, house number) tuples; `seq_digit` (default: the community code's last digit) is the first
    digit of every ID sequence number, so communities with different digits never share a number.
    With history=False there are no departed rows and no events (a benchmark workbook)."""
    rng = _rng(rng_or_seed)
    today = today or dt.date.today()
    digit = int(community_code[-1]) if seq_digit is None else seq_digit
    s = _Synth(rng, community_code, today, address_prefix or default_prefix(community_code), digit)
    with gc_paused():
        rows, households, kinds, uses = _place_households(s, houses, target_people)
        _assign_tags(s, rows, households, kinds)
        if history:
            rows += _history(s, rows, households, kinds)
    return CommunityPlan(rows, households, uses, s.registry_start)


def generate_community(
    rng_or_seed, community_code: str, houses: list, target_people: int, **kw
) -> list[PersonRow]:
    """Plausible residents of a community placed in `houses` (see plan_community)."""
    return plan_community(rng_or_seed, community_code, houses, target_people, **kw).rows


# --- visits --------------------------------------------------------------------------------------
FINDINGS = {
    "living_alone": [
        "老人身体状况良好，精神不错，家中水电气使用正常。",
        "老人血压偏高，已提醒按时服药，饮食注意清淡。",
        "老人反映膝关节疼痛，上下楼不便，已告知社区卫生服务中心上门服务电话。",
        "子女本周回来看望过，老人生活能自理，无特殊需求。",
        "检查了燃气灶和电器线路，提醒老人出门关好燃气阀门。",
        "老人独自在家，状态正常，冰箱里有储备的食物。",
        "天气变化，提醒老人添减衣物，留了网格员的联系电话。",
        "老人希望参加社区老年活动，已告知活动室开放时间。",
    ],
    "empty_nest": [
        "两位老人身体状况稳定，日常生活能自理。",
        "老人反映楼道灯不亮，已报物业维修。",
        "了解高龄津贴领取情况，已按时到账。",
        "老人近期感冒已好转，提醒注意休息。",
        "子女在外地工作，每周通电话，老人情绪稳定。",
        "宣传防范电信诈骗知识，老人表示知晓。",
    ],
    "disabled": [
        "残疾人两项补贴已按时发放，本人生活基本能自理。",
        "了解辅具使用情况，轮椅需要维修，已联系区残联。",
        "家属反映康复训练效果不错，继续关注。",
        "告知残疾人证换证时间和所需材料。",
        "本人情绪稳定，家属照护到位。",
    ],
    "dibao": [
        "核实家庭收入无明显变化，低保金按月到账。",
        "告知年度复核需准备的材料。",
        "家庭成员就业情况无变化，生活基本有保障。",
        "反映医疗支出较大，已告知医疗救助申请渠道。",
    ],
    "tekun": [
        "供养金按时发放，老人身体状况稳定。",
        "协助老人到医院复诊，配好了常用药。",
        "检查居住安全，室内整洁。",
    ],
    "youfu": [
        "了解优抚待遇落实情况，无异议。",
        "节前走访慰问，送去慰问品。",
        "老人身体状况良好，感谢社区关心。",
    ],
    "left_behind_child": [
        "孩子由祖父母照看，学习情况正常，父母每周视频联系。",
        "了解孩子在校表现，老师反映良好。",
        "提醒家长注意暑期防溺水安全。",
    ],
    "correction": ["按规定报到，思想稳定，就业情况正常。", "了解近期工作和家庭情况，无异常。"],
    "released": ["已安置就业，表现正常。", "与家属沟通，生活稳定，无异常情况。"],
    "mental": ["按时服药，情绪稳定，家属监护到位。", "提醒家属按时带患者复诊，目前病情稳定。"],
    "drug": ["近期情况稳定，生活规律。", "与本人谈话，工作正常，无异常。"],
    "key_youth": ["与家长沟通，孩子在校学习，表现平稳。", "了解近期交友和学习情况，无异常。"],
}
FOLLOW_UPS = [
    "协助申请居家养老上门服务",
    "联系物业维修楼道照明",
    "协助办理高龄津贴",
    "联系区残联维修轮椅",
    "协助申请临时救助",
    "协调处理楼上漏水",
    "联系社区医生上门测血压",
]
PRIORITY = ["living_alone", "mental", "correction", "drug", "key_youth", "tekun", "disabled", "left_behind_child",
            "empty_nest", "released", "dibao", "youfu"]  # fmt: skip


def visit_policy(row: PersonRow, intervals: dict, today: dt.date) -> tuple[int | None, dt.date | None]:
    """(shortest interval among the current tags, earliest start of those tags), as
    services.refresh_visit_policy computes them."""
    if row.status != Status.ACTIVE:
        return None, None
    found = [(intervals[t.code], t.start_date) for t in row.current_tags(today) if intervals.get(t.code)]
    if not found:
        return None, None
    return min(i for i, _s in found), min(s for _i, s in found)


def visit_history(
    rng_or_seed,
    row: PersonRow,
    intervals: dict | None = None,
    *,
    today: dt.date | None = None,
    window_days: int = 120,
    overdue_share: float = 0.12,
) -> tuple[list, int | None, dt.date | None, dt.date | None]:
    """Visits to a tagged resident over the last `window_days`, roughly every interval (a little
    early more often than late), and the resulting (interval, last visit, next due). About
    `overdue_share` of the people fell behind: their next visit is already past due."""
    rng = _rng(rng_or_seed)
    today = today or dt.date.today()
    intervals = DEFAULT_INTERVALS if intervals is None else intervals
    interval, start = visit_policy(row, intervals, today)
    if not interval:
        return [], None, None, None
    codes = {t.code for t in row.current_tags(today)}
    primary = next((c for c in PRIORITY if c in codes), "empty_nest")
    texts = FINDINGS.get(primary, FINDINGS["empty_nest"])
    sensitive = primary in HIGHLY_SENSITIVE
    day = max(start, today - dt.timedelta(days=window_days)) + dt.timedelta(days=rng.randint(1, interval))
    visits = []
    while day <= today:
        visited = day
        if visited.weekday() >= 5 and rng.random() < 0.8:  # weekends mostly moved to Friday/Monday
            visited += dt.timedelta(days=-1 if visited.weekday() == 5 else 1)
        if visited > today:
            break
        x = rng.random()
        if sensitive:
            method = "home" if x < 0.85 else "phone"
        elif primary == "living_alone":
            method = "home" if x < 0.6 else ("phone" if x < 0.95 else "video")
        else:
            method = "home" if x < 0.75 else ("phone" if x < 0.97 else "video")
        text = rng.choice(texts)
        if method == "phone":
            text = "电话联系：" + text
        elif method == "video":
            text = "视频通话：" + text
        follow = rng.random() < 0.04 and not sensitive
        hour = rng.choice((9, 9, 10, 10, 11, 14, 15, 15, 16, 17))
        visits.append(
            VisitRow(
                visited,
                hour,
                rng.randrange(60),
                method,
                text,
                follow,
                rng.choice(FOLLOW_UPS) if follow else "",
            )
        )
        day += dt.timedelta(days=max(1, int(round(interval * rng.uniform(0.6, 1.0)))))
    if rng.random() < overdue_share:
        cutoff = today - dt.timedelta(days=interval + rng.randint(1, max(2, interval)))
        visits = [v for v in visits if v.date <= cutoff]
    visits.sort(key=lambda v: (v.date, v.hour, v.minute))
    last = visits[-1].date if visits else None
    due = (last or start) + dt.timedelta(days=interval)
    return visits, interval, last, due


# --- workbooks -----------------------------------------------------------------------------------
_LABEL_KEYS = ("doc_type", "gender", "ethnicity", "education", "political_status", "marital_status",
               "residence_type", "employment", "relationship")  # fmt: skip


def _labels() -> dict:
    from shequ.people.importer import ResidentImporter

    out = {}
    for c in ResidentImporter.columns:
        if c.kind == "choice":
            out[c.key] = {value: str(label) for value, label in c.choices.choices}
    return out


def _date_cell(rng, value: dt.date | None):
    """A date the way clerks type it: 2024-01-02, 2024/1/2, 20240102, or a real Excel date."""
    if value is None:
        return None
    x = rng.random()
    if x < 0.4:
        return value.isoformat()
    if x < 0.65:
        return f"{value.year}/{value.month}/{value.day}"
    if x < 0.75:
        return f"{value:%Y%m%d}"
    return value


def workbook_rows(
    rows: list, *, seed: int = 0, sensitive_tags: bool = False, today: dt.date | None = None
) -> list[list]:
    """The active residents as workbook rows in `ResidentImporter.columns` order: enumerations as
    their Chinese labels, dates in mixed formats (dt.date for a real Excel date), numbers as text.
    Highly sensitive tags are left out unless `sensitive_tags` (an importer without the grant
    would reject the row, and such lists are not passed around in workbooks)."""
    from shequ.people.importer import ResidentImporter

    rng = random.Random(seed)
    today = today or dt.date.today()
    labels = _labels()
    keys = [c.key for c in ResidentImporter.columns]
    out = []
    for r in rows:
        if r.status != Status.ACTIVE:
            continue
        values = {k: (labels[k].get(getattr(r, k)) if getattr(r, k) else None) for k in _LABEL_KEYS}
        id_card = r.doc_type == DocType.ID_CARD
        if id_card and rng.random() < 0.3:
            values["doc_type"] = None  # 留空视为居民身份证
        if id_card and rng.random() < 0.1:
            values["gender"] = None
        tags = [
            TAG_NAMES[t.code]
            for t in r.current_tags(today)
            if sensitive_tags or t.code not in HIGHLY_SENSITIVE
        ]
        values.update(
            name=r.name,
            doc_number=r.doc_number,
            birth_date=None if id_card and rng.random() < 0.2 else _date_cell(rng, r.birth_date),
            phone=r.phone or None,
            registered_address=r.registered_address or None,
            move_in_date=None if rng.random() < 0.05 else _date_cell(rng, r.move_in_date),
            work_unit=r.work_unit or None,
            compound=r.address[0] or None,
            building=r.address[1],
            unit=r.address[2] or None,
            house=str(r.address[3]),
            tags="、".join(tags) or None,
            remarks=r.remarks or None,
        )
        out.append([values.get(k) for k in keys])
    return out


_BAD_LABELS = {  # what clerks type that neither the list's label nor a shipped synonym reads
    "education": ["高中毕业", "大学", "念过书"],
    "ethnicity": ["汉民", "中国"],
    "political_status": ["积极分子", "无党 "],
    "marital_status": ["已婚已育", "单身"],
    "residence_type": ["租户", "外来人口", "常住"],
    "employment": ["待业", "上班"],
}


def _corrupt(rng, row: list, index: dict, labels: dict) -> str:
    """Spoil one workbook row the way a clerk would; returns what was done."""
    number = row[index["doc_number"]]
    is_id = (row[index["doc_type"]] in (None, labels["doc_type"][DocType.ID_CARD])) and len(number) == 18
    kinds = ["label", "phone"] + (["check", "gender", "birth"] * 2 if is_id else [])
    kind = rng.choice(kinds)
    if kind == "check":
        good = number[-1]
        row[index["doc_number"]] = number[:-1] + rng.choice([c for c in "0123456789X" if c != good])
    elif kind == "gender":
        male = int(number[16]) % 2 == 1
        row[index["gender"]] = labels["gender"][FEMALE if male else MALE]
    elif kind == "birth":
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        row[index["birth_date"]] = (born + dt.timedelta(days=rng.choice([1, -1, 10, 31, 365]))).isoformat()
    elif kind == "phone":
        phone = row[index["phone"]] or rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        row[index["phone"]] = rng.choice(
            [phone[:-1], phone + "5", "2" + phone[1:], phone[:3] + "-" + phone[3:7]]
        )
    else:
        key = rng.choice(list(_BAD_LABELS))
        row[index[key]] = rng.choice(_BAD_LABELS[key]).strip() + ("" if rng.random() < 0.7 else "。")
    return kind


FAST_ABOVE = 20_000  # rows; xlsxwriter spends ~5–10 µs a cell, too slow for benchmark-sized files


def write_workbook(path_or_buffer, rows: list, *, bad_rows: int = 0, seed: int = 0, sensitive_tags: bool = False,
                   today: dt.date | None = None, engine: str = "auto") -> list[int]:  # fmt: skip
    """Write the residents as an xlsx in the importer's template layout. `bad_rows` rows are spoilt
    as clerks spoil them (wrong check character, sex or birth date against the number, a malformed
    phone, a label not in the list); returns the Excel line numbers of those rows (header = line 1).

    engine: "xlsxwriter" (constant-memory mode), "fast" (a plain SpreadsheetML writer on zipfile,
    ~20× faster, same cells) or "auto": xlsxwriter up to FAST_ABOVE rows, fast above."""
    from shequ.people.importer import ResidentImporter

    rng = random.Random(seed)
    if rows and isinstance(rows[0], list):
        data = rows
    else:
        with gc_paused():
            data = workbook_rows(rows, seed=seed, sensitive_tags=sensitive_tags, today=today)
    columns = ResidentImporter.columns
    index = {c.key: i for i, c in enumerate(columns)}
    labels = _labels()
    bad = sorted(rng.sample(range(len(data)), min(bad_rows, len(data)))) if bad_rows else []
    if bad:
        data = list(data)
        for i in bad:
            data[i] = list(data[i])
            _corrupt(rng, data[i], index, labels)
    headers = [str(c.header) for c in columns]
    text_cols = [c.text_format for c in columns]
    title = str(ResidentImporter.title)[:31]
    with gc_paused():
        if engine == "fast" or (engine == "auto" and len(data) > FAST_ABOVE):
            _write_fast(path_or_buffer, title, headers, text_cols, data)
        else:
            _write_xlsxwriter(path_or_buffer, title, headers, text_cols, data)
    return [i + 2 for i in bad]


def _width(header: str) -> int:
    return max(10, len(header) * 2 + 4)


def _write_xlsxwriter(path_or_buffer, title, headers, text_cols, data) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path_or_buffer, {"constant_memory": True})
    ws = wb.add_worksheet(title)
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for i, h in enumerate(headers):
        ws.set_column(i, i, _width(h), text if text_cols[i] else None)
        ws.write_string(0, i, h, head)
    ws.freeze_panes(1, 0)
    write_string, write_datetime = ws.write_string, ws.write_datetime
    for n, row in enumerate(data, start=1):
        for i, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                write_string(n, i, v)
            elif isinstance(v, dt.date):
                write_datetime(n, i, dt.datetime(v.year, v.month, v.day), date)
            else:
                ws.write(n, i, v)
    wb.close()


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Cell styles: 0 normal, 1 header (bold, shaded, bordered), 2 date yyyy-mm-dd, 3 text (@).
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/>'
        '<name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid">'
        '<fgColor rgb="FFE8EEF7"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="2">'
        "<border><left/><right/><top/><bottom/><diagonal/></border><border>"
        '<left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
        '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/>'
        '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
        'applyBorder="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
        'builtinId="0"/></cellStyles></styleSheet>'
    ),
}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _xml_text(v: str) -> str:
    if "&" in v or "<" in v or ">" in v:
        v = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return v


def _write_fast(path_or_buffer, title, headers, text_cols, data) -> None:
    """The same worksheet as _write_xlsxwriter (inline strings, dates as serial numbers with a
    date format, text-formatted columns, a frozen header), streamed into the zip."""
    import zipfile

    from xlsxwriter.utility import xl_col_to_name

    letters = [xl_col_to_name(i) for i in range(len(headers))]
    with zipfile.ZipFile(path_or_buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        for name, body in _PARTS.items():
            zf.writestr(name, head + body)
        zf.writestr(
            "xl/workbook.xml",
            f'{head}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="{_xml_text(title)}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        cols = "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{_width(h) + 0.71}" customWidth="1"'
            + (' style="3"/>' if text_cols[i] else "/>")
            for i, h in enumerate(headers)
        )
        last = f"{letters[-1]}{len(data) + 1}"
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            out = [
                f'{head}<worksheet xmlns="{_NS}"><dimension ref="A1:{last}"/><sheetViews><sheetView '
                'workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
                '<row r="1">'
                + "".join(
                    f'<c r="{letters[i]}1" s="1" t="inlineStr"><is><t>{_xml_text(h)}</t></is></c>'
                    for i, h in enumerate(headers)
                )
                + "</row>"
            ]
            styles = [' s="3"' if t else "" for t in text_cols]
            for n, row in enumerate(data, start=2):
                cells = [f'<row r="{n}">']
                for i, v in enumerate(row):
                    if v is None:
                        continue
                    if isinstance(v, str):
                        cells.append(
                            f'<c r="{letters[i]}{n}"{styles[i]} t="inlineStr"><is><t>{_xml_text(v)}</t></is></c>'
                        )
                    elif isinstance(v, dt.date):
                        cells.append(f'<c r="{letters[i]}{n}" s="2"><v>{(v - _EXCEL_EPOCH).days}</v></c>')
                    else:
                        cells.append(f'<c r="{letters[i]}{n}"><v>{v}</v></c>')
                cells.append("</row>")
                out.append("".join(cells))
                if len(out) >= 2000:
                    fh.write("".join(out).encode())
                    out.clear()
            out.append("</sheetData></worksheet>")
            fh.write("".join(out).encode())


def invented_houses(n_people: int, *, units: int = 4, floors: int = 18, per_floor: int = 4) -> list[tuple]:
    """Addresses for a community that exists only in a benchmark: enough 18-storey buildings of
    four units (four houses a floor) for `n_people`, spread over a few compounds."""
    per_building = units * floors * per_floor
    needed = math.ceil(n_people / 2.4 / 0.9 / per_building) + 1
    compounds = ["幸福家园", "江南名居", "金色港湾", "阳光花园", "书香名邸"]
    out = []
    for b in range(needed):
        compound = compounds[b % len(compounds)]
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for k in range(1, per_floor + 1):
                    out.append((compound, f"{b + 1}栋", f"{u}单元", f"{f}{k:02d}"))
    return out


def generate_workbook(n_rows: int, community_code: str, seed: int, path, *, houses: list | None = None,
                      bad_rows: int = 0, today: dt.date | None = None) -> dict:  # fmt: skip
    """A benchmark workbook of exactly `n_rows` residents of one community (whole households, the
    last one possibly cut short). Invents the addresses when no house list is given."""
    import time

    t0 = time.perf_counter()
    houses = houses or invented_houses(n_rows)
    plan = plan_community(seed, community_code, houses, n_rows, today=today, history=False)
    active = [r for r in plan.rows if r.status == Status.ACTIVE][:n_rows]
    generated = time.perf_counter() - t0
    bad = write_workbook(path, active, bad_rows=bad_rows, seed=seed, today=today)
    return {
        "rows": len(active),
        "bad_lines": bad,
        "generate_s": generated,
        "total_s": time.perf_counter() - t0,
    }
