"""Demo appraisal of 纸坊街道's workers: the annual cycles of the last two years, run through the real
services as the street (organisation scores for everyone; 宁安's lead scores her own community too),
with residents answering each community's phone form by code inside the survey's window, closed
to grades; a few honours, 两代表一委员 seats and promotions; and the demo accounts of 宁安's
secretary and one of its workers linked to their records, so that each sees their own results."""

import datetime as dt
import random

from django.utils import timezone

from shequ.core import surveys
from shequ.core.models import Survey, User
from shequ.workforce import services
from shequ.workforce.models import DEFAULT_GRADES, AppraisalCycle, Office, Worker
from shequ.workforce.services import appraisal

RESPONSES = 24  # residents answering each community's form a year (a 民主测评 of a few dozen)
DIMS = ("de", "neng", "qin", "ji", "lian", "xue")


def reset(street: str) -> None:
    """Drop the demo appraisals (before the workers they point at go)."""
    cycles = AppraisalCycle.objects.filter(scope_code__startswith=street)
    Survey.objects.filter(
        purpose="workforce.appraisal", owner_id__in=[str(pk) for pk in cycles.values_list("pk", flat=True)]
    ).delete()
    cycles.delete()


def _linked(actor, code: str) -> None:
    """宁安's secretary and a worker of hers read their own results through the demo accounts."""
    secretary = (
        Office.objects.filter(worker__scope_code=code, title="secretary", end__isnull=True)
        .select_related("worker")
        .first()
    )
    staff = (
        Worker.objects.filter(scope_code=code, status="active", offices__isnull=True)
        .order_by("hired_on")
        .first()
    )
    for worker, username, name in ((secretary.worker if secretary else None, "lead_ningan", "王秀英"),
                                   (staff, "worker_ningan", "张敏")):  # fmt: skip
        if worker is None or not User.objects.filter(username=username).exists():
            continue
        services.update_worker(actor, worker.pk, name=name)
        services.link_account(actor, worker.pk, username=username)


def load(actor, street: str, communities: list[str], rng: random.Random, echo=print) -> dict:
    """Two closed annual cycles with residents' responses, and recognition; returns counts."""
    today = timezone.localdate()
    _linked(actor, communities[0])
    lead = User.objects.filter(username="lead_ningan").first()
    workers = list(Worker.objects.filter(scope_code__startswith=street, status="active").order_by("id"))
    # Each worker's standing, steady over the years: most do well, one or two struggle.
    quality = {w.pk: rng.gauss(84, 7) for w in workers}
    for w in rng.sample(workers, 2):
        quality[w.pk] = 52
    counts = {"cycles": 0, "responses": 0}
    for year in (today.year - 2, today.year - 1):
        opens, closes = dt.date(year, 12, 1), dt.date(year, 12, 20)
        # The street holds 优秀 to a tenth of its workers (the default is a fifth).
        grades = [{**g, "quota": 10} if g["name"] == "优秀" else g for g in DEFAULT_GRADES]
        cycle = appraisal.create_cycle(actor, street, year=year, scorers="either", org_share=70, street_share=60,
                                       grades=grades, survey_opens=opens, survey_closes=closes, verify="code")  # fmt: skip
        for r in cycle.results.select_related("worker"):
            q = quality[r.worker_id]
            scores = {d: max(0, min(100, round(rng.gauss(q, 4), 1))) for d in DIMS}
            appraisal.enter_scores(actor, cycle.pk, r.worker_id, scores=scores, scorer="street")
            if lead is not None and r.scope_code == communities[0]:
                scores = {d: max(0, min(100, round(rng.gauss(q + 2, 3), 1))) for d in DIMS}
                appraisal.enter_scores(lead, cycle.pk, r.worker_id, scores=scores, scorer="lead")
        for survey in appraisal.cycle_surveys(cycle):
            first_day = timezone.make_aware(dt.datetime(year, 12, 1, 9))
            _batch, codes = surveys.issue_codes(actor, survey.pk, RESPONSES + 8, now=first_day)
            questions = list(survey.questions.all())
            for k in range(RESPONSES):
                answers = {}
                for question in questions:
                    if question.ref and rng.random() < 0.85:  # some residents do not know everyone
                        q = quality[int(question.ref.split(":")[1])]
                        answers[str(question.pk)] = max(1, min(5, round(rng.gauss((q - 38) / 12, 0.7))))
                    elif not question.ref and rng.random() < 0.15:
                        answers[str(question.pk)] = rng.choice(
                            ["希望多开展老年人活动", "办事很耐心，谢谢", "晚上能多巡查一下就好了"]
                        )
                moment = timezone.make_aware(
                    dt.datetime(year, 12, 2 + k % 17, 9 + k % 10, rng.randint(0, 59))
                )
                surveys.submit_response(survey, answers, code=codes[k], now=moment)
                counts["responses"] += 1
        appraisal.close_cycle(actor, cycle.pk)
        counts["cycles"] += 1
    counts.update(_recognition(actor, street, workers, rng, today))
    echo(f"考核：{counts['cycles']} 次（居民答卷 {counts['responses']} 份），表彰 {counts['awards']} 项，"
         f"两代表一委员 {counts['seats']} 人，晋升 {counts['promotions']} 人次")  # fmt: skip
    return counts


def _recognition(actor, street, workers, rng, today) -> dict:
    out = {"awards": 0, "seats": 0, "promotions": 0}
    seasoned = sorted(workers, key=lambda w: w.hired_on)[:30]
    for year in range(today.year - 5, today.year, 2):  # the biennial 十佳社区干部
        for w in rng.sample(seasoned, 2):
            if w.hired_on.year < year:
                services.add_award(actor, w.pk, title="十佳社区干部", level="区级", awarded_on=dt.date(year, 12, 28),
                                   body="中共江夏区委组织部")  # fmt: skip
                out["awards"] += 1
    for w in rng.sample(seasoned, 3):
        services.add_award(actor, w.pk, title="优秀社区工作者", level="街道级", awarded_on=dt.date(today.year - 1, 1, 15),
                           body="纸坊街道党工委")  # fmt: skip
        out["awards"] += 1
    # 宁安's secretary sits in the district people's congress; two others elsewhere in the street.
    secretary = Worker.objects.filter(user__username="lead_ningan").first()
    seated = ([secretary] if secretary else []) + [w for w in rng.sample(seasoned, 3) if w != secretary]
    for w, kind, level, term, start in zip(
        seated[:3],
        ("人大代表", "党代表", "政协委员"),
        ("区级", "区级", "区级"),
        ("第十届", "第九次党代会", "第十届"),
        (dt.date(2021, 12, 20), dt.date(2021, 9, 10), dt.date(2022, 1, 8)),
        strict=True,
    ):
        services.add_representative(actor, w.pk, kind=kind, level=level, term=term, start=start)
        out["seats"] += 1
    here = [w for w in seasoned[5:] if secretary and w.scope_code == secretary.scope_code][:1]
    rising = here + [w for w in rng.sample(seasoned[5:], 3) if w not in here][: 3 - len(here)]
    for w, post in zip(rising, ("社区居委会副主任", "社区党委副书记", "社区居委会主任"), strict=True):
        on = max(w.hired_on + dt.timedelta(days=800), dt.date(today.year - 3, 7, 1))
        if on <= today:
            services.add_promotion(actor, w.pk, on=on, post=post, note="换届选举")
            out["promotions"] += 1
    return out
