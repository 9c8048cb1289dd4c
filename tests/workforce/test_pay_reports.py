"""The pay report (ratio to the local average wage, the floor, shares, 同工同酬), the step-up advice,
and the pay report's workbook: figures computed from the records."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from shequ.workforce import pay_exports, services
from tests.workforce.factories import make_worker
from tests.workforce.pay_factories import EXAMPLE, paid_worker, pay_world, wage

pytestmark = pytest.mark.django_db
D = dt.date
NOTHING_ELSE = {k: "0" for k in EXAMPLE}


def _street(world):
    pay_world(world, 2025)  # 27,968 a year, floor 85 %: 23,772.80
    paid_worker(world, "a", name="甲一")  # gross 24,767: 88.6 %
    paid_worker(world, "a", name="甲二", amounts=NOTHING_ELSE)  # 18,000: 64.4 %, below
    paid_worker(world, "b", name="乙一", source="选举产生")  # 24,767
    paid_worker(
        world, "b", name="乙二", grade="中级", step=2, amounts={**NOTHING_ELSE, "allowances": "6000"}
    )  # 30,000
    make_worker(world, "a", name="甲三")  # in post, no record


def test_ratio_floor_and_shares(world):
    _street(world)
    r = services.pay_report(world.users["street"], world.street.code, 2025)
    assert (r["records"], r["in_post"], r["missing"], r["compared"]) == (4, 5, 1, 4)
    assert r["wage"]["amount"] == Decimal("27968.00") and r["wage"]["floor"] == Decimal("23772.80")
    assert (r["at_or_above"], r["share"]) == (3, Decimal("75.0"))
    assert [(b["name"], b["ratio"], b["shortfall"]) for b in r["below_floor"]] == [
        ("甲二", Decimal("64.4"), Decimal("5772.80"))
    ]
    assert r["below_floor"][0]["grade"] == "初级1档" and r["below_floor"][0]["unit_name"] == "宁安社区"
    assert r["average_gross"] == Decimal((24767 * 2 + 18000 + 30000) / 4).quantize(Decimal("0.01"))
    units = {u["code"]: u for u in r["units"]}
    assert (units[world.a.code]["records"], units[world.a.code]["share"], units[world.a.code]["missing"]) == (
        2, Decimal("50.0"), 1)  # fmt: skip
    assert units[world.b.code]["share"] == Decimal("100.0")
    bars = {d["label"]: (d["count"], d["below"]) for d in r["distribution"]}
    assert bars["60–70%"] == (1, True) and bars["80–90%"] == (2, False) and bars["100–110%"] == (1, False)
    assert sum(d["count"] for d in r["distribution"]) == 4
    # The next year the floor is the whole average wage: the same pay is below it.
    wage(world, 2026, amount=29000, floor=100)
    assert services.pay.floor_of(services.pay.wage_for(services.pay.wages_of(2026), world.a.code)) == Decimal(
        "29000.00"
    )


def test_equal_pay_for_equal_work_spread_by_source(world):
    _street(world)
    parity = services.pay_report(world.users["street"], world.street.code, 2025)["parity"]
    first = next(p for p in parity if p["label"] == "初级1档")
    assert (first["n"], first["min"], first["max"], first["spread"], first["ratio"]) == (
        3, Decimal("18000.00"), Decimal("24767.00"), Decimal("6767.00"), Decimal("1.38"))  # fmt: skip
    by_source = {s["label"]: (s["n"], s["spread"]) for s in first["sources"]}
    assert by_source == {"选举产生": (1, Decimal("0.00")), "聘用": (2, Decimal("6767.00"))}
    assert [p["label"] for p in parity] == ["中级2档", "初级1档"]


def test_a_community_lead_sees_their_community_only_and_a_nearer_wage_counts(world):
    _street(world)
    lead = services.pay_report(world.users["community_lead"], None, 2025)
    assert lead["scope"] == world.a.code and lead["records"] == 2 and lead["units"] == []
    # The district's own figure does not override the street's (the nearest entry counts).
    services.set_average_wage(
        world.users["district"], world.district.code, year=2025, amount=40000, source="区统计局"
    )
    again = services.pay_report(world.users["district"], world.district.code, 2025)
    assert again["wage"]["amount"] == Decimal("40000.00") and again["share"] == Decimal("75.0")
    assert [u["code"] for u in again["units"]] == [world.street.code]
    assert {w["scope"] for w in again["wages"]} == {world.district.code, world.street.code}


def test_step_advice_lists_the_workers_whose_years_are_met(world):
    pay_world(world, 2025)
    street = world.users["street"]
    old = make_worker(world, "a", name="老王", hired=D(2012, 1, 1))
    services.place_grade(street, old.pk, grade="初级", step=2, on=D(2020, 1, 1))
    new = make_worker(world, "a", name="小李", hired=D(2024, 1, 1))
    services.place_grade(street, new.pk, grade="初级", step=1, on=D(2024, 1, 1))
    advice = services.step_advice(street, world.street.code, D(2025, 6, 1))
    assert [(a.extra["name"], a.status) for a in advice] == [("老王", "pending_appraisal")]
    done = services.step_advice(
        street, world.street.code, D(2025, 6, 1), appraisal_ok=lambda wid, years: True
    )
    assert done[0].status == "due" and done[0].next_label == "初级3档"


def test_the_workbook_carries_the_pages_figures(world):
    _street(world)
    data = services.pay_report(world.users["street"], world.street.code, 2025)
    content = pay_exports.pay_workbook(data, scope_label="纸坊街道")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert wb.sheet_names == ["薪酬汇总", "低于底线", "同工同酬"]
    below = wb.get_sheet_by_name("低于底线").to_python()
    assert ["甲二", "宁安社区", "初级1档", 18000.0, 23772.8, 64.4, 5772.8] in [r[:7] for r in below]
    summary = "\n".join(str(c) for row in wb.get_sheet_by_name("薪酬汇总").to_python() for c in row)
    assert "27968" in summary.replace(",", "") and "75" in summary
