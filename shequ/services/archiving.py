"""The annual services ledger (社区服务项目记录) of a community, generated from the service records of
a finished year and filed in the archives (registered in ServicesConfig.ready): per service the
records, their outcomes and follow-ups, and per month the records; no resident's name is written."""

from collections import Counter

from shequ.core.registry import annual_ledger_candidate, annual_ledger_of, archive_document


def _records(code: str, year: int):
    from shequ.services.models import ServiceRecord

    return ServiceRecord.objects.filter(community__code=code, served_on__year=year)


def ledger_candidates(org_code: str, year: int):
    from shequ.org.models import OrgUnit

    unit = OrgUnit.objects.filter(code=org_code).first()
    c = annual_ledger_candidate(org_code, unit.name if unit else org_code, year, "社区服务台账")
    if c is None:
        return []
    return [c] if _records(org_code, year).exists() else []


def render_ledger(source_id):
    from shequ.org.models import OrgUnit
    from shequ.services.models import Outcome

    found = annual_ledger_of(source_id)
    unit = OrgUnit.objects.filter(code=found[0]).first() if found else None
    if unit is None:
        return None
    code, year = found
    rows = list(_records(code, year).values_list("service__category__name", "service__name", "outcome",
                                                 "served_on__month", "follow_up_done_on"))  # fmt: skip
    per_service: dict[tuple, Counter] = {}
    for cat, name, outcome, _month, followed in rows:
        c = per_service.setdefault((cat or "", name), Counter())
        c["n"] += 1
        c[outcome] += 1
        c["followed"] += 1 if followed else 0
    months = Counter(r[3] for r in rows)
    outcomes = list(Outcome.choices)
    services = [[cat, name, c["n"], *[c.get(v, 0) for v, _l in outcomes], c["followed"]]
                for (cat, name), c in sorted(per_service.items())]  # fmt: skip
    fields = [("社区", unit.name), ("社区代码", code), ("统计年度", year), ("服务记录", len(rows)),
              ("服务项目", len(per_service))]  # fmt: skip
    tables = [
        (
            "服务项目",
            ["类别", "服务项目", "服务次数", *[str(lbl) for _v, lbl in outcomes], "已回访"],
            services,
        ),
        ("月度", ["月份", "服务次数"], [[f"{year}-{m:02d}", months.get(m, 0)] for m in range(1, 13)]),
    ]
    return f"services-{code}-{year}.xml", archive_document(f"{unit.name}{year}年度社区服务台账", fields,
                                                             "由社区服务记录生成，不含服务对象姓名。", tables=tables)  # fmt: skip
