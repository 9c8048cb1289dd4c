"""Demo data of the duties module for the four demo communities of 纸坊街道, made through the real
services as the demo accounts: the district's list (two versions), the street's review group,
admission requests in every state (one waiting on the demo review group), the tasks they admitted
with progress, standing loads that give the burden ledger a year of history, refusals,
certificates and an open appraisal round. Dates of the admitted work are moved into the past
afterwards (seed data, not a user act) so that the ledger has a trend and some tasks are overdue."""

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from shequ.core.models import User
from shequ.duties import services
from shequ.duties.data import example_list
from shequ.duties.models import (
    AdmissionRequest,
    BurdenEntry,
    DutyList,
    Kind,
    RequestStatus,
    Task,
    Vote,
)
from shequ.org.models import OrgUnit

DISTRICT, STREET = "420115", "420115001"
DEPARTMENT = "江夏区民政局"

# department, title, kind, ledgers, stamps, signboards, inspections, appraisals, meetings, reports
STANDING = [
    ("江夏区应急管理局", "安全生产网格化排查", Kind.ASSIST, 4, 1, 1, 12, 1, 4, 12),
    ("江夏区卫生健康局", "健康社区建设", Kind.ASSIST, 3, 0, 1, 2, 1, 2, 4),
    ("江夏区城市管理执法局", "生活垃圾分类督导", Kind.ASSIST, 2, 0, 1, 6, 2, 4, 12),
    ("江夏区公安分局", "出租房屋和流动人口登记", Kind.ASSIST, 3, 1, 0, 4, 0, 2, 12),
    ("江夏区人力资源和社会保障局", "就业创业服务", Kind.ASSIST, 2, 2, 1, 1, 1, 2, 4),
    ("江夏区退役军人事务局", "退役军人服务站", Kind.ASSIST, 3, 1, 1, 2, 1, 2, 4),
    ("江夏区司法局", "人民调解和普法宣传", Kind.STATUTORY, 2, 1, 1, 2, 1, 4, 4),
    ("江夏区文化和旅游局", "文明城市创建", Kind.ASSIST, 5, 0, 2, 6, 3, 6, 6),
    ("江夏区统计局", "统计调查", Kind.ASSIST, 1, 1, 0, 0, 0, 1, 2),
    ("纸坊街道办事处", "社区网格化管理", Kind.STATUTORY, 4, 2, 1, 4, 2, 12, 12),
]


def is_loaded() -> bool:
    return DutyList.objects.filter(org__code=DISTRICT).exists()


def reset() -> None:
    """Delete what the duties demo made (before the demo's residents and accounts go: certificates,
    requests and review members point at them)."""
    from django.contrib.contenttypes.models import ContentType

    from shequ.core.models import Attachment, Counter
    from shequ.core.scope import prefix_q
    from shequ.duties import models as m

    with transaction.atomic():
        in_street = prefix_q("scope_code", [STREET])
        reports = m.TaskReport.objects.filter(in_street)
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(m.TaskReport),
            owner_id__in=[str(pk) for pk in reports.values_list("pk", flat=True)],
        ).delete()
        for model in (
            m.AppraisalForm,
            m.Certificate,
            m.CertificateRefusal,
            m.Refusal,
            m.BurdenEntry,
            m.TaskReport,
            m.FundingCommitment,
            m.Task,
            m.ReviewVote,
        ):
            model.objects.filter(in_street).delete()
        m.AppraisalRound.objects.filter(org__code=STREET).delete()
        m.AdmissionRequest.objects.filter(org__code__in=(STREET, DISTRICT)).delete()
        m.ReviewMember.objects.filter(scope_code__in=(STREET, DISTRICT)).delete()
        m.DutyPolicy.objects.filter(org__code__in=(STREET, DISTRICT)).delete()
        m.DutyList.objects.filter(org__code__in=(STREET, DISTRICT)).delete()
        Counter.objects.filter(key__startswith="duties.").filter(
            Q(key__contains=f".{STREET}") | Q(key__contains=f".{DISTRICT}.")
        ).delete()


def _user(username):
    return User.objects.get(username=username)


def _communities():
    from shequ.org import demo as org_demo

    return list(OrgUnit.objects.filter(code__in=[c[0] for c in org_demo.COMMUNITIES]).order_by("code"))


def _shift(req, days: int) -> None:
    """Move an admitted request and its work `days` into the past (seed data)."""
    delta = dt.timedelta(days=days)
    AdmissionRequest.objects.filter(pk=req.pk).update(
        start_date=req.start_date - delta,
        end_date=req.end_date - delta,
        submitted_at=req.submitted_at - delta - dt.timedelta(days=45),
        decided_at=req.decided_at - delta - dt.timedelta(days=30) if req.decided_at else None,
    )
    for t in Task.objects.filter(request=req):
        Task.objects.filter(pk=t.pk).update(start_date=t.start_date - delta, deadline=t.deadline - delta)
    for e in BurdenEntry.objects.filter(task__request=req):
        BurdenEntry.objects.filter(pk=e.pk).update(
            start_date=e.start_date - delta, end_date=e.end_date - delta
        )


def _file(dept, communities, start, **fields):
    return services.file_request(
        dept,
        communities=communities,
        start_date=start,
        end_date=start + dt.timedelta(days=fields.pop("days", 120)),
        frequency=fields.pop("frequency", "once"),
        **fields,
    )


def load(seed: int = 20261121, echo=print) -> dict:
    """Load the duties demo once."""
    if is_loaded():
        echo("事项准入演示数据已存在，跳过载入。")
        return {}
    t0 = time.perf_counter()
    rng = random.Random(seed)
    today = timezone.localdate()
    district, street = OrgUnit.objects.get(code=DISTRICT), OrgUnit.objects.get(code=STREET)
    admin_d, admin_s = _user("district"), _user("street")
    dept, lead, worker = _user("dept_minzheng"), _user("lead_ningan"), _user("worker_ningan")
    root = _user("admin")  # reports for the communities without a demo account
    communities = _communities()
    ningan = communities[0]
    # Seed data: the acts are real, the notices they would send are not.
    with override_settings(NOTIFY_CHANNELS=""), transaction.atomic():
        # Two versions of the district list: last year's, and this year's in force.
        rows = example_list.rows()
        v1 = services.create_list(
            admin_d,
            org=district,
            title="江夏区社区工作事项清单",
            effective_from=dt.date(today.year - 1, 1, 1),
            basis="江夏区社区减负增效工作方案",
        )
        services.replace_items(admin_d, v1, [r for r in rows if r["code"] not in ("XZ-14", "FM-06", "ZM-04")])
        services.publish_list(admin_d, v1.pk)
        v2 = services.create_list(
            admin_d,
            org=district,
            title="江夏区社区工作事项清单",
            effective_from=dt.date(today.year, 1, 1),
            basis="江夏区社区减负增效工作方案（修订）",
            notes="新增：协助开展生活垃圾分类宣传和督导；负面清单新增：要求社区悬挂部门牌子；证明事项新增：志愿服务情况证明。",
        )
        services.replace_items(admin_d, v2, rows)
        services.publish_list(admin_d, v2.pk)

        policy = services.save_policy(admin_s, street, group_name="纸坊街道社区工作准入审核领导小组")
        services.set_members(
            admin_s,
            policy,
            [
                {"user": admin_s, "title": "街道办事处副主任（组长）", "is_chair": True},
                {"user": _user("dept_dangjian"), "title": "党建办主任"},
                {"user": _user("dept_shequ"), "title": "社区建设办主任"},
            ],
        )
        members = [admin_s, _user("dept_dangjian"), _user("dept_shequ")]
        item = {i.code: i for i in v2.items.all()}
        start = today + dt.timedelta(days=60)

        # Admitted last summer, running now: funded assessments in all four communities.
        r1 = _file(
            dept,
            communities,
            start,
            days=240,
            title="高龄老人能力评估入户",
            description="对辖区 80 周岁以上老年人开展能力评估，评估结果录入省养老服务信息平台。",
            item=item["XZ-02"],
            ledgers=1,
            forms=2,
            stamps=0,
            inspections=2,
            data_reports=4,
            hours_per_month=Decimal("6"),
            funding_per_community=Decimal("2000"),
            funding_source="区级养老服务专项资金",
            personnel="区民政局委托第三方评估机构派评估员 2 名",
            personnel_count=2,
            ledger_names="老年人能力评估台账",
            frequency="monthly",
        )
        for m, choice, note in zip(
            members, (Vote.APPROVE, Vote.AMEND, Vote.APPROVE), ("", "评估表合并为一张", ""), strict=True
        ):
            services.vote(m, r1.pk, choice, note)
        r1.refresh_from_db()
        _shift(r1, 150)
        # Admitted, its deadline passed last week with one community not done.
        r2 = _file(
            dept,
            communities,
            start,
            days=100,
            title="困难群众救助对象年度核查",
            description="对在册低保、特困对象逐户核查家庭收入和财产变化，填写核查表并签字。",
            item=item["XZ-01"],
            ledgers=1,
            forms=1,
            stamps=1,
            data_reports=2,
            hours_per_month=Decimal("10"),
            personnel="区民政局社会救助科派 1 名社工全程指导",
            personnel_count=1,
            ledger_names="社会救助核查台账",
        )
        for m in members:
            services.vote(m, r2.pk, Vote.APPROVE)
        r2.refresh_from_db()
        _shift(r2, 168)
        # Waiting on the review group: one vote in, the chair and one member to go.
        r3 = _file(
            dept,
            communities[:2],
            start + dt.timedelta(days=30),
            days=60,
            title="困境儿童和留守儿童摸底排查",
            description="入户核实辖区困境儿童、留守儿童的监护和生活情况，填写信息采集表。",
            item=item["XZ-13"],
            forms=1,
            data_reports=1,
            hours_per_month=Decimal("8"),
            funding_per_community=Decimal("1000"),
            funding_source="区未成年人保护专项经费",
            personnel="区儿童福利指导中心派 1 人驻点",
            personnel_count=1,
        )
        services.vote(members[1], r3.pk, Vote.APPROVE, "")
        # Returned for completion (no basis), and rejected by the negative list.
        _file(
            dept,
            communities[:1],
            start + dt.timedelta(days=10),
            title="社区志愿者服务时长统计",
            description="每月统计志愿者服务时长并报送。",
            data_reports=12,
            hours_per_month=Decimal("4"),
        )
        _file(
            dept,
            communities,
            start + dt.timedelta(days=20),
            title="养老产业招商引资摸底",
            description="请社区摸排辖区可招商的养老服务场地和企业。",
            item=item["FM-01"],
            basis="区养老产业发展规划",
        )

        # Progress on the running work.
        for t in Task.objects.filter(request=r1).order_by("community__code"):
            p = rng.choice((30, 50, 60, 80))
            services.report_progress(
                worker if t.community == ningan else root,
                t.pk,
                progress=p,
                hours=rng.randint(6, 20),
                note=f"已完成评估 {p}%",
            )
        for t in Task.objects.filter(request=r2).order_by("community__code")[1:]:
            services.report_progress(
                worker if t.community == ningan else root,
                t.pk,
                progress=100,
                hours=rng.randint(15, 30),
                note="核查完毕，核查表已交区民政局",
                completes=True,
            )

        # A year of standing loads across the communities (the ledger's history).
        for c in communities:
            for dept_name, title, kind, *counts in rng.sample(STANDING, 7):
                ledgers, stamps, signboards, inspections, appraisals, meetings, reports = counts
                services.register_entry(
                    admin_s,
                    community=c,
                    department=dept_name,
                    kind=kind,
                    title=title,
                    start_date=today - dt.timedelta(days=rng.randint(20, 360)),
                    ledgers=ledgers + rng.randint(0, 2),
                    stamps=stamps,
                    signboards=signboards,
                    inspections=inspections,
                    appraisals=appraisals,
                    meetings=meetings,
                    data_reports=reports,
                    hours_per_month=Decimal(rng.randint(2, 12)),
                )

        # What 宁安 refused, certified and declined to certify.
        services.refuse_unadmitted(
            lead,
            community=ningan,
            department="江夏区城市管理执法局",
            title="沿街门店招牌执法检查",
            description="要求社区每周对沿街门店开展执法检查并上报照片",
            channel="微信工作群",
            received_on=today - dt.timedelta(days=12),
        )
        services.refuse_unadmitted(
            lead,
            community=ningan,
            department="江夏区文化和旅游局",
            title="文明社区创建达标验收材料",
            description="准备创建达标验收台账 12 本",
            channel="电话",
            received_on=today - dt.timedelta(days=5),
        )
        from shequ.people.models import Resident

        for r in Resident.objects.filter(community=ningan).order_by("pk")[:3]:
            services.issue_certificate(
                worker,
                community=ningan,
                item=item["ZM-01"],
                resident=r,
                purpose="办理子女入学",
                content=f"兹证明{r.name}在本社区实际居住。\n特此证明。",
            )
        services.refuse_certificate(
            worker, community=ningan, requested="无犯罪记录证明", requester_name="刘洋", purpose="入职审查"
        )

        rnd = services.open_round(
            admin_s,
            org=street,
            title=f"{today.year}年度社区评议部门",
            period=f"{today.year}年",
            opens_on=today - dt.timedelta(days=7),
            closes_on=today + dt.timedelta(days=30),
            departments=[DEPARTMENT, "江夏区应急管理局", "江夏区城市管理执法局", "江夏区文化和旅游局"],
        )
        services.submit_appraisal(
            lead,
            rnd.pk,
            community=ningan,
            department=DEPARTMENT,
            cooperation=5,
            funding=4,
            burden=4,
            service=5,
            comment="评估经费按时到位，评估员驻点配合好。",
        )
        services.submit_appraisal(
            lead,
            rnd.pk,
            community=ningan,
            department="江夏区文化和旅游局",
            cooperation=2,
            funding=1,
            burden=1,
            service=3,
            comment="创建材料要求多，未经准入直接布置。",
        )
    counts = {
        "items": v2.items.count(),
        "requests": AdmissionRequest.objects.filter(org=street).count(),
        "tasks": Task.objects.filter(scope_code__startswith=STREET).count(),
        "in_review": AdmissionRequest.objects.filter(org=street, status=RequestStatus.REVIEW).count(),
        "entries": BurdenEntry.objects.filter(scope_code__startswith=STREET).count(),
    }
    seconds = time.perf_counter() - t0
    echo(
        f"事项准入演示数据载入完成，用时 {seconds:.1f} 秒：清单事项 {counts['items']} 项，准入申请 {counts['requests']} 件"
        f"（审核中 {counts['in_review']}），下派任务 {counts['tasks']} 个，减负台账条目 {counts['entries']} 条。"
    )
    return counts
