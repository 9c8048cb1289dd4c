"""Demo 一表通: the street's register of forms and ledgers its communities are asked for — an uploaded
monthly report form of the district (merged headers, a line per community) bound to the indicator
catalogue with two manual cells, and forms still typed by hand — and three forms filled for a
community and for the street: the uploaded one and two of the platform's own ledgers."""

import datetime as dt

from django.db import transaction

from shequ.core.models import User
from shequ.reportforms import samples, services
from shequ.reportforms.models import ReportFill, ReportForm

STREET = "420115001"
COMMUNITY = "420115001001"
NAME = "街道社区治理工作月报表"
RATE = "participation.participation_rate"
TYPED = [
    # name, kind, asked by, level, frequency
    ("安全生产隐患排查台账", "ledger", "区应急管理局", "区", "month"),
    ("创建文明城市工作台账", "ledger", "区文明办", "区", "quarter"),
    ("社区消防安全检查记录表", "form", "区消防救援大队", "区", "month"),
    ("计划生育统计报表", "form", "区卫生健康局", "区", "quarter"),
    ("党员发展情况统计表", "form", "街道党工委", "街道", "half"),
]


def is_loaded() -> bool:
    return ReportForm.objects.filter(org__code=STREET, name=NAME).exists()


def reset() -> None:
    ReportFill.objects.filter(scope_code__startswith=STREET).delete()
    ReportForm.objects.filter(scope_code__startswith=STREET).delete()


def _period() -> str:
    first = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


@transaction.atomic
def load(seed: int = 0, echo=print) -> None:
    actor = User.objects.get(username="street")
    actor.__dict__.pop("_shequ_memberships", None)
    lay = samples.layout()
    form = services.create_form(actor, org_code=STREET, name=NAME, asked_by="区委社会工作部", asked_level="区",
                                frequency="month", levels=["community", "street"], filename="街道社区治理工作月报表.xlsx",
                                data=samples.street_monthly_form(), notes="每月5日前报送上月数据")  # fmt: skip
    bind = services.bind
    for col, field in (("C", "numerator"), ("D", "denominator"), ("E", "value")):
        bind(actor, form, sheet="月报表", cell=f"{col}{lay['first']}", end_cell=f"{col}{lay['last']}", kind="range",
             indicator=RATE, field=field, breakdown="community",
             label_cell=lay["names"] if col == "C" else "")  # fmt: skip
        bind(actor, form, sheet="月报表", cell=f"{col}{lay['total']}", indicator=RATE, field=field)
    bind(actor, form, sheet="月报表", cell=lay["rate"], indicator=RATE)
    m1 = bind(
        actor, form, sheet="月报表", cell=lay["meetings"], kind="manual", label="本月开展议事协商（次）"
    )
    m2 = bind(actor, form, sheet="月报表", cell=lay["clerk"], kind="manual", label="填表人")
    for name, kind, asked_by, level, freq in TYPED:
        services.create_form(actor, org_code=STREET, name=name, kind=kind, asked_by=asked_by, asked_level=level,
                             frequency=freq, levels=["community"])  # fmt: skip
    period = _period()
    lead = User.objects.get(username="lead_ningan")
    lead.__dict__.pop("_shequ_memberships", None)
    services.enter_manual(lead, form, COMMUNITY, period, {m1.pk: "4", m2.pk: "王秀英"})
    services.enter_manual(actor, form, STREET, period, {m1.pk: "23", m2.pk: "陈晓燕"})
    services.fill(lead, form, COMMUNITY, period)
    services.fill(actor, form, STREET, period)
    for key in ("people.residents", "cases.requests"):
        services.fill_ledger(lead, key, COMMUNITY, period)
        services.fill_ledger(actor, key, STREET, period)
    echo(f"一表通：登记报表台账 {len(TYPED) + 1} 项，生成上级报表 6 份（{period}）")
