"""The annual residents' structure ledger (社区人口、户籍、房屋等基本情况统计表) of a community,
generated from the resident registry for a finished year and filed in the archives (registered in
PeopleConfig.ready). The registry keeps today's state, not a history: the ledger counts the residents
in the register when it is generated who had moved in by the year's end, with their age at 31 December."""

from collections import Counter

from shequ.core.registry import annual_ledger_candidate, annual_ledger_of, archive_document

AGE_BANDS = [(0, 17, "0—17 岁"), (18, 34, "18—34 岁"), (35, 59, "35—59 岁"), (60, 79, "60—79 岁"),
             (80, 200, "80 岁及以上")]  # fmt: skip


def structure_candidates(org_code: str, year: int):
    from shequ.org.models import OrgUnit

    unit = OrgUnit.objects.filter(code=org_code).first()
    c = annual_ledger_candidate(org_code, unit.name if unit else org_code, year, "居民人口结构台账")
    if c is None:
        return []
    return [c] if _residents(org_code, year).exists() else []


def _residents(code: str, year: int):
    import datetime as dt

    from django.db.models import Q

    from shequ.people.choices import Status
    from shequ.people.models import Resident

    end = dt.date(year, 12, 31)
    return Resident.objects.filter(community__code=code, status=Status.ACTIVE).filter(
        Q(move_in_date__isnull=True) | Q(move_in_date__lte=end)
    )


def _age(born, end) -> int | None:
    if born is None:
        return None
    return end.year - born.year - ((end.month, end.day) < (born.month, born.day))


def render_structure(source_id):
    """The ledger as an XML document: totals, sex, age bands, residence types, households and houses."""
    import datetime as dt

    from shequ.org.models import OrgUnit
    from shequ.people.choices import Gender, ResidenceType

    found = annual_ledger_of(source_id)
    unit = OrgUnit.objects.filter(code=found[0]).first() if found else None
    if unit is None:
        return None
    code, year = found
    end = dt.date(year, 12, 31)
    rows = list(_residents(code, year).values_list("gender", "birth_date", "residence_type", "household_id",
                                                   "house_id"))  # fmt: skip
    total = len(rows)
    genders = Counter(r[0] for r in rows)
    kinds = Counter(r[2] for r in rows)
    ages = Counter()
    for r in rows:
        a = _age(r[1], end)
        label = next((b[2] for b in AGE_BANDS if a is not None and b[0] <= a <= b[1]), "出生日期不详")
        ages[label] += 1

    def share(n):
        return f"{n * 100 / total:.1f}" if total else "0.0"

    fields = [("社区", unit.name), ("社区代码", code), ("统计年度", year), ("统计截止日期", end),
              ("在册居民", total), ("户数", len({r[3] for r in rows if r[3]})),
              ("有居民居住的房屋", len({r[4] for r in rows if r[4]}))]  # fmt: skip
    tables = [
        ("性别", ["性别", "人数", "占比（%）"], [[str(lbl), genders.get(v, 0), share(genders.get(v, 0))]
                                          for v, lbl in Gender.choices]),
        ("年龄", ["年龄段", "人数", "占比（%）"], [[b[2], ages.get(b[2], 0), share(ages.get(b[2], 0))]
                                           for b in AGE_BANDS] + ([["出生日期不详", ages["出生日期不详"],
                                                                   share(ages["出生日期不详"])]]
                                                                 if ages.get("出生日期不详") else [])),
        ("户籍与居住", ["类别", "人数", "占比（%）"], [[str(lbl), kinds.get(v, 0), share(kinds.get(v, 0))]
                                               for v, lbl in ResidenceType.choices]),
    ]  # fmt: skip
    note = "由居民台账生成：按生成时在册、年末前迁入的居民统计，年龄按当年 12 月 31 日计算。"
    return f"residents-{code}-{year}.xml", archive_document(
        f"{unit.name}{year}年度居民人口结构台账", fields, note, tables=tables
    )
