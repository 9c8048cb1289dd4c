"""The staff case pages: to-do tabs and their order, the list and its export, the case page with
its timeline and action panel, every action taken through the page, refusals that write nothing,
the map data, categories, score settings and the home-page card."""

import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shequ.cases import services
from shequ.cases.models import Case, CaseEvent, Category, ScoreSettings, Status
from shequ.core.models import Attachment
from tests.cases.factories import make_case, photo_bytes

pytestmark = pytest.mark.django_db


def act_url(case, action):
    return reverse("cases:case-act", args=[case.pk, action])


def detail_url(case):
    return reverse("cases:case-detail", args=[case.pk])


def post_act(client, case, action, fields=None, files=None, **headers):
    """Post one action form as the page does: its fields carry the action as prefix."""
    case.refresh_from_db()
    data = {f"{action}-expected_version": case.version}
    for k, v in (fields or {}).items():
        data[f"{action}-{k}"] = v
    for k, v in (files or {}).items():
        data[f"{action}-{k}"] = v
    return client.post(act_url(case, action), data, headers=headers)


def events(case):
    return CaseEvent.objects.filter(case=case).count()


def _photo(name="p.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, photo_bytes(exif_gps=True), content_type="image/jpeg")


# --- the to-do list ----------------------------------------------------------------------------
def test_todo_tabs_follow_the_roles(world):
    received = make_case(world, "a", "received")
    dispatched = make_case(world, "a", "dispatched")
    lead = world.client(world.users["community_lead"])
    body = lead.get(reverse("cases:todo")).content.decode()
    for label in ("待派遣", "待办理", "待核查", "待结案", "待回访", "延期待审批"):
        assert label in body
    assert received.number in body  # the dispatcher's tab comes first
    assert dispatched.number not in body
    body = lead.get(reverse("cases:todo"), {"tab": "handle"}).content.decode()
    assert dispatched.number in body and received.number not in body
    # A grid worker dispatches nothing: no 待派遣 tab, and asking for it shows their first tab.
    grid = world.client(world.users["grid_worker"])
    body = grid.get(reverse("cases:todo"), {"tab": "dispatch"}).content.decode()
    assert "待派遣" not in body and "待核查" in body
    assert received.number not in body
    # A resident has no to-do list.
    assert world.client(world.users["resident"]).get(reverse("cases:todo")).status_code == 403


def test_todo_puts_supervised_first_then_the_nearest_deadline(world):
    street = world.users["street"]
    first = make_case(world, "a", "dispatched")
    second = make_case(world, "a", "dispatched")
    third = make_case(world, "a", "dispatched")
    now = timezone.now()
    # Deadlines as the clock would leave them: `first` is overdue, `second` due later than `third`.
    Case.objects.filter(pk=first.pk).update(
        deadline=now - dt.timedelta(hours=2), warn_at=now - dt.timedelta(hours=5)
    )
    Case.objects.filter(pk=second.pk).update(
        deadline=now + dt.timedelta(days=3), warn_at=now + dt.timedelta(days=2)
    )
    Case.objects.filter(pk=third.pk).update(
        deadline=now + dt.timedelta(hours=3), warn_at=now - dt.timedelta(hours=1)
    )
    services.transition(street, second.pk, "supervise", note="群众反映强烈，限期解决")
    body = (
        world.client(world.users["community_lead"])
        .get(reverse("cases:todo"), {"tab": "handle"})
        .content.decode()
    )
    order = sorted((body.index(c.number), c.number) for c in (first, second, third))
    assert [n for _i, n in order] == [second.number, first.number, third.number]
    assert "超期" in body and "临期" in body and "督办" in body


def test_todo_runs_no_count_and_pages_by_next(world):
    for _ in range(23):
        make_case(world, "a", "received")
    client = world.client(world.users["community_lead"])
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(reverse("cases:todo"), {"tab": "dispatch"})
    assert resp.status_code == 200
    case_queries = [q["sql"] for q in ctx.captured_queries if '"cases_case"' in q["sql"]]
    assert case_queries and not any("COUNT(" in q.upper() for q in case_queries)
    assert not any('"description"' in q for q in case_queries if "ORDER BY" in q)  # only the row's columns
    body = resp.content.decode()
    assert "下一页" in body and body.count('class="list-group-item list-group-item-action') == 20
    body = client.get(reverse("cases:todo"), {"tab": "dispatch", "page": 2}).content.decode()
    assert body.count('class="list-group-item list-group-item-action') == 3 and "上一页" in body


def test_todo_extension_tab(world):
    case = make_case(world, "a", "processing")
    services.transition(world.users["community_lead"], case.pk, "request_extension", note="材料未到", days=3)
    body = world.client(world.users["community_lead"]).get(reverse("cases:todo"), {"tab": "extension"})
    assert case.number in body.content.decode()


# --- the list and its export -------------------------------------------------------------------
def test_case_list_filters_and_masked_export(world):
    overdue = make_case(world, "a", "dispatched")
    other = make_case(
        world, "a", "received", category="0101" if Category.objects.filter(code="0101").exists() else "0703"
    )
    Case.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    client = world.client(world.users["community_lead"])
    url = reverse("cases:case-list")
    body = client.get(url, {"clock": "overdue"}).content.decode()
    assert overdue.number in body and other.number not in body
    body = client.get(url, {"q": other.number}).content.decode()
    assert other.number in body and overdue.number not in body
    body = client.get(url, {"status": "received"}).content.decode()
    assert other.number in body and overdue.number not in body
    unit = f"community:{world.a.code}"
    body = client.get(url, {"unit": unit}).content.decode()
    assert overdue.number in body and other.number not in body
    today = timezone.localdate()
    body = client.get(
        url, {"received_from": today.isoformat(), "received_to": today.isoformat()}
    ).content.decode()
    assert overdue.number in body and other.number in body
    body = client.get(url, {"received_to": (today - dt.timedelta(days=1)).isoformat()}).content.decode()
    assert overdue.number not in body
    export = client.get(url, {"export": "xlsx"})
    cells = "\n".join(
        str(c)
        for row in CalamineWorkbook.from_filelike(io.BytesIO(export.content))
        .get_sheet_by_index(0)
        .to_python()
        for c in row
    )
    assert overdue.number in cells and "13812345678" not in cells and "138****5678" in cells
    full = client.post(f"{url}?q={overdue.number}", {"reason": "电话回访核对"})
    cells = "\n".join(
        str(c)
        for row in CalamineWorkbook.from_filelike(io.BytesIO(full.content)).get_sheet_by_index(0).to_python()
        for c in row
    )
    assert "13812345678" in cells


# --- the case page -----------------------------------------------------------------------------
def test_case_page_shows_everything_and_masks_the_requester(world):
    case = make_case(world, "a", "handled")
    client = world.client(world.users["community_lead"])
    body = client.get(detail_url(case)).content.decode()
    assert case.number in body and case.description in body
    assert "138****5678" in body and "13812345678" not in body
    assert "查看完整" in body  # the core reveal form
    for label in ("受理", "立案", "派遣", "签收", "反馈"):
        assert f"<strong>{label}</strong>" in body
    assert case.handler_name in body
    assert 'data-map="case-point"' in body
    # The actions of a handled case for a community lead: verify and rework (and supervise).
    assert 'id="action-verify"' in body and 'id="action-rework"' in body
    assert 'id="action-dispatch"' not in body
    # A grid worker may verify, but not supervise.
    grid_body = world.client(world.users["grid_worker"]).get(detail_url(case)).content.decode()
    assert 'id="action-verify"' in grid_body and 'id="action-supervise"' not in grid_body


def test_case_page_offers_the_merge_suggestions(world):
    parent = make_case(world, "a", "filed", description="小区门口路灯不亮，晚上很黑")
    child = make_case(world, "a", "received", description="小区门口路灯不亮，晚上很黑。")
    client = world.client(world.users["community_lead"])
    body = client.get(detail_url(child)).content.decode()
    assert 'id="merge-hint"' in body and parent.number in body and "米" in body
    before = events(child)
    resp = client.post(
        act_url(child, "merge"), {"merge-parent": parent.number, "merge-expected_version": child.version}
    )
    assert resp.status_code == 302
    child.refresh_from_db()
    assert child.status == Status.MERGED and child.parent_id == parent.pk
    assert events(child) == before + 1
    body = client.get(detail_url(parent)).content.decode()
    assert child.number in body and "并入本案" in body


# --- every action through the page -------------------------------------------------------------
def test_main_line_through_the_page(world):
    case = make_case(world, "a", "received")
    lead = world.client(world.users["community_lead"])
    street = world.client(world.users["street"])
    grid = world.client(world.users["grid_worker"])
    other = Category.objects.filter(parent__isnull=False, active=True).exclude(pk=case.category_id).first()

    def ok(client, action, fields=None, files=None):
        resp = post_act(client, case, action, fields, files)
        assert resp.status_code == 302, (action, resp.status_code, resp.content.decode()[:2000])
        assert resp["Location"] == detail_url(case)
        case.refresh_from_db()
        return resp

    ok(lead, "file", {"category": other.code})
    assert (
        case.status == Status.FILED and case.category_id == other.pk and case.limit_value == other.limit_value
    )
    page = lead.get(detail_url(case)).content.decode()
    assert f'value="community:{world.a.code}"' in page  # the unit select offers the community
    ok(lead, "dispatch", {"unit": f"grid:{world.grid_a.code}"})
    assert case.status == Status.DISPATCHED and case.handler_code == world.grid_a.code and case.deadline
    ok(street, "supervise", {"note": "限期三日内处理"})
    assert case.supervised
    ok(grid, "accept")
    ok(grid, "progress", {"note": "已联系物业到场"}, {"photos": _photo()})
    ok(grid, "request_extension", {"note": "需等待配件", "days": 2})
    assert case.extension_state == "pending"
    deadline = case.deadline
    ok(lead, "grant_extension", {"days": 2})
    assert case.extension_state == "granted" and case.deadline > deadline
    ok(grid, "request_extension", {"note": "再申请", "days": 1})
    ok(lead, "refuse_extension", {"note": "时限足够"})
    assert case.extension_state == "refused"
    ok(grid, "feedback", {"note": "已修复"}, {"photos": _photo("after.jpg")})
    ok(lead, "rework", {"note": "现场仍未修好"})
    assert case.status == Status.PROCESSING and case.rework_count == 1
    ok(grid, "feedback", {"note": "再次修复"})
    ok(grid, "verify", {"note": "现场核查通过"}, {"photos": _photo("check.jpg")})
    ok(lead, "close")
    ok(lead, "callback", {"valid": "1", "contacted": "1", "solved": "1", "satisfaction": "basic"})
    assert case.satisfaction == "basic" and case.callback_solved is True
    ok(lead, "evaluate", {"rating": "4", "comment": "处理及时"})
    assert case.status == Status.EVALUATED and case.rating == 4
    page = lead.get(detail_url(case)).content.decode()
    for label in ("督办", "申请延期", "批准延期", "驳回延期", "核查不通过，返工", "结案", "回访", "评价"):
        assert f"<strong>{label}</strong>" in page, label
    assert "基本满意" in page and "已评价" in page
    # The photos were stripped of EXIF by the service and show on the timeline.
    photo_ids = list(
        Attachment.objects.filter(name__in=["p.jpg", "after.jpg", "check.jpg"]).values_list("pk", flat=True)
    )
    assert len(photo_ids) == 3
    for pk in photo_ids:
        assert reverse("core:attachment", args=[pk]) in page


def test_side_actions_through_the_page(world):
    lead = world.client(world.users["community_lead"])
    # 不予立案 needs a reason.
    case = make_case(world, "a", "received")
    assert post_act(lead, case, "reject", {"note": "不属于受理范围"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.REJECTED
    # 退单 and re-dispatch, 转派.
    case = make_case(world, "a", "dispatched")
    assert post_act(lead, case, "return", {"note": "应由物业处理"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RETURNED and case.return_count == 1
    assert post_act(lead, case, "dispatch", {"unit": f"community:{world.a.code}"}).status_code == 302
    assert (
        post_act(
            lead, case, "reassign", {"unit": f"grid:{world.grid_a.code}", "note": "改由网格处理"}
        ).status_code
        == 302
    )
    assert Case.objects.get(pk=case.pk).handler_code == world.grid_a.code
    # 挂账 and 解除挂账.
    case = make_case(world, "a", "filed")
    review = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    assert post_act(lead, case, "park", {"note": "待资金到位", "review_on": review}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PARKED and case.review_on.isoformat() == review
    assert post_act(lead, case, "unpark").status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.FILED


# --- refusals ----------------------------------------------------------------------------------
def test_accept_twice_from_two_clients(world):
    case = make_case(world, "a", "dispatched")
    lead = world.client(world.users["community_lead"])
    worker = world.client(world.users["community_worker"])
    version = case.version
    first = lead.post(act_url(case, "accept"), {"accept-expected_version": version})
    assert first.status_code == 302
    before = events(case)
    second = worker.post(act_url(case, "accept"), {"accept-expected_version": version})
    assert second.status_code == 409
    body = second.content.decode()
    assert "不能签收" in body and 'id="action-error"' in body
    assert events(case) == before
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1


def test_stale_version_is_refused_and_writes_nothing(world):
    case = make_case(world, "a", "filed")
    lead = world.client(world.users["community_lead"])
    before = (events(case), case.version)
    resp = lead.post(
        act_url(case, "dispatch"),
        {"dispatch-expected_version": case.version - 1, "dispatch-unit": f"community:{world.a.code}"},
    )
    assert resp.status_code == 409
    assert "已被他人更新" in resp.content.decode()
    case.refresh_from_db()
    assert (events(case), case.version) == before and case.status == Status.FILED


def test_invalid_and_forbidden_acts(world):
    case = make_case(world, "a", "received")
    lead = world.client(world.users["community_lead"])
    before = events(case)
    # 不予立案 without a reason: the form says so, nothing is written.
    resp = post_act(lead, case, "reject")
    assert resp.status_code == 400
    assert 'open id="action-reject"' in resp.content.decode() and "请按提示填写" in resp.content.decode()
    # A past review date for 挂账: the service's message.
    filed = make_case(world, "a", "filed")
    resp = post_act(lead, filed, "park", {"note": "x", "review_on": "2020-01-01"})
    assert resp.status_code == 400 and "复查日期" in resp.content.decode()
    # A grid worker may not file.
    resp = post_act(world.client(world.users["grid_worker"]), case, "file")
    assert resp.status_code == 403 and "权限" in resp.content.decode()
    # Another community's case is not there at all.
    theirs = make_case(world, "b", "received")
    assert post_act(lead, theirs, "file").status_code == 404
    assert events(case) == before and Case.objects.get(pk=theirs.pk).status == Status.RECEIVED
    # An unknown action and a GET are refused.
    assert lead.post(reverse("cases:case-act", args=[case.pk, "explode"])).status_code == 404
    assert lead.get(act_url(case, "file")).status_code == 405


def test_htmx_success_redirects_and_refusal_swaps_the_panel(world):
    case = make_case(world, "a", "dispatched")
    lead = world.client(world.users["community_lead"])
    resp = post_act(lead, case, "accept", HX_Request="true", HX_Target="case-actions")
    assert resp.status_code == 204 and resp["HX-Redirect"] == detail_url(case)
    stale = lead.post(
        act_url(case, "accept"), {"accept-expected_version": case.version}, headers={"HX-Request": "true"}
    )
    assert stale.status_code == 409
    body = stale.content.decode()
    assert body.lstrip().startswith('<div class="card sq-actions" id="case-actions">')
    assert "不能签收" in body and "<html" not in body


# --- the map -----------------------------------------------------------------------------------
def test_map_data_is_geojson_of_open_cases_in_the_box(world):
    open_case = make_case(world, "a", "dispatched")
    closed = make_case(world, "a", "closed")
    client = world.client(world.users["community_lead"])
    assert client.get(reverse("cases:map")).status_code == 200
    data = client.get(reverse("cases:map-data")).json()
    numbers = [f["properties"]["number"] for f in data["features"]]
    assert open_case.number in numbers and closed.number not in numbers
    props = data["features"][0]["properties"]
    assert set(props) == {"number", "title", "status", "status_label", "color", "url"}
    assert data["features"][0]["geometry"]["type"] == "Point"
    lat, lng = open_case.lat, open_case.lng
    inside = f"{lng - 0.01},{lat - 0.01},{lng + 0.01},{lat + 0.01}"
    outside = f"{lng + 1},{lat + 1},{lng + 2},{lat + 2}"
    assert client.get(reverse("cases:map-data"), {"bbox": inside}).json()["features"]
    assert not client.get(reverse("cases:map-data"), {"bbox": outside}).json()["features"]
    assert not client.get(reverse("cases:map-data"), {"status": "received"}).json()["features"]
    assert json.dumps(data, ensure_ascii=False).count("13812345678") == 0


# --- categories and score settings -------------------------------------------------------------
def test_category_edit_keeps_filed_limits_and_checks_version(world):
    case = make_case(world, "a", "filed")
    cat = case.category
    admin = world.client(world.users["street"])
    assert world.client(world.users["community_lead"]).get(reverse("cases:category-list")).status_code == 403
    body = admin.get(reverse("cases:category-list")).content.decode()
    assert cat.name in body and cat.limit_label in body
    url = reverse("cases:category-edit", args=[cat.pk])
    assert admin.get(url).status_code == 200
    data = {
        "name": cat.name,
        "default_unit_kind": "community",
        "default_department": "",
        "limit_value": cat.limit_value + 3,
        "limit_unit": cat.limit_unit,
        "filing_condition": "有明确地点",
        "closure_condition": "现场恢复",
        "merge_radius_m": 150,
        "merge_days": 5,
        "public": "on",
        "active": "on",
        "version": cat.version,
    }
    assert admin.post(url, data).status_code == 302
    cat.refresh_from_db()
    assert cat.limit_value == data["limit_value"] and cat.merge_radius_m == 150
    assert Case.objects.get(pk=case.pk).limit_value == data["limit_value"] - 3
    stale = admin.post(url, data)  # the old version again
    assert stale.status_code == 409
    dept = admin.post(url, {**data, "version": cat.version, "default_unit_kind": "department"})
    assert dept.status_code == 400 and "部门名称" in dept.content.decode()


def test_score_settings(world):
    admin = world.client(world.users["street"])
    url = reverse("cases:score-settings")
    body = admin.get(url).content.decode()
    assert "综合得分" in body and "0.90" in body
    bad = admin.post(
        url,
        {"response_weight": "0.2", "solve_weight": "0.5", "satisfaction_weight": "0.4", "basic_value": "0.9"},
    )
    assert bad.status_code == 400 and "之和应为 1" in bad.content.decode()
    good = admin.post(
        url,
        {"response_weight": "0.2", "solve_weight": "0.4", "satisfaction_weight": "0.4", "basic_value": "0.8"},
    )
    assert good.status_code == 302
    s = ScoreSettings.current()
    assert str(s.solve_weight) == "0.40" and str(s.basic_value) == "0.80"
    assert world.client(world.users["community_lead"]).get(url).status_code == 403


# --- the home-page card ------------------------------------------------------------------------
def test_home_card_counts_my_units_cases(world):
    late = make_case(world, "a", "dispatched")
    make_case(world, "a", "processing")
    make_case(world, "b", "dispatched")  # another community's
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    body = world.client(world.users["community_lead"]).get(reverse("core:home")).content.decode()
    assert 'id="cases-card"' in body
    card = body[body.index('id="cases-card"') :]
    nums = [int(n) for n in re.findall(r'sq-card-num[^"]*">(\d+)<', card)[:4]]
    assert nums[0] == 2 and nums[1] == 1 and nums[2] == 1
    assert (
        'id="cases-card"'
        not in world.client(world.users["resident"]).get(reverse("core:home")).content.decode()
    )


def test_case_page_says_when_a_deadline_year_has_no_holiday_schedule(world):
    import datetime as dt

    from django.utils import timezone

    from shequ.cases.models import Case
    from shequ.cases.services import deadline_after
    from tests.cases.factories import make_case

    case = make_case(world, "a", "processing")
    start = timezone.make_aware(dt.datetime(2030, 12, 30, 10, 0))
    Case.objects.filter(pk=case.pk).update(dispatched_at=start, deadline=deadline_after(start, 5, "days"))
    page = world.client(world.users["community_lead"]).get(f"/cases/{case.pk}/").content.decode()
    assert "2031 年的节假日安排尚未录入" in page
