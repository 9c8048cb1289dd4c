"""Demo workforce of 纸坊街道's four demo communities, entered through the real services as the
street's demo account: about twenty years of hires, transfers and exits (with reasons and exit
interviews), the two committees with their chairs (one 一肩挑), specialist posts, and the 常住人口
of three years, so that the overview shows a staffing gap, a structure and turnover."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from shequ.core.models import User
from shequ.core.validators import id_check_char
from shequ.workforce import demo_appraisal, demo_pay, services
from shequ.workforce.models import Movement, Office, Population, StreetSection, Worker

STREET = "420115001"
COMMUNITIES = ["420115001001", "420115001002", "420115001005", "420115001019"]
POPULATION = {"420115001001": 11840, "420115001002": 9630, "420115001005": 13210, "420115001019": 8920}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程魏苏吕丁沈姚卢熊"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌波辉鹏飞婷雪慧琳晨宇浩然欣怡"
EDUCATION = ["本科"] * 5 + ["大专"] * 4 + ["研究生"] + ["中专"] * 2 + ["高中及以下"]
SOURCES = (
    [("聘用", "公开招聘")] * 6
    + [("聘用", "大学生社区工作者")] * 2
    + [("选举产生", "换届选举")] * 2
    + [
        ("街道下派", ""),
        ("其他", "公益性岗位"),
    ]
)
EXITS = ["辞职", "跳槽", "跳槽", "辞职", "退休", "解聘", "招录为公务员或事业编", "调出", "提拔进街道班子"]
INTERVIEWS = {
    "辞职": "家中老人需要照顾，工作时间长顾不过来。",
    "跳槽": "月收入比企业低一千多元，去了物业公司做主管。",
    "招录为公务员或事业编": "考上了区民政局事业编，感谢社区的锻炼。",
}
# The street office's own bodies: 编制 against 实有 (one short-staffed, one over).
SECTIONS = [
    ("党政综合办公室", 9, 8),
    ("社区建设办公室", 6, 4),
    ("平安建设办公室", 5, 6),
    ("社会事务办公室", 7, 6),
]
SPECIALISTS = ["网格员", "社保专干", "计生专干", "残协专职委员", "综合治理专干"]


def is_loaded() -> bool:
    return Worker.objects.filter(scope_code__startswith=STREET).exists()


def reset() -> None:
    """Delete the demo workforce (before the org units it points at go)."""
    demo_appraisal.reset(STREET)  # appraisal results point at the workers (PROTECT)
    workers = Worker.objects.filter(scope_code__startswith=STREET)
    Movement.objects.filter(worker__in=workers).delete()
    Office.objects.filter(worker__in=workers).delete()
    workers.delete()
    Population.objects.filter(scope_code__startswith=STREET).delete()
    StreetSection.objects.filter(scope_code__startswith=STREET).delete()


def _id_number(rng, birth: dt.date, female: bool) -> str:
    seq = rng.randrange(0, 99) * 10 + rng.choice([0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9])
    first17 = f"420115{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def load(seed: int = 20261121, echo=print) -> dict:
    """Make the demo workforce; returns counts."""
    rng = random.Random(seed)
    actor = User.objects.get(username="street")
    today = timezone.localdate()
    counts = {"workers": 0, "exits": 0, "offices": 0}
    with transaction.atomic():
        for code in COMMUNITIES:
            staff = []
            # A core that has stayed, then yearly cohorts of recruits, some of whom left.
            for _k in range(22):
                female = rng.random() < 0.68
                hired = dt.date(rng.randint(2005, today.year - 1), rng.randint(1, 12), 1)
                if hired > today - dt.timedelta(days=60):
                    hired = today - dt.timedelta(days=120)
                age_at_hire = rng.randint(22, 40)
                birth = dt.date(hired.year - age_at_hire, rng.randint(1, 12), rng.randint(1, 28))
                source, detail = rng.choice(SOURCES)
                w = services.add_worker(
                    actor,
                    code,
                    name=rng.choice(SURNAMES)
                    + "".join(rng.choice(GIVEN) for _i in range(rng.choice([1, 2]))),
                    id_number=_id_number(rng, birth, female),
                    education=rng.choice(EDUCATION),
                    political_status=rng.choice(["中共党员", "中共党员", "群众", "共青团员"]),
                    post="社区专职工作者",
                    source=source,
                    source_detail=detail,
                    hired_on=hired,
                    phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                )
                staff.append(w)
                counts["workers"] += 1
            staff.sort(key=lambda w: w.hired_on)
            # Chairs: the longest-serving is secretary and, in two communities, also director.
            head, second = staff[0], staff[1]
            term_start = dt.date(2021, 7, 1)
            services.assign_office(
                actor, head.pk, body="party", title="书记", start=term_start, term="第十一届"
            )
            chair = head if code in COMMUNITIES[:2] else second
            services.assign_office(
                actor, chair.pk, body="committee", title="主任", start=term_start, term="第十一届"
            )
            services.assign_office(
                actor, staff[2].pk, body="party", title="副书记", start=term_start, term="第十一届"
            )
            services.assign_office(
                actor, staff[2].pk, body="committee", title="副主任", start=term_start, term="第十一届"
            )
            for w in staff[3:6]:
                services.assign_office(
                    actor, w.pk, body="committee", title="委员", start=term_start, term="第十一届"
                )
            for w, title in zip(staff[6:11], SPECIALISTS, strict=False):
                start = max(w.hired_on, dt.date(2022, 1, 1))
                services.assign_office(actor, w.pk, body="specialist", title=title, start=start)
            counts["offices"] += 11
            # About a third hold a social-work certificate, paid a one-off reward for passing.
            for k, w in enumerate(staff[:11]):
                if rng.random() < 0.45:
                    kind = "助理社会工作师" if rng.random() < 0.7 else "社会工作师"
                    on = dt.date(rng.randint(max(w.hired_on.year, 2010), today.year - 1), 11, 1)
                    services.add_qualification(actor, w.pk, kind=kind, number=f"{code[-3:]}{on.year}{k:03d}",
                                               obtained_on=on, reward=2000 if kind == "社会工作师" else 1000)  # fmt: skip
                    counts["certificates"] = counts.get("certificates", 0) + 1
            # A third of the later recruits left, at some point after they came.
            for w in staff[11:]:
                if rng.random() < 0.4:
                    span = (today - w.hired_on).days
                    if span < 90:
                        continue
                    on = w.hired_on + dt.timedelta(days=rng.randint(60, span - 1))
                    reason = rng.choice(EXITS)
                    services.record_exit(
                        actor, w.pk, on=on, reason=reason, interview=INTERVIEWS.get(reason, "")
                    )
                    counts["exits"] += 1
        # Two workers moved between communities.
        movers = Worker.objects.filter(scope_code=COMMUNITIES[0], status="active").order_by("-hired_on")[:2]
        for w in movers:
            services.transfer_worker(
                actor, w.pk, to_org=COMMUNITIES[3], on=max(w.hired_on, today - dt.timedelta(days=200))
            )
        # Trainings the street held in the last two years: the chairs' rotation and the civil-affairs
        # course; about four in five of those in post signed in.
        in_post = list(Worker.objects.filter(scope_code__startswith=STREET, status="active"))
        for year in (today.year - 1, today.year):
            first = dt.date(year, 3, 10)
            if first > today:
                continue
            for title, org, organiser, days in (
                (f"{year}年社区书记、主任轮训", STREET, "党校", 5),
                (f"{year}年社区工作者政策法规培训", STREET, "民政局", 2),
            ):
                t = services.create_training(actor, org, title=title, organiser=organiser, kind="岗中培训",
                                             start=first, end=first + dt.timedelta(days=days - 1), days=days)  # fmt: skip
                for w in in_post:
                    if w.hired_on <= t.end and rng.random() < 0.8:
                        services.sign_in(actor, t.pk, w.pk, passed=True)
                counts["trainings"] = counts.get("trainings", 0) + 1
        for year in (today.year - 2, today.year - 1, today.year):
            for code, n in POPULATION.items():
                grown = int(n * (1 + 0.015 * (year - today.year)))
                services.set_population(actor, code, year=year, residents=grown, source="纸坊街道统计年报")
        for name, established, actual in SECTIONS:
            services.set_section(actor, STREET, name=name, established=established, actual=actual)
        counts["appraisal"] = demo_appraisal.load(actor, STREET, COMMUNITIES, rng, echo=echo)
    echo(
        f"社区工作者：{counts['workers']} 人（离开 {counts['exits']} 人），任职 {counts['offices']} 项，"
        f"职业资格证书 {counts.get('certificates', 0)} 本，培训 {counts.get('trainings', 0)} 期"
    )
    counts |= demo_pay.load(seed=seed, echo=echo)
    return counts
