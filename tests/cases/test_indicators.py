"""考核指标: every figure of a hand-built cohort, zero denominators, scope, unit and category
filters, the as-of rule, breakdowns, the dashboard page and its Excel export.

Cases are walked through the real services. Where a state needs time to have passed (a deadline in
the past, a case filed last week), the test moves the timestamps with a queryset update after the
service has set them: the services always stamp "now" and cannot backdate."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.cases import indicators as ind
from shequ.cases import services
from shequ.cases.models import Case, ScoreSettings, Status
from shequ.core.errors import Forbidden, ValidationFailed
from tests.cases.factories import backdate, make_case

pytestmark = pytest.mark.django_db

DEPT = "区民政局"  # the world's department account belongs to it


def act(world, case, *steps, who="street"):
    """Take workflow steps [(action, data), …] as `who`; returns the fresh case."""
    actor = world.users[who]
    for action, data in steps:
        services.transition(actor, case.pk, action, **data)
    return Case.objects.get(pk=case.pk)


def backdate_deadline(case, hours=1):
    """The service sets deadline = dispatch + limit (in the future); move it into the past."""
    return backdate(case, deadline=timezone.now() - dt.timedelta(hours=hours))


FEEDBACK = ("feedback", {"note": "已处理"})
VERIFY = ("verify", {})
CLOSE = ("close", {})


def callback(valid=True, contacted=True, solved=True, satisfaction="satisfied"):
    return (
        "callback",
        {"valid": valid, "contacted": contacted, "solved": solved, "satisfaction": satisfaction},
    )


def today_filters(**kw):
    today = timezone.localdate()
    return ind.Filters(start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=1), **kw)


@pytest.fixture
def cohort(world):
    """Eleven filed cases in community a (A–K), and cases that must never count."""
    c = {}
    # A: closed on time; callback: contacted, solved, 满意.
    c["A"] = act(world, make_case(world, "a", "closed"), callback())
    # B: closed late (the deadline passed before the feedback); callback: contacted, unsolved, 基本满意.
    b = backdate_deadline(make_case(world, "a", "processing"))
    c["B"] = act(world, b, FEEDBACK, VERIFY, CLOSE, callback(solved=False, satisfaction="basic"))
    # C: reworked once, then closed on time; callback: not contacted, unsolved, 不满意.
    c["C"] = act(
        world,
        make_case(world, "a", "handled"),
        ("rework", {"note": "未清理干净"}),
        FEEDBACK,
        VERIFY,
        CLOSE,
        callback(contacted=False, solved=False, satisfaction="unsatisfied"),
    )
    # D: dispatched to a department, which asked for an extension that was granted; open.
    d = make_case(world, "a", "filed")
    d = act(world, d, ("dispatch", {"unit": f"department:{DEPT}"}))
    d = act(world, d, ("accept", {}), ("request_extension", {"days": 2, "note": "需协调"}), who="department")
    c["D"] = act(world, d, ("grant_extension", {"days": 2}))
    # E: returned by its unit, waiting for a new dispatch.
    c["E"] = make_case(world, "a", "returned")
    # F: returned, re-dispatched, closed on time; an invalid callback (requester not reached).
    c["F"] = act(
        world,
        make_case(world, "a", "returned"),
        ("dispatch", {"unit": f"community:{world.a.code}"}),
        ("accept", {}),
        FEEDBACK,
        VERIFY,
        CLOSE,
        ("callback", {"valid": False}),
    )
    # G: parked before dispatch.
    c["G"] = make_case(world, "a", "parked")
    # H: dispatched, its deadline passed, then parked: excluded from 应结案数 and 超期数.
    h = backdate_deadline(make_case(world, "a", "dispatched"))
    c["H"] = act(world, h, ("park", {"note": "等待资金", "review_on": "2099-01-01"}))
    # I: dispatched to the grid and accepted; the clock ran past the deadline.
    i = act(world, make_case(world, "a", "filed"), ("dispatch", {"unit": f"grid:{world.grid_a.code}"}))
    c["I"] = backdate_deadline(act(world, i, ("accept", {})))
    # J: 暴露垃圾 (0102), fed back after its deadline, waiting for verification.
    j = backdate_deadline(make_case(world, "a", "processing", category="0102"))
    c["J"] = act(world, j, FEEDBACK)
    # K: 暴露垃圾, filed, never dispatched.
    c["K"] = make_case(world, "a", "filed", category="0102")
    # Never counted: not filed, refused, merged into K, and community b's closed case.
    c["received"] = make_case(world, "a", "received")
    c["rejected"] = make_case(world, "a", "rejected")
    c["merged"] = act(world, make_case(world, "a", "filed"), ("merge", {"parent": c["K"].pk}))
    c["b"] = make_case(world, "b", "closed")
    # Handling time is working hours between dispatch and feedback, which depends on the hour the
    # test runs; give the closed cases known values so the average can be checked by hand.
    for key, hours in (("A", 2.0), ("B", 4.0), ("C", 6.0), ("F", 8.0), ("b", 100.0)):
        Case.objects.filter(pk=c[key].pk).update(handling_hours=hours)
    assert c["B"].closed_on_time is False and c["A"].closed_on_time is True
    assert c["C"].closed_on_time is True and c["F"].closed_on_time is True
    assert c["merged"].status == Status.MERGED and c["merged"].filed_at is not None
    assert c["H"].status == Status.PARKED and c["J"].status == Status.HANDLED
    return c


def test_every_figure_of_the_cohort(world, cohort):
    f = ind.compute(world.users["community_lead"], today_filters())
    assert f["filed"] == 11  # A–K
    assert f["closed"] == 4  # A B C F
    assert f["due"] == 6  # closed A B C F + deadline passed I J (H is parked)
    assert f["on_time"] == 3  # A C F
    assert f["close_rate"] == pytest.approx(4 / 6)
    assert f["on_time_rate"] == pytest.approx(3 / 6)
    assert f["dispatched"] == 9  # all but G and K
    assert (f["reworked"], f["extended"], f["returned"]) == (1, 1, 2)  # C; D; E F
    assert f["rework_rate"] == pytest.approx(1 / 9)
    assert f["extension_rate"] == pytest.approx(1 / 9)
    assert f["return_rate"] == pytest.approx(2 / 9)
    assert f["overdue"] == 3  # B closed late, I running late, J fed back late
    assert f["avg_hours"] == pytest.approx((2 + 4 + 6 + 8) / 4)
    assert f["callbacks"] == 3  # A B C (F's callback did not reach the requester)
    assert (f["contacted"], f["solved"]) == (2, 1)
    assert (f["satisfied"], f["basic"], f["unsatisfied"]) == (1, 1, 1)
    assert f["response_rate"] == pytest.approx(2 / 3)
    assert f["solve_rate"] == pytest.approx(1 / 3)
    assert f["satisfaction_rate"] == pytest.approx((1 + 0.9 * 1) / 3)
    assert f["score"] == pytest.approx(100 * (0.1 * 2 / 3 + 0.5 * 1 / 3 + 0.4 * 1.9 / 3))


def test_score_follows_the_settings(world, cohort):
    services.save_score_settings(
        world.users["sysadmin"],
        response_weight=Decimal("0.2"),
        solve_weight=Decimal("0.3"),
        satisfaction_weight=Decimal("0.5"),
        basic_value=Decimal("0.5"),
    )
    f = ind.compute(world.users["community_lead"], today_filters())
    assert f["satisfaction_rate"] == pytest.approx((1 + 0.5) / 3)
    assert f["score"] == pytest.approx(100 * (0.2 * 2 / 3 + 0.3 * 1 / 3 + 0.5 * 1.5 / 3))


def test_zero_denominators_are_none_not_errors(world):
    lead = world.users["community_lead"]
    f = ind.compute(lead, today_filters())
    assert f["filed"] == 0
    for key in ("close_rate", "on_time_rate", "rework_rate", "extension_rate", "return_rate"):
        assert f[key] is None, key
    for key in ("response_rate", "solve_rate", "satisfaction_rate", "score", "avg_hours"):
        assert f[key] is None, key
    make_case(world, "a", "filed")  # filed, never dispatched: still nothing to divide by
    f = ind.compute(lead, today_filters())
    assert (f["filed"], f["due"], f["dispatched"]) == (1, 0, 0)
    assert f["close_rate"] is None and f["rework_rate"] is None
    assert ind.display("close_rate", f["close_rate"]) == "—"
    assert ind.display("score", f["score"]) == "—"


def test_other_community_never_counts(world, cohort):
    lead, street = world.users["community_lead"], world.users["street"]
    assert ind.compute(lead, today_filters())["filed"] == 11
    whole = ind.compute(street, today_filters())
    assert (whole["filed"], whole["closed"], whole["callbacks"]) == (12, 5, 3)  # + b's closed case
    assert whole["avg_hours"] == pytest.approx((2 + 4 + 6 + 8 + 100) / 5)
    only_b = ind.compute(street, today_filters(scope_code=world.b.code))
    assert (only_b["filed"], only_b["closed"], only_b["on_time"]) == (1, 1, 1)
    # The lead asking for b's node gets nothing, not b's figures.
    assert ind.compute(lead, today_filters(scope_code=world.b.code))["filed"] == 0
    assert ind.compute(lead, today_filters(scope_code=world.grid_a.code))["filed"] == 11
    # A department sees the cases dispatched to it only.
    dept = ind.compute(world.users["department"], today_filters())
    assert (dept["filed"], dept["dispatched"], dept["extended"]) == (1, 1, 1)


def test_unit_filter(world, cohort):
    lead = world.users["community_lead"]
    d = ind.compute(lead, today_filters(unit=f"department:{DEPT}"))
    assert (d["filed"], d["dispatched"], d["extended"], d["due"]) == (1, 1, 1, 0)
    assert d["extension_rate"] == pytest.approx(1.0) and d["close_rate"] is None
    g = ind.compute(lead, today_filters(unit=f"grid:{world.grid_a.code}"))
    assert (g["filed"], g["due"], g["overdue"], g["closed"]) == (1, 1, 1, 0)  # I
    assert g["close_rate"] == 0
    # Dispatched to community a: A B C E F H J (E keeps the unit that returned it).
    c = ind.compute(lead, today_filters(unit=f"community:{world.a.code}"))
    assert (c["filed"], c["closed"], c["due"], c["returned"]) == (7, 4, 5, 2)
    with pytest.raises(ValidationFailed):
        ind.compute(lead, today_filters(unit="nonsense"))


def test_category_filter(world, cohort):
    lead = world.users["community_lead"]
    minor = ind.compute(lead, today_filters(category="0102"))
    assert (minor["filed"], minor["due"], minor["overdue"], minor["dispatched"]) == (2, 1, 1, 1)  # J K
    major = ind.compute(lead, today_filters(category="01"))
    assert major["filed"] == 2
    assert ind.compute(lead, today_filters(category="0703"))["filed"] == 9
    assert ind.compute(lead, today_filters(category="07"))["filed"] == 9
    assert ind.compute(lead, today_filters(category="02"))["filed"] == 0
    with pytest.raises(ValidationFailed):
        ind.compute(lead, today_filters(category="9999"))


def test_as_of_is_the_end_of_a_past_period(world):
    """A case filed ten days ago, due eight days ago, fed back three days ago and closed two days
    ago: the week that ended five days ago sees it due, unclosed and overdue."""
    case = act(world, backdate_deadline(make_case(world, "a", "processing")), FEEDBACK, VERIFY, CLOSE)
    now = timezone.now()
    backdate(
        case,
        filed_at=now - dt.timedelta(days=10),
        dispatched_at=now - dt.timedelta(days=10),
        deadline=now - dt.timedelta(days=8),
        handled_at=now - dt.timedelta(days=3),
        closed_at=now - dt.timedelta(days=2),
    )
    today = timezone.localdate()
    lead = world.users["community_lead"]
    past = ind.compute(
        lead, ind.Filters(start=today - dt.timedelta(days=12), end=today - dt.timedelta(days=5))
    )
    assert (past["filed"], past["closed"], past["due"], past["overdue"]) == (1, 0, 1, 1)
    assert past["close_rate"] == 0
    up_to_now = ind.compute(lead, ind.Filters(start=today - dt.timedelta(days=12), end=today))
    assert (up_to_now["filed"], up_to_now["closed"], up_to_now["due"], up_to_now["on_time"]) == (1, 1, 1, 0)
    assert up_to_now["overdue"] == 1
    # Filed before the period: not in it.
    assert ind.compute(lead, ind.Filters(start=today - dt.timedelta(days=4), end=today))["filed"] == 0


def test_breakdowns(world, cohort):
    lead = world.users["community_lead"]
    f = today_filters()
    units = {r["key"]: r for r in ind.breakdown(lead, f, "unit")}
    assert set(units) == {f"community:{world.a.code}", f"grid:{world.grid_a.code}", f"department:{DEPT}", ""}
    assert units[""]["filed"] == 2 and units[""]["label"] == "未派遣"  # G K
    assert units[f"community:{world.a.code}"]["close_rate"] == pytest.approx(4 / 5)
    assert units[f"community:{world.a.code}"]["label"] == world.a.display_name
    assert units[f"department:{DEPT}"]["label"] == DEPT
    assert sum(r["filed"] for r in units.values()) == 11
    cats = {r["key"]: r for r in ind.breakdown(lead, f, "category")}
    assert (cats["0703"]["filed"], cats["0102"]["filed"]) == (9, 2)
    assert cats["0703"]["callbacks"] == 3 and cats["0102"]["callbacks"] == 0
    assert cats["0102"]["satisfaction_rate"] is None
    majors = {r["key"]: r for r in ind.breakdown(lead, f, "major")}
    assert (majors["07"]["filed"], majors["01"]["filed"]) == (9, 2)
    assert majors["07"]["avg_hours"] == pytest.approx(5.0)
    communities = ind.breakdown(world.users["street"], f, "community")
    assert [(r["key"], r["filed"]) for r in communities] == [(world.a.code, 11), (world.b.code, 1)]
    months = ind.breakdown(lead, ind.trend_filters(f), "month")
    assert [(r["key"], r["filed"], r["closed"]) for r in months] == [
        (timezone.localdate().strftime("%Y-%m"), 11, 4)
    ]
    with pytest.raises(ValidationFailed):
        ind.breakdown(lead, f, "street")


def test_trend_has_every_month(world, cohort):
    today = timezone.localdate()
    f = ind.Filters(start=today.replace(day=1), end=today)
    rows = ind.trend(world.users["community_lead"], f)
    assert len(rows) == 12
    assert rows[-1]["key"] == today.strftime("%Y-%m")
    assert (rows[-1]["filed"], rows[-1]["closed"], rows[-1]["due"], rows[-1]["on_time"]) == (11, 4, 6, 3)
    assert rows[-1]["on_time_rate"] == pytest.approx(0.5)
    assert all(r["filed"] == 0 and r["on_time_rate"] is None for r in rows[:-1])
    keys = [r["key"] for r in rows]
    assert keys == sorted(set(keys))


def test_months_follow_local_time(world):
    """A case filed at 00:30 Beijing time on the 1st belongs to that month, not the one before."""
    case = make_case(world, "a", "filed")
    tz = timezone.get_current_timezone()
    first = timezone.localdate().replace(day=1)
    backdate(case, filed_at=timezone.make_aware(dt.datetime.combine(first, dt.time(0, 30)), tz))
    rows = ind.breakdown(
        world.users["community_lead"], ind.Filters(start=first - dt.timedelta(days=40), end=first), "month"
    )
    assert [(r["key"], r["filed"]) for r in rows] == [(first.strftime("%Y-%m"), 1)]


def test_one_query_per_figure_set(world, cohort):
    lead = world.users["community_lead"]
    f = today_filters()
    ScoreSettings.current()
    ind.compute(lead, f)  # memberships are cached on the user after the first call
    with CaptureQueriesContext(connection) as q:
        ind.compute(lead, f)
    aggregates = [x["sql"] for x in q.captured_queries if "cases_case" in x["sql"]]
    assert len(aggregates) == 1 and "COUNT" in aggregates[0].upper()
    assert len(q.captured_queries) <= 2  # + the score settings
    with CaptureQueriesContext(connection) as q:
        units = ind.breakdown(lead, f, "unit")
    assert len([x for x in q.captured_queries if "cases_case" in x["sql"]]) == 1
    # The page's figures and units come from one grouped query and equal the two separate reads.
    with CaptureQueriesContext(connection) as q:
        both = ind.compute_with_units(lead, f)
    assert len([x for x in q.captured_queries if '"cases_case"' in x["sql"]]) == 1
    assert both == (ind.compute(lead, f), units)


def test_permission_and_bad_periods(world):
    today = timezone.localdate()
    with pytest.raises(Forbidden):
        ind.compute(world.users["community_worker"], today_filters())
    with pytest.raises(Forbidden):
        ind.compute(world.users["resident"], today_filters())
    with pytest.raises(ValidationFailed):
        ind.compute(world.users["community_lead"], ind.Filters(start=today, end=today - dt.timedelta(days=1)))


def test_formulas_state_every_figure():
    names = [n for n, _t in ind.FORMULAS]
    for figure in (
        "立案数",
        "结案数",
        "应结案数",
        "结案率",
        "按期结案率",
        "返工率",
        "延期率",
        "退单率",
        "超期数",
        "平均处置时长",
        "响应率",
        "解决率",
        "满意率",
        "综合得分",
    ):
        assert figure in names
    text = dict(ind.FORMULAS)
    assert "结案数 ÷ 应结案数" in text["结案率"]
    assert "0.1 / 0.5 / 0.4 与 0.9" in text["综合得分"]
    assert all(isinstance(n, str) and isinstance(t, str) for n, t in ind.FORMULAS)


# --- the page -------------------------------------------------------------------------------------
def test_dashboard_page(world, cohort):
    client = world.client(world.users["community_lead"])
    resp = client.get(reverse("cases:indicators"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert (
        f"{world.a.display_name}：立案 11 件，其中应结案 6 件（已结案或已到处置时限）；"
        "结案 4 件，结案率 66.7%（4 ÷ 6）；按期结案 3 件，按期结案率 50.0%（3 ÷ 6）。"
    ) in body
    for name, text in ind.formulas():
        assert name in body and text in body
    assert "export=xlsx" in body
    assert 'id="opt-trend"' in body and 'id="opt-units"' in body and 'id="opt-satisfaction"' in body
    assert world.b.display_name not in body  # neither in the filters nor in the table
    assert "48.7" in body  # the composite score, 100 × (0.1 × 2/3 + 0.5 × 1/3 + 0.4 × 1.9/3)
    table = body[body.index('id="unit-table"') :]
    assert DEPT in table and "未派遣" in table


def test_dashboard_filters(world, cohort):
    client = world.client(world.users["community_lead"])
    url = reverse("cases:indicators")
    body = client.get(url, {"category": "0102"}).content.decode()
    assert "立案 2 件" in body
    body = client.get(url, {"unit": f"department:{DEPT}"}).content.decode()
    assert "立案 1 件" in body
    body = client.get(url, {"period": "last_month"}).content.decode()
    assert "立案 0 件" in body and "—" in body
    today = timezone.localdate()
    body = client.get(
        url, {"period": "custom", "start": today.isoformat(), "end": today.isoformat()}
    ).content.decode()
    assert "立案 11 件" in body
    # A custom period without dates, or b's node: an explanation, and the default figures.
    resp = client.get(url, {"period": "custom"})
    assert resp.status_code == 200 and "自定义统计期须填写开始日期和结束日期" in resp.content.decode()
    resp = client.get(url, {"scope": world.b.code})
    assert resp.status_code == 200 and "立案 11 件" in resp.content.decode()


def test_dashboard_permission(world):
    url = reverse("cases:indicators")
    assert world.client(world.users["community_worker"]).get(url).status_code == 403
    assert world.client(world.users["resident"]).get(url).status_code == 403
    assert world.client(world.users["department"]).get(url).status_code == 200
    assert world.client(world.users["street"]).get(url).status_code == 200


def test_dashboard_notes_weekend_only_years(world):
    from shequ.core.models import CalendarYear
    from shequ.core.worktime import calendar

    CalendarYear.objects.filter(year=2031).delete()
    calendar.reset()
    client = world.client(world.users["community_lead"])
    body = client.get(
        reverse("cases:indicators"), {"period": "custom", "start": "2030-12-01", "end": "2031-01-31"}
    ).content.decode()
    assert "2031 年的法定节假日安排尚未录入" in body


def _section(rows, header):
    """{first cell: second cell} of the rows under a header row, up to the next blank row."""
    out, inside = {}, False
    for r in rows:
        if list(r[:2]) == header:
            inside = True
            continue
        if inside:
            if not r or r[0] == "":
                break
            out[str(r[0])] = r[1]
    return out


def _sheets(content):
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_export_carries_figures_and_formulas(world, cohort):
    client = world.client(world.users["community_lead"])
    resp = client.get(reverse("cases:indicators"), {"export": "xlsx"})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _sheets(resp.content)
    assert list(sheets) == ["汇总", "按处置单位", "按类别", "按月"]
    summary = _section(sheets["汇总"], ["指标", "数值"])
    assert summary["立案数"] == 11
    assert summary["结案数"] == 4
    assert summary["应结案数"] == 6
    assert summary["结案率"] == pytest.approx(4 / 6)
    assert summary["按期结案率"] == pytest.approx(0.5)
    assert summary["超期数"] == 3
    assert summary["综合得分"] == pytest.approx(100 * (0.1 * 2 / 3 + 0.5 * 1 / 3 + 0.4 * 1.9 / 3))
    written = _section(sheets["汇总"], ["指标", "口径 / 公式"])
    assert list(written.items()) == ind.formulas()
    cells = "\n".join(str(c) for row in sheets["汇总"] for c in row)
    assert "立案 11 件" in cells
    units = {r[0]: r for r in sheets["按处置单位"][1:]}
    head = sheets["按处置单位"][0]
    assert units[DEPT][head.index("立案数")] == 1
    assert units[DEPT][head.index("延期率")] == pytest.approx(1.0)
    assert units["未派遣"][head.index("结案率")] == "—"
    cats = {r[0]: r for r in sheets["按类别"][1:]}
    assert sum(r[1] for r in cats.values()) == 11
    months = sheets["按月"]
    assert months[1][1] == 11
    assert world.b.display_name not in "\n".join(str(c) for s in sheets.values() for row in s for c in row)


def test_export_uses_the_filters(world, cohort):
    client = world.client(world.users["community_lead"])
    resp = client.get(reverse("cases:indicators"), {"export": "xlsx", "category": "0102"})
    summary = _section(_sheets(resp.content)["汇总"], ["指标", "数值"])
    assert summary["立案数"] == 2
    cells = "\n".join(str(c) for row in _sheets(resp.content)["汇总"] for c in row)
    assert "暴露垃圾" in cells  # the filters are written out
