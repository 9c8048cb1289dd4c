"""The annual relief payments ledger (低保、特困供养发放台账) of a community, generated from the
monthly payments of a finished year and filed in the archives (registered in LedgersConfig.ready).
It names the people paid, so it is filed closed: only the archive staff see it."""

from collections import defaultdict
from decimal import Decimal

from shequ.core.registry import annual_ledger_candidate, annual_ledger_of, archive_document


def _payments(code: str, year: int):
    from shequ.ledgers.models.relief import ReliefPayment

    return ReliefPayment.objects.filter(case__community__code=code, month__year=year)


def relief_candidates(org_code: str, year: int):
    from shequ.org.models import OrgUnit

    unit = OrgUnit.objects.filter(code=org_code).first()
    c = annual_ledger_candidate(org_code, unit.name if unit else org_code, year, "低保特困发放台账")
    if c is None:
        return []
    return [c] if _payments(org_code, year).exists() else []


def render_relief(source_id):
    from shequ.ledgers.models.relief import PaymentStatus
    from shequ.org.models import OrgUnit

    found = annual_ledger_of(source_id)
    unit = OrgUnit.objects.filter(code=found[0]).first() if found else None
    if unit is None:
        return None
    code, year = found
    by_case: dict[int, dict] = {}
    per_month: dict[int, Decimal] = defaultdict(Decimal)
    for p in _payments(code, year).select_related("case").order_by("case_id", "month"):
        row = by_case.setdefault(
            p.case_id, {"case": p.case, "paid": 0, "suspended": 0, "amount": Decimal("0")}
        )
        if p.status == PaymentStatus.PAID:
            row["paid"] += 1
            row["amount"] += p.amount
            per_month[p.month.month] += p.amount
        else:
            row["suspended"] += 1
    cases = [[r["case"].head_name, r["case"].get_category_display(), r["case"].persons, r["paid"],
              r["suspended"], f"{r['amount']:.2f}"] for r in by_case.values()]  # fmt: skip
    total = sum((r["amount"] for r in by_case.values()), Decimal("0"))
    fields = [("社区", unit.name), ("社区代码", code), ("统计年度", year), ("保障对象", len(by_case)),
              ("发放金额合计（元）", f"{total:.2f}")]  # fmt: skip
    tables = [
        ("对象", ["户主/供养对象", "类别", "保障人数", "发放月数", "暂停月数", "发放金额（元）"], cases),
        ("月度", ["月份", "发放金额（元）"], [[f"{year}-{m:02d}", f"{per_month.get(m, Decimal('0')):.2f}"]
                                         for m in range(1, 13)]),
    ]  # fmt: skip
    return f"relief-{code}-{year}.xml", archive_document(f"{unit.name}{year}年度低保特困发放台账", fields,
                                                           "由低保特困发放记录生成。", tables=tables)  # fmt: skip
