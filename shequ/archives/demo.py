"""Demo archives: each demo community a fonds (and the street one for its decision letters) with
three years of items — captured from closed cases, admission letters, certificates, meeting minutes,
charters, election results and annual ledgers, and paper files registered by hand, every proposal of
a past year confirmed and the current year's left as the backlog — a filing round per year, a lending history, and one
disposal round decided by an appraisal group with a residents' representative."""

import datetime as dt
import random
import time

from django.db import transaction
from django.utils import timezone

from shequ.archives import services
from shequ.archives.models import (
    ARCHIVIST,
    DisposalRound,
    FileCheck,
    FilingRound,
    Fonds,
    Item,
    ItemFile,
    Opinion,
    Proposal,
    ProposalStatus,
    RegisterEntry,
    RoundItem,
    UseLog,
    UseRequest,
)
from shequ.core.models import Counter, Membership, User

STREET = "420115001"
COMMUNITIES = ["420115001001", "420115001002", "420115001005", "420115001019"]
KEEPERS = ["street", "worker_ningan", "worker_guoling"]  # charged with the archive duty
PAPER = [
    # (entry, title pattern, pages, openness)
    ("WS-04", "{c}{y}年度工作计划", 6, "open"),
    ("WS-04", "{c}{y}年度工作总结", 12, "open"),
    ("WS-07", "{c}{y}年人口和房屋基本情况统计表", 4, "restricted"),
    ("WS-09", "{c}党组织{y}年会议记录", 40, "open"),
    ("WS-12", "{c}{y}年人民调解协议书（邻里漏水纠纷）", 3, "restricted"),
    ("WS-12", "{c}{y}年人民调解协议书（停车位纠纷）", 4, "restricted"),
    ("KU-01", "{c}{y}年会计凭证（1—6月）", 120, "open"),
    ("KU-03", "{c}{y}年度财务会计报告", 18, "open"),
]


def grant() -> None:
    """Give the demo archive keepers the archive duty (kept beside their other duties)."""
    for m in Membership.objects.filter(user__username__in=KEEPERS):
        if ARCHIVIST not in (m.duties or []):
            m.duties = [*(m.duties or []), ARCHIVIST]
            m.save(update_fields=["duties"])


def is_loaded() -> bool:
    return Fonds.objects.filter(org__code__in=COMMUNITIES).exists()


def reset() -> None:
    """Drop the demo archives. Items and the disposal register are never deleted through the
    platform; the demo's own rows are removed here only, beneath the rules, to start again."""
    from django.db import models

    fonds = list(Fonds.objects.filter(scope_code__startswith=STREET))
    if not fonds:
        return
    raw = models.QuerySet.delete
    for model, q in ((RegisterEntry, {"round__fonds__in": fonds}), (Opinion, {"round__fonds__in": fonds}),
                     (RoundItem, {"round__fonds__in": fonds}), (DisposalRound, {"fonds__in": fonds}),
                     (UseLog, {"item__fonds__in": fonds}), (UseRequest, {"fonds__in": fonds}),
                     (FileCheck, {"file__item__fonds__in": fonds}), (ItemFile, {"item__fonds__in": fonds}),
                     (Proposal, {"fonds__in": fonds}), (FilingRound, {"fonds__in": fonds}),
                     (Item, {"fonds__in": fonds}), (Fonds, {"pk__in": [f.pk for f in fonds]})):  # fmt: skip
        raw(models.QuerySet(model).filter(**q))
    for f in fonds:
        Counter.objects.filter(key__startswith=f"archives:{f.pk}:").delete()
    Counter.objects.filter(key__startswith="archives:request:").delete()


def _paper(actor, f, rng, year, name):
    for i, (entry, title, pages, openness) in enumerate(PAPER):
        services.register_item(actor, fonds=f, entry=entry, year=year, title=title.format(c=name, y=year),
                               responsible=name, date=dt.date(year, 1 + (i * 3 + rng.randint(0, 2)) % 12, rng.randint(1, 28)),
                               pages=pages, room="档案室", cabinet=f"{1 + i // 4}号柜", box=f"{year}-{i + 1:02d}",
                               openness=openness, openness_reason="涉及居民个人信息" if openness != "open" else "")  # fmt: skip


@transaction.atomic
def load(seed: int = 20261121, echo=print) -> None:
    t0 = time.perf_counter()
    grant()
    rng = random.Random(seed)
    actor = User.objects.get(username="street")
    actor.__dict__.pop("_shequ_memberships", None)
    today = timezone.localdate()
    years = [today.year - 3, today.year - 2, today.year - 1]
    from shequ.org.models import OrgUnit

    street = OrgUnit.objects.get(code=STREET)
    all_fonds = [services.create_fonds(actor, org=street, number="Z115001", name=street.name)]
    counts = {"items": 0, "confirmed": 0, "pending": 0}
    for code in COMMUNITIES:
        unit = OrgUnit.objects.get(code=code)
        all_fonds.append(services.create_fonds(actor, org=unit, number=f"Z{code[3:]}", name=unit.name))
    for f in all_fonds:
        name = f.org.name.replace("居委会", "")
        for y in [*years, today.year]:
            if f.org.code != STREET and y in years:
                _paper(actor, f, rng, y, name)
            made = services.propose(actor, f, y)
            # Past years are filed (every proposal confirmed); the current year's records wait for
            # the archive staff, a few of them already confirmed: the season's backlog.
            take = made if y < today.year else made[: min(30, len(made) // 2)]
            if take:
                services.confirm(actor, [p.pk for p in take])
            counts["confirmed"] += len(take)
            if y not in years:
                continue
            r = services.open_round(actor, f, y)
            if (y < years[-1] or r.deadline < today) and not Proposal.objects.filter(
                fonds=f, year=y, status=ProposalStatus.PROPOSED
            ).exists():
                services.close_round(
                    actor, r.pk, "部分材料由街道统一归档" if services.round_state(r)["missing"] else ""
                )
        counts["pending"] += Proposal.objects.filter(fonds=f, status=ProposalStatus.PROPOSED).count()
    ningan = next(f for f in all_fonds if f.org.code == COMMUNITIES[0])
    guoling = next(f for f in all_fonds if f.org.code == COMMUNITIES[1])
    # Old files whose ten years have run out: one round decided in 宁安, items waiting in 郭岭.
    for f in (ningan, guoling):
        name = f.org.name.replace("居委会", "")
        old = today.year - 12
        for i, what in enumerate(("居民来访登记簿", "社区服务活动记录", "志愿服务台账")):
            entry = "WS-14" if i == 0 else "WS-15"
            services.register_item(actor, fonds=f, entry=entry, year=old, title=f"{name}{old}年{what}",
                                   responsible=name, date=dt.date(old, 3 + i * 3, 10), pages=20 + i * 5,
                                   room="档案室", cabinet="5号柜", box=f"{old}-0{i + 1}")  # fmt: skip
    r = services.open_disposal(actor, ningan, today.year)
    ids = list(r.entries.values_list("item_id", flat=True))
    services.record_opinion(actor, r.pk, member="张敏", kind="archive", note="已无查考价值")
    services.record_opinion(
        actor, r.pk, member="王秀英", kind="community", keep=[ids[0]], note="来访登记涉及遗留问题，建议续存"
    )
    services.record_opinion(actor, r.pk, member="居民代表 刘桂兰", kind="resident", keep=[ids[0]], note="同意其余销毁")  # fmt: skip
    services.decide_disposal(actor, r.pk, method="送区档案馆指定单位碎纸销毁",
                             keep={ids[0]: {"retention": "D30", "reason": "涉及尚未化解的信访遗留问题"}})  # fmt: skip
    # A lending history: mediation agreements seen by the parties, one lent and back, one overdue.
    mediation = list(Item.objects.filter(fonds=ningan, entry__code="WS-12").order_by("year", "number"))
    req = services.create_request(actor, fonds=ningan, requester="陈建国", requester_phone="13907150021",
                                  requester_org="宁安小区 3 栋", purpose="mediation", purpose_note="法院诉前调解需调解协议原件",
                                  items=[mediation[0].pk], mode="lend")  # fmt: skip
    services.move_request(actor, req.pk, "approve", note="当事人本人，同意借出")
    services.move_request(actor, req.pk, "lend", due_on=today + dt.timedelta(days=7))
    services.move_request(actor, req.pk, "return", note="原件完好")
    req = services.create_request(actor, fonds=ningan, requester="李红梅", purpose="social_security",
                                  purpose_note="核对历年人口信息办理养老保险", items=[mediation[1].pk], mode="copy", copies=2)  # fmt: skip
    services.move_request(actor, req.pk, "approve")
    services.move_request(actor, req.pk, "serve")
    req = services.create_request(actor, fonds=ningan, requester="周强", purpose="neighbour",
                                  purpose_note="邻里漏水纠纷再次发生，查阅原协议", items=[mediation[2].pk], mode="lend")  # fmt: skip
    services.move_request(actor, req.pk, "approve")
    services.move_request(actor, req.pk, "lend", due_on=today + dt.timedelta(days=3))
    UseRequest.objects.filter(pk=req.pk).update(due_on=today - dt.timedelta(days=4))  # overdue now
    services.create_request(actor, fonds=guoling, requester="吴敏", purpose="reemployment",
                            purpose_note="开具就业困难人员认定所需材料", mode="read",
                            items=[Item.objects.filter(fonds=guoling).order_by("pk").first().pk])  # fmt: skip
    counts["items"] = Item.objects.filter(fonds__in=all_fonds).count()
    services.remind_loans()  # the overdue loan's approver and archive staff are told
    echo(f"社区档案演示数据（用时 {time.perf_counter() - t0:.1f} 秒）：全宗 {len(all_fonds)} 个，档案 {counts['items']} 件（平台采集确认 {counts['confirmed']} 件，"
         f"待确认 {counts['pending']} 件），查借阅 4 次，到期鉴定 1 次。")  # fmt: skip
