"""Demo grades and pay of 纸坊街道's workers: the street adopts 三岗十八级 (正职 for the chairs, 副职
for their deputies, 其他 for everyone else; a 级 for every three years of service) and enters its
table for three years; the district enters the local average wage (a floor of 85 % in the first
year, 100 % after); every worker in post is placed and paid for each of the three years (the base
computed from the table as the services do, the other components spread around the floor, so the
pay page has workers on both sides of it), with labour contracts renewed every three years (a few
due soon) and their social insurance.

The policy (scheme, tables, wages) goes through the services; the placements, pay records,
contracts and insurance rows, of which there are hundreds, are bulk-inserted (the base computed by
the services' own rule, `base_of`)."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from shequ.core.models import User
from shequ.workforce import services
from shequ.workforce.models import (
    Body,
    Contract,
    GradePlacement,
    GradeScheme,
    Insurance,
    InsuranceKind,
    Office,
    PayRecord,
    Source,
    Status,
    Title,
    Worker,
)
from shequ.workforce.services.pay import _add_years, base_of

STREET = "420115001"
DISTRICT = "420115"
SCHEME = "纸坊街道三岗十八级"
# The local average wage (元/年) of the last three years and the floor each year (% of it).
WAGES = ((-2, 27968, 85), (-1, 29100, 100), (0, 30300, 100))
CENT = Decimal("0.01")


def _monthly(grade: str, level: int, year_offset: int) -> int:
    """The street's table: 1,650 a month at 级 1, 95 more a 级, a post allowance for the chairs and
    deputies, 4 % more each year."""
    post = {"正职": 650, "副职": 300}.get(grade, 0)
    return round((1650 + 95 * (level - 1) + post) * (1.04 ** (year_offset + 2)))


def _post(titles: set) -> str:
    if titles & {Title.SECRETARY, Title.DIRECTOR}:
        return "正职"
    if titles & {Title.DEPUTY_SECRETARY, Title.DEPUTY_DIRECTOR}:
        return "副职"
    return "其他"


def _level(grade, hired: dt.date, on: dt.date) -> int:
    years = on.year - hired.year - ((on.month, on.day) < (hired.month, hired.day))
    return min(grade.min_step + max(years, 0) // 3, grade.max_step)


def _services(workers) -> dict:
    """Each worker's service (hire, exits, returns) as the reports read it, in one query."""
    from shequ.workforce import reports
    from shequ.workforce.models import Movement, MovementKind

    facts = {w.pk: reports.Facts(w.pk, w.gender, w.birth_date, w.education, w.political_status, w.source,
                                 w.hired_on, w.full_time, w.scope_code) for w in workers}  # fmt: skip
    moves = Movement.objects.filter(
        worker__in=[w.pk for w in workers],
        kind__in=(MovementKind.TRANSFER, MovementKind.EXIT, MovementKind.RETURN),
    ).order_by("on", "id")
    for wid, *move in moves.values_list("worker_id", "on", "kind", "from_org__code", "reason"):
        facts[wid].moves.append(tuple(move))
    return facts


def _y(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def load(seed: int = 20261121, echo=print) -> dict:
    """Grades, pay, contracts and insurance of the demo street's workers in post; returns counts."""
    rng = random.Random(seed + 7)
    street = User.objects.get(username="street")
    district = User.objects.get(username="district")
    today = timezone.localdate()
    years = [today.year + k for k, _w, _f in WAGES]
    counts = {"placements": 0, "pay_records": 0, "contracts": 0, "insurance": 0}
    with transaction.atomic():
        scheme = GradeScheme.objects.filter(org__code=STREET, name=SCHEME).first() or services.create_scheme(
            street, STREET, template="三岗十八级", name=SCHEME, years_per_step=3, appraisal_count=3,
            appraisal_min="称职", note="纸坊街道社区工作者薪酬待遇实施办法",
        )  # fmt: skip
        grades = {g.name: g for g in scheme.grades.all()}
        for k, year in zip((w[0] for w in WAGES), years, strict=True):
            rates = {(g.name, s): _monthly(g.name, s, k) for g in grades.values() for s in g.steps()}
            services.set_pay_table(
                street, scheme.pk, year=year, rates=rates, source=f"纸坊街道{year}年社区工作者等级工资标准"
            )
        for (_k, amount, floor), year in zip(WAGES, years, strict=True):
            services.set_average_wage(district, DISTRICT, year=year, amount=amount, floor_percent=floor,
                                      source=f"江夏区统计局{year}年城镇非私营单位在岗职工平均工资")  # fmt: skip
        workers = list(
            Worker.objects.filter(scope_code__startswith=STREET, status=Status.ACTIVE, full_time=True)
        )
        titles: dict[int, set] = {}
        for wid, title in (
            Office.objects.filter(worker__in=workers, end__isnull=True)
            .exclude(body=Body.SPECIALIST)
            .values_list("worker_id", "title")
        ):
            titles.setdefault(wid, set()).add(title)
        # Placements: each worker's grade from their office, a 级 for every three years of service
        # from the day the street adopted the scheme (three years before the first table), a 级 up
        # on the first 1 January after every three years, unless held back (a few are, so that the
        # step-up advice has workers waiting for their appraisal).
        adopted = dt.date(years[0] - 3, 1, 1)
        placed = set(GradePlacement.objects.filter(worker__in=workers).values_list("worker_id", flat=True))
        workers = [w for w in workers if w.pk not in placed]
        history: dict[int, list] = {}
        for w in sorted(workers, key=lambda w: w.pk):
            grade = grades[_post(titles.get(w.pk, set()))]
            first = max(adopted, w.hired_on)
            level = _level(grade, w.hired_on, first)
            steps = [GradePlacement(worker=w, scheme=scheme, grade=grade, step=level, on=first, note="定级")]
            for year in range(first.year + 1, today.year + 1):
                day = dt.date(year, 1, 1)
                up = _level(grade, w.hired_on, day)
                if up > level and rng.random() < 0.8:
                    level = up
                    steps.append(GradePlacement(worker=w, scheme=scheme, grade=grade, step=up, on=day,
                                                note="满三年、考核称职晋级"))  # fmt: skip
            history[w.pk] = steps
        GradePlacement.objects.bulk_create([p for steps in history.values() for p in steps], batch_size=500)
        counts["placements"] = sum(len(steps) for steps in history.values())
        # Pay: the base as the services compute it (from the placements, the service and the table).
        service = _services(workers)
        tables = {t.year: {(g, st): m for g, st, m in t.rates.values_list("grade_id", "step", "monthly")}
                  for t in scheme.tables.filter(year__in=years)}  # fmt: skip
        records, insurance = [], []
        for w in workers:
            for year in years:
                if w.hired_on.year > year:
                    continue
                base = base_of(
                    w.name, year, history[w.pk], service[w.pk].in_post, lambda p, y=year: tables.get(y)
                )
                performance = Decimal(rng.randrange(2000, 6000, 100))
                allowances = Decimal(rng.randrange(1200, 4800, 100))
                bonus = Decimal(rng.choice([0, 1000, 1500, 2000, 3000]))
                gross = base.amount + performance + allowances + bonus
                housing = rng.random() < 0.85 or w.source != Source.OTHER
                records.append(PayRecord(
                    worker=w, year=year, grade=base.grade, step=base.step, base_months=base.months, base=base.amount,
                    performance=performance, allowances=allowances, bonus=bonus,
                    employer_insurance=_y(gross * Decimal("0.305")),
                    employer_housing_fund=_y(gross * Decimal("0.12")) if housing else Decimal("0.00"),
                    personal_insurance=_y(gross * Decimal("0.105")),
                    personal_housing_fund=_y(gross * Decimal("0.12")) if housing else Decimal("0.00"),
                ))  # fmt: skip
                kinds = [k for k in InsuranceKind.values if k != InsuranceKind.HOUSING_FUND or housing]
                if rng.random() < 0.06:  # a few gaps, so the rates are not all 100 %
                    kinds.remove(rng.choice([InsuranceKind.UNEMPLOYMENT, InsuranceKind.MATERNITY]))
                insurance += [Insurance(worker=w, year=year, kind=k) for k in kinds]
        PayRecord.objects.bulk_create(records, batch_size=500)
        Insurance.objects.bulk_create(insurance, batch_size=1000)
        counts["pay_records"], counts["insurance"] = len(records), len(insurance)
        # Contracts: three-year terms from the hire, each renewing the one before, up to today;
        # inserted a generation at a time (a renewal points at the contract of the one before).
        chains = [w for w in workers if w.source != Source.ELECTED]
        begins = {w.pk: w.hired_on for w in chains}
        previous: dict[int, Contract] = {}
        while begins:
            batch = []
            for w in chains:
                begin = begins.get(w.pk)
                if begin is None:
                    continue
                end = _add_years(begin, 3) - dt.timedelta(days=1)
                batch.append(Contract(worker=w, employer="纸坊街道办事处", start=begin, end=end,
                                      renews=previous.get(w.pk), number=f"ZF{begin.year}{w.pk:04d}"))  # fmt: skip
            Contract.objects.bulk_create(batch)
            for c in batch:
                previous[c.worker_id] = c
                following = c.end + dt.timedelta(days=1)
                if following <= today:
                    begins[c.worker_id] = following
                else:
                    begins.pop(c.worker_id)
            counts["contracts"] += len(batch)
    echo(
        f"薪酬：等级体系“{SCHEME}”，工资表和社会平均工资 {len(years)} 年，定级晋级 {counts['placements']} 次，"
        f"年度薪酬 {counts['pay_records']} 条，劳动合同 {counts['contracts']} 份，参保 {counts['insurance']} 项"
    )
    return counts
