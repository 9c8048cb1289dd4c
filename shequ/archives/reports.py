"""Figures of a scope's archives: 建档率 (communities with a fonds and a current filing round), items
by class, year and retention, the filing backlog, archive staff, use and lending, integrity checks."""

from django.db.models import Count, Q
from django.utils import timezone

from shequ.archives.models import (
    ARCHIVIST,
    MANAGE,
    FileCheck,
    FilingRound,
    Fonds,
    Item,
    ItemFile,
    Proposal,
    ProposalStatus,
    Purpose,
    RequestStatus,
    Retention,
    UseLog,
    UseRequest,
)
from shequ.core import registry, scope
from shequ.core.errors import NotFound
from shequ.core.models import Membership
from shequ.org.models import Level, OrgUnit


def rate(n, d):
    return None if not d else round(100 * n / d, 1)


def report(user, code: str | None) -> dict:
    """The archive figures of the user's scope (or the subtree `code` inside it)."""
    if code and not scope.covers(user, code):
        raise NotFound()
    roots = scope.perm_codes(user, "archives.view")
    communities = OrgUnit.objects.filter(level=Level.COMMUNITY)
    if code:
        communities = communities.filter(scope.subtree_q("code", code))
    elif roots is not None:
        communities = communities.filter(scope.prefix_q("code", roots))
    year = timezone.localdate().year - 1
    comm_codes = list(communities.values_list("code", flat=True))
    fonds = Fonds.objects.visible_to(user).within(code)
    with_fonds = set(fonds.filter(org__code__in=comm_codes).values_list("org__code", flat=True))
    with_round = set(FilingRound.objects.filter(fonds__org__code__in=comm_codes, year__gte=year)
                     .values_list("fonds__org__code", flat=True))  # fmt: skip
    items = Item.objects.visible_to(user).within(code)
    by_class = list(items.values("archive_class").annotate(n=Count("pk")).order_by("archive_class"))
    by_year = list(items.values("year").annotate(n=Count("pk")).order_by("year"))
    labels = dict(Retention.choices)
    by_retention = [{"retention": str(labels[r["retention"]]), "code": r["retention"], "n": r["n"]}
                    for r in items.values("retention").annotate(n=Count("pk")).order_by("retention")]  # fmt: skip
    may_manage = scope.holds(user, MANAGE)
    backlog = []
    uses = {}
    purposes = []
    requests = {}
    checks = {"files": 0, "failed": 0, "flagged": 0, "unchecked": 0, "recent": []}
    staff = []
    if may_manage:
        pending = dict(Proposal.objects.visible_to(user).within(code).filter(status=ProposalStatus.PROPOSED)
                       .values_list("fonds__number").annotate(n=Count("pk")))  # fmt: skip
        for f in fonds.select_related("org"):
            backlog.append({"fonds": f, "pending": pending.get(f.number, 0),
                            "round": FilingRound.objects.filter(fonds=f, year=year).first()})  # fmt: skip
        logs = UseLog.objects.visible_to(user).within(code)
        uses = dict(logs.values_list("action").annotate(n=Count("pk")))
        plabels = dict(Purpose.choices)
        reqs = UseRequest.objects.visible_to(user).within(code)
        purposes = [{"purpose": str(plabels.get(r["purpose"], r["purpose"])), "n": r["n"]}
                    for r in reqs.values("purpose").annotate(n=Count("pk")).order_by("-n")]  # fmt: skip
        requests = {"total": reqs.count(), "lent": reqs.filter(status=RequestStatus.LENT).count(),
                    "overdue": reqs.filter(status=RequestStatus.LENT, due_on__lt=timezone.localdate()).count()}  # fmt: skip
        files = ItemFile.objects.filter(item__in=items, purged_at__isnull=True)
        checks = {"files": files.count(), "failed": files.filter(check_ok=False).count(),
                  "flagged": files.filter(long_term=False).count(), "unchecked": files.filter(check_ok__isnull=True).count(),
                  "recent": list(FileCheck.objects.visible_to(user).within(code).filter(ok=False)
                                 .select_related("file", "file__item")[:20])}  # fmt: skip
        heads = comm_codes + list(OrgUnit.objects.filter(level=Level.STREET, code__in={c[:9] for c in comm_codes})
                                  .values_list("code", flat=True))  # fmt: skip
        staff = archive_staff_rows(heads)
    return {"code": code or "", "year": year, "communities": len(comm_codes), "with_fonds": len(with_fonds),
            "with_round": len(with_fonds & with_round), "filing_rate": rate(len(with_fonds & with_round), len(comm_codes)),
            "items": items.count(), "destroyed": items.filter(status="destroyed").count(),
            "restricted": items.filter(~Q(openness="open")).count(), "by_class": by_class, "by_year": by_year,
            "by_retention": by_retention, "backlog": backlog, "uses": uses, "purposes": purposes,
            "requests": requests, "checks": checks, "staff": staff, "may_manage": may_manage,
            "fonds_rows": list(fonds.annotate(n=Count("items")).order_by("scope_code")[:2000])}  # fmt: skip


def archive_staff_rows(codes) -> list[dict]:
    """Who holds the archive duty in each of these streets and communities, with their training
    (the workforce roster's records when it keeps any for the person; `training` is None then)."""
    ms = [m for m in Membership.objects.active().filter(org__code__in=codes).select_related("user", "org")
          .order_by("org__code", "user__username") if ARCHIVIST in (m.duties or [])]  # fmt: skip
    records = registry.training_records({m.user_id for m in ms}) or {}
    return [{"name": str(m.user), "org": m.org.display_name, "code": m.org.code, "role": m.get_role_display(),
             "training": records.get(m.user_id)} for m in ms]  # fmt: skip


def workbook(rep: dict) -> bytes:
    from shequ.core.excel import report_workbook

    fonds = Fonds.objects.filter(org__code__startswith=rep["code"]) if rep["code"] else None
    rows = (
        [[f"{f.number} {f.name}", f.n] for f in rep["fonds_rows"]]
        if fonds is None
        else [
            [f"{f.number} {f.name}", f.n] for f in rep["fonds_rows"] if f.scope_code.startswith(rep["code"])
        ]
    )
    sheets = [
        ("全宗", ["全宗", "件数"], rows),
        ("门类", ["门类", "件数"], [[r["archive_class"], r["n"]] for r in rep["by_class"]]),
        ("年度", ["年度", "件数"], [[str(r["year"]), r["n"]] for r in rep["by_year"]]),
        ("保管期限", ["保管期限", "件数"], [[r["retention"], r["n"]] for r in rep["by_retention"]]),
        (
            "建档",
            ["项目", "数量"],
            [
                ["社区数", rep["communities"]],
                ["已建全宗", rep["with_fonds"]],
                ["有当年归档", rep["with_round"]],
            ],
        ),  # fmt: skip
    ]
    if rep["may_manage"]:
        sheets.append(("利用目的", ["利用目的", "次数"], [[r["purpose"], r["n"]] for r in rep["purposes"]]))
        sheets.append(
            ("待归档", ["全宗", "待确认"], [[str(b["fonds"]), b["pending"]] for b in rep["backlog"]])
        )
    return report_workbook(
        "社区档案统计", rep["code"] or "本辖区", f"截至 {timezone.localdate().isoformat()}", sheets
    )
