"""The figures of a scope's year: due, arrived, spent and balance by fund kind and by party; the
cost-sharing table with arrival rates; each community against the average; the share spent on
staff; overdue amounts; task money promised and arrived by department. Every figure is a grouped
aggregate over rows read through `visible_to` (a handful of queries whatever the scope's size)."""

import datetime as dt
import decimal
import io
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import Forbidden, NotFound
from shequ.core.roles import roles_with
from shequ.finance import services
from shequ.finance.models import (
    VIEW,
    ZERO,
    Allocation,
    ApplicationStatus,
    AwardApplication,
    Budget,
    BudgetLine,
    BudgetStatus,
    Category,
    FundKind,
    Party,
    SharingRule,
    Spending,
)
from shequ.org.models import Level, OrgUnit, short_name

PCT = Decimal("0.1")
CENT = Decimal("0.01")


def rate(part, whole):
    """part / whole as a percentage with one decimal, or None when nothing was due."""
    return (Decimal(part) * 100 / whole).quantize(PCT) if whole else None


def node_for(user, code: str | None, perm: str = VIEW) -> OrgUnit:
    """The scope a report is about: the given code (inside the user's scope) or the user's own."""
    roots = scope.scope_codes(user, roles_with(perm))
    if roots is not None and not roots:
        raise Forbidden()
    code = (code or "").strip()
    if not code:
        if roots is None:
            node = OrgUnit.objects.filter(level=Level.DISTRICT).order_by("code").first()
        else:
            node = OrgUnit.objects.filter(code=roots[0]).first()
        if node is None:
            raise NotFound()
        return node
    if roots is not None and not any(code.startswith(r) for r in roots):
        raise NotFound()
    node = OrgUnit.objects.filter(code=code).first()
    if node is None:
        raise NotFound()
    return node


def party_label(party: str, department: str = "") -> str:
    return department or str(dict(Party.choices).get(party, party))


def _roll(rows, key, col: int = -1) -> dict:
    """Sum column `col` (the last by default) of grouped rows by `key(row)`."""
    out: dict = defaultdict(lambda: ZERO)
    for r in rows:
        out[key(r)] += r[col] or ZERO
    return dict(out)


_FLOAT = decimal.Context(prec=15)


def _yuan(v) -> Decimal:
    """A sum as the database gives it, in yuan and fen: SQLite's SUM drops the column's scale (and
    hands a raw SQL read a float), PostgreSQL keeps it; both read the same from here on."""
    if v is None:
        return ZERO.quantize(CENT)
    if isinstance(v, float):
        v = _FLOAT.create_decimal_from_float(v)
    return Decimal(v).quantize(CENT)


def _grouped(qs, *keys, **sums) -> list[tuple]:
    """(keys…, sums…) rows of a grouped aggregate, every sum in yuan."""
    n = len(keys)
    return [(*r[:n], *(_yuan(v) for v in r[n:])) for r in qs.values_list(*keys).annotate(**sums).order_by()]


def task_money(user, code: str, year: int) -> list[dict]:
    """Per department: the money its admitted tasks promised in the year, what arrived, what is
    missing and how many tasks are not (fully) paid for. One grouped read: each commitment's
    arrivals (reversals included) are summed beside it in the database."""
    model = services.commitment_model()
    if model is None:
        return []
    got = Coalesce(
        Subquery(
            Allocation.objects.filter(commitment_id=OuterRef("pk")).order_by().values("commitment_id")
            .annotate(s=Sum("amount")).values("s")
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )  # fmt: skip
    rows = (
        model.objects.visible_to(user).within(code).filter(committed_at__year=year).alias(got=got)
        .values_list("department")
        .annotate(tasks=Count("pk"), promised=Sum("amount"), arrived=Sum("got"),
                  unpaid=Count("pk", filter=Q(got__lt=F("amount"))))
        .order_by()
    )  # fmt: skip
    out = []
    for dept, tasks, promised, arrived, unpaid in rows:
        promised, arrived = _yuan(promised), _yuan(arrived)
        out.append({"department": dept, "tasks": tasks, "promised": promised, "arrived": arrived,
                    "unpaid_tasks": unpaid, "missing": max(promised - arrived, ZERO),
                    "rate": rate(arrived, promised)})  # fmt: skip
    return sorted(out, key=lambda o: (-o["missing"], o["department"]))


def _overdue_rows(lines, allocs, today, awards: bool = True) -> list[tuple]:
    """(community, fund kind, party, department, due, missing) of what a party owed a community by
    a date that has passed and has not (fully) arrived: the budget lines due before `today` and the
    arrivals of the same community, kind and party added up together in the database (one pass
    over each table, only the overdue rows come back). Awards (以奖代补) are their own due, so
    their payments never settle a budget line (`awards` False: the scope has none this year)."""
    if awards:
        award_paid = AwardApplication.objects.filter(allocation__isnull=False).values("allocation_id")
        allocs = allocs.exclude(pk__in=award_paid).exclude(reverses_id__in=award_paid)
    zero = Value(ZERO, output_field=DecimalField(max_digits=16, decimal_places=2))
    keys = ("scope_code", "fund_kind_id", "party", "department")
    owed = lines.filter(due_on__lt=today).annotate(d=F("amount"), g=zero).values_list(*keys, "d", "g")
    paid = allocs.annotate(d=zero, g=F("amount")).values_list(*keys, "d", "g")
    sql, params = owed.order_by().union(paid.order_by(), all=True).query.sql_with_params()
    cols = ", ".join(connection.ops.quote_name(k) for k in keys)
    d, g = connection.ops.quote_name("d"), connection.ops.quote_name("g")
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {cols}, SUM({d}), SUM({g}) FROM ({sql}) u GROUP BY {cols} "  # noqa: S608 - compiled ORM SQL
            f"HAVING SUM({d}) <> 0 AND SUM({d}) > SUM({g})",
            params,
        )
        rows = cur.fetchall()
    out = []
    for *key, due, got in rows:
        due = _yuan(due)
        missing = due - _yuan(got)
        if missing > 0:  # SQLite compares floats: the exact check is here
            out.append((*key, due, missing))
    return out


def report(user, code: str | None, year: int, today: dt.date | None = None) -> dict:
    """Everything the overview page, its workbook and the API show for one scope and year."""
    if not scope.may_read(user, Budget):
        raise Forbidden()
    node = node_for(user, code)
    today = today or timezone.localdate()
    kinds = list(FundKind.objects.all())
    kind_name = {k.pk: k.name for k in kinds}
    lines = BudgetLine.objects.visible_to(user).within(node.code).filter(year=year)
    allocs = Allocation.objects.visible_to(user).within(node.code).filter(year=year)
    spends = Spending.objects.visible_to(user).within(node.code).filter(year=year)
    tasks = task_money(user, node.code, year)

    # Every figure is summed in the database at the grain it is shown at (kind and party, rule,
    # community, category): a few hundred rows come back for a district, whatever its entries.
    line_rows = _grouped(lines, "fund_kind_id", "party", "department", "rule_id", s=Sum("amount"))
    due_kp = _roll(line_rows, lambda r: r[:3])
    got_kp = {r[:3]: r[3] for r in _grouped(allocs, "fund_kind_id", "party", "department", s=Sum("amount"))}
    spend_rows = _grouped(spends, "fund_kind_id", "category", s=Sum("amount"))
    spent_k = _roll(spend_rows, lambda r: (r[0],))
    spent_cat = _roll(spend_rows, lambda r: (r[1],))
    # An award (以奖代补) is due the moment it is granted and is paid by its own allocation: it
    # counts as its own due, so no budget line's arrival rate goes over 100% because of it.
    award_rows = _grouped(
        AwardApplication.objects.visible_to(user).within(node.code)
        .filter(status=ApplicationStatus.AWARDED, allocation__year=year),
        "scope_code", "allocation__fund_kind_id", "allocation__party", "allocation__department", s=Sum("amount"),
    )  # fmt: skip
    for r in award_rows:
        due_kp[r[1:4]] = due_kp.get(r[1:4], ZERO) + r[4]

    def by(key_of):
        acc = defaultdict(lambda: {"due": ZERO, "arrived": ZERO})
        for k, v in due_kp.items():
            acc[key_of(k)]["due"] += v
        for k, v in got_kp.items():
            acc[key_of(k)]["arrived"] += v
        return acc

    # Task money is due from departments too: the commitments of the year, as 专项工作经费.
    special = next((k.pk for k in kinds if k.code == services.TASK_FUND), None)
    task_due = sum((t["promised"] for t in tasks), ZERO)
    kind_acc = by(lambda k: k[0])
    if special is not None and task_due:
        kind_acc[special]["due"] += task_due
    by_kind = []
    for k in kinds:
        a = kind_acc.get(k.pk, {"due": ZERO, "arrived": ZERO})
        s = spent_k.get((k.pk,), ZERO)
        if not (a["due"] or a["arrived"] or s):
            continue
        by_kind.append({"fund_kind": k.name, "code": k.code, "due": a["due"], "arrived": a["arrived"], "spent": s,
                        "balance": a["arrived"] - s, "rate": rate(a["arrived"], a["due"])})  # fmt: skip
    party_acc = by(lambda k: (k[1], k[2] if k[1] == Party.DEPARTMENT else ""))
    for t in tasks:
        party_acc[(Party.DEPARTMENT, t["department"])]["due"] += t["promised"]
    by_party = sorted(
        ({"party": p, "department": d, "label": party_label(p, d), "due": v["due"], "arrived": v["arrived"],
          "missing": max(v["due"] - v["arrived"], ZERO), "rate": rate(v["arrived"], v["due"])}
         for (p, d), v in party_acc.items()),
        key=lambda r: ([c for c, _l in Party.choices].index(r["party"]), r["department"]),
    )  # fmt: skip

    # The cost-sharing table: who owes what under which rule, with the kind-and-party arrival rate.
    rule_rows = _roll([r for r in line_rows if r[3] is not None], lambda r: (r[3], r[1], r[2]))
    rules = {
        r.pk: r
        for r in SharingRule.objects.filter(pk__in={k[0] for k in rule_rows}).select_related("fund_kind")
    }
    sharing_rows = []
    for (rid, party, dept), due in sorted(rule_rows.items(), key=lambda kv: kv[0]):
        r = rules[rid]
        arrived = got_kp.get((r.fund_kind_id, party, dept), ZERO)
        kind_party_due = due_kp.get((r.fund_kind_id, party, dept), ZERO)
        sharing_rows.append({"rule": f"{r.name}（第 {r.revision} 版）", "fund_kind": r.fund_kind.name,
                             "ratio": r.ratio_text, "base": r.get_base_display(), "party": party_label(party, dept),
                             "due": due, "rate": rate(arrived, kind_party_due)})  # fmt: skip

    # Per community: due, arrived, spent, against the average of the scope's communities.
    c_due = dict(_grouped(lines, "scope_code", s=Sum("amount")))
    for r in award_rows:
        c_due[r[0]] = c_due.get(r[0], ZERO) + r[4]
    c_got = {c: s for c, s in _grouped(allocs, "scope_code", s=Sum("amount")) if len(c) == 12}  # not a street
    c_spent = {
        r[0]: r[1:]
        for r in _grouped(spends, "scope_code", s=Sum("amount"), staff=Sum("amount", filter=Q(category=Category.STAFF)))
    }  # fmt: skip
    communities = list(
        OrgUnit.objects.filter(level=Level.COMMUNITY)
        .filter(scope.subtree_q("code", node.code))
        .order_by("code")
        .values_list("code", "name")
    )
    n = len(communities) or 1
    avg = sum(c_got.values(), ZERO) / n
    per_community = []
    no_spending = (ZERO, ZERO)
    for c, name in communities:
        got = c_got.get(c, ZERO)
        spent, staff = c_spent.get(c, no_spending)
        per_community.append({"code": c, "name": short_name(name), "due": c_due.get(c, ZERO), "arrived": got,
                              "spent": spent, "balance": got - spent, "staff_share": rate(staff, spent),
                              "vs_average": rate(got, avg) if avg else None})  # fmt: skip

    # Overdue: what a party owed by a date that has passed and has not (fully) arrived.
    names = {c["code"]: c["name"] for c in per_community}
    overdue = [
        {"community": names.get(c, c), "code": c, "fund_kind": kind_name.get(k, ""), "party": party_label(p, d),
         "due": due, "missing": missing}
        for c, k, p, d, due, missing in sorted(
            _overdue_rows(lines, allocs, today, awards=bool(award_rows)), key=lambda r: (-r[5], r[0], r[1], r[2], r[3])
        )
    ]  # fmt: skip

    total_due = sum((r["due"] for r in by_kind), ZERO)
    total_got = sum((r["arrived"] for r in by_kind), ZERO)
    total_spent = sum(spent_cat.values(), ZERO)
    staff = spent_cat.get((Category.STAFF,), ZERO)
    budgets = dict(
        Budget.objects.visible_to(user)
        .within(node.code)
        .filter(year=year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    from shequ.finance import awards, personnel

    return {
        "node": node,
        "year": year,
        "awards": awards.awarded_by_scheme(user, node.code, year),
        "people": personnel.league(user, node.code, year),
        "totals": {
            "due": total_due,
            "arrived": total_got,
            "spent": total_spent,
            "balance": total_got - total_spent,
            "rate": rate(total_got, total_due),
            "staff": staff,
            "staff_share": rate(staff, total_spent),
            "overdue": sum((o["missing"] for o in overdue), ZERO),
            "communities": len(communities),
            "average": avg.quantize(Decimal("1")) if communities else ZERO,
        },  # fmt: skip
        "budgets": {s: budgets.get(s, 0) for s in BudgetStatus.values},
        "by_kind": by_kind,
        "by_party": by_party,
        "by_category": [
            {"category": str(label), "code": c, "spent": spent_cat.get((c,), ZERO)}
            for c, label in Category.choices
        ],  # fmt: skip
        "sharing": sharing_rows,
        "communities": per_community,
        "overdue": overdue,
        "tasks": tasks,
    }


# --- the workbook a finance office expects ------------------------------------------------------
def workbook(rep: dict) -> bytes:
    """One sheet per table: a merged title row, the unit (元) and scope, headers, rows, 合计."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    title_f = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    unit_f = wb.add_format({"align": "right", "font_size": 9})
    head_f = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "bg_color": "#EDEDED", "text_wrap": True}
    )
    text_f = wb.add_format({"border": 1})
    money_f = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    pct_f = wb.add_format({"border": 1, "num_format": "0.0"})
    sum_text = wb.add_format({"border": 1, "bold": True, "align": "center"})
    sum_money = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
    sum_count = wb.add_format({"border": 1, "bold": True, "num_format": "0"})
    where = f"{rep['node'].display_name} {rep['year']} 年度"

    def sheet(name, title, cols, rows, total_cols=()):
        ws = wb.add_worksheet(name)
        ws.merge_range(0, 0, 0, len(cols) - 1, f"{where}{title}", title_f)
        ws.set_row(0, 28)
        ws.merge_range(
            1,
            0,
            1,
            len(cols) - 1,
            _("单位：元    编制日期：%(d)s") % {"d": timezone.localdate().isoformat()},
            unit_f,
        )
        for j, (label, _key, width) in enumerate(cols):
            ws.write(2, j, label, head_f)
            ws.set_column(j, j, width)
        for i, r in enumerate(rows, 3):
            for j, (_label, key, _w) in enumerate(cols):
                v = r.get(key)
                if isinstance(v, Decimal):
                    ws.write_number(
                        i, j, float(v), pct_f if key in ("rate", "staff_share", "vs_average") else money_f
                    )
                elif v is None:
                    ws.write_blank(i, j, None, text_f)
                else:
                    ws.write(i, j, v, text_f)
        last = 3 + len(rows)
        ws.write(last, 0, _("合计"), sum_text)
        for j, (_label, key, _w) in enumerate(cols[1:], 1):
            if key in total_cols:
                values = [r.get(key) or 0 for r in rows]
                counted = all(isinstance(v, int) for v in values)  # people, communities: no decimals
                ws.write_number(last, j, float(sum(values, ZERO)), sum_count if counted else sum_money)
            else:
                ws.write_blank(last, j, None, text_f)
        ws.freeze_panes(3, 1)

    money_cols = ("due", "arrived", "spent", "balance", "missing", "promised")
    sheet(_("各社区"), _("各社区经费情况表"),
          [(_("社区"), "name", 24), (_("应拨"), "due", 16), (_("到账"), "arrived", 16), (_("支出"), "spent", 16),
           (_("结余"), "balance", 16), (_("人员支出占比（%）"), "staff_share", 12), (_("到账与平均比（%）"), "vs_average", 12)],
          rep["communities"], money_cols)  # fmt: skip
    sheet(_("按经费类别"), _("经费收支情况表（按经费类别）"),
          [(_("经费类别"), "fund_kind", 22), (_("应拨"), "due", 16), (_("到账"), "arrived", 16),
           (_("到位率（%）"), "rate", 10), (_("支出"), "spent", 16), (_("结余"), "balance", 16)],
          rep["by_kind"], money_cols)  # fmt: skip
    sheet(_("按出资方"), _("经费到位情况表（按出资方）"),
          [(_("出资方"), "label", 22), (_("应拨"), "due", 16), (_("到账"), "arrived", 16),
           (_("未到位"), "missing", 16), (_("到位率（%）"), "rate", 10)], rep["by_party"], money_cols)  # fmt: skip
    sheet(_("分担情况"), _("经费分担情况表"),
          [(_("规则"), "rule", 30), (_("经费类别"), "fund_kind", 18), (_("比例"), "ratio", 10), (_("基数"), "base", 14),
           (_("出资方"), "party", 16), (_("应拨"), "due", 16), (_("到位率（%）"), "rate", 10)],
          rep["sharing"], money_cols)  # fmt: skip
    sheet(_("随事经费"), _("随事经费到位情况表（按部门）"),
          [(_("部门"), "department", 24), (_("任务数"), "tasks", 8), (_("承诺"), "promised", 16), (_("到位"), "arrived", 16),
           (_("未到位"), "missing", 16), (_("未足额任务"), "unpaid_tasks", 10), (_("到位率（%）"), "rate", 10)],
          rep["tasks"], money_cols)  # fmt: skip
    sheet(_("随事人员"), _("随事人员到岗情况表（按部门）"),
          [(_("部门"), "department", 24), (_("任务数"), "tasks", 8), (_("承诺（人）"), "promised", 12),
           (_("到岗（人）"), "provided", 12), (_("缺额（人）"), "missing", 12), (_("未足额任务"), "short_tasks", 10)],
          rep["people"], ("tasks", "promised", "provided", "missing", "short_tasks"))  # fmt: skip
    sheet(_("以奖代补"), _("以奖代补奖励情况表（按方案）"),
          [(_("方案"), "scheme", 28), (_("评定依据"), "basis", 16), (_("参评社区"), "entered", 10),
           (_("自动入围"), "auto", 10), (_("获奖社区"), "awarded", 10), (_("奖励金额"), "amount", 16)],
          rep["awards"], ("entered", "auto", "awarded", "amount"))  # fmt: skip
    wb.close()
    return buf.getvalue()
