"""Grades and pay in the two-community world: the street adopts a template, enters a year's table
and the average wage; workers are placed and paid through the real services."""

import datetime as dt
from decimal import Decimal

from shequ.workforce import services
from tests.workforce.factories import make_worker

# 三级九档 with amounts a month: 初级 1 500–1 700, 中级 1 900–2 100, 高级 2 300–2 500.
NINE = {("初级", 1): 1500, ("初级", 2): 1600, ("初级", 3): 1700, ("中级", 1): 1900, ("中级", 2): 2000,
        ("中级", 3): 2100, ("高级", 1): 2300, ("高级", 2): 2400, ("高级", 3): 2500}  # fmt: skip
# The example: base 18,000 (初级一档 × 12) + 3,000 + 2,567 + 1,200 = gross 24,767; with the
# employer's 7,826 + 2,700 the total cost is 35,293; less the worker's 3,401 + 1,800, 19,566.
EXAMPLE = {"performance": "3000", "allowances": "2567", "bonus": "1200", "employer_insurance": "7826",
           "employer_housing_fund": "2700", "personal_insurance": "3401", "personal_housing_fund": "1800"}  # fmt: skip


def street_scheme(world, template="三级九档", **kw):
    """The street's own copy of a template."""
    return services.create_scheme(world.users["street"], world.street.code, template=template, **kw)


def table(world, scheme, year, rates=None, raise_by=0):
    rates = rates or {k: v + raise_by for k, v in NINE.items()}
    return services.set_pay_table(world.users["street"], scheme.pk, year=year, rates=rates, source="街道文件")


def paid_worker(world, side="a", *, year=2025, grade="初级", step=1, amounts=None, scheme=None, **kw):
    """A worker placed at `grade`/`step` from 1 January `year` (hired in 2018) with a pay record."""
    w = make_worker(world, side, hired=kw.pop("hired", dt.date(2018, 3, 1)), **kw)
    services.place_grade(world.users["street"], w.pk, grade=grade, step=step, on=dt.date(year, 1, 1))
    record, _created = services.set_pay_record(world.users["street"], w.pk, year=year, **(amounts or EXAMPLE))
    return record


def wage(world, year=2025, amount=27968, floor=85, scope=None):
    return services.set_average_wage(world.users["street"], scope or world.street.code, year=year,
                                     amount=Decimal(amount), source="区统计局统计公报", floor_percent=floor)  # fmt: skip


def pay_world(world, year=2025):
    """The street's 三级九档 with the year's table and the average wage."""
    scheme = street_scheme(world)
    table(world, scheme, year)
    wage(world, year)
    return scheme
