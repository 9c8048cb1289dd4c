"""The cases module in a real browser (system Chromium, Playwright) against live_server: the issue's
acceptance scenario. A resident on a phone files a request with a photo and a point clicked on the
map and gets a tracking number; the street's dispatcher files and dispatches it; the community
returns it once; it is dispatched again to the grid, accepted, handled, fed back with a photo,
verified by the grid worker, closed and called back; the resident evaluates it on the status page;
the indicator dashboard counts it. Screenshots of the pages along the way land in
test-artifacts/screenshots/cases-*.png.

Every page visited must come without console errors (CSP violations included), uncaught script
errors or failed requests; see conftest.Tab."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shequ.cases import indicators as ind
from shequ.cases.models import Case, CaseEvent, Channel, Satisfaction, Status
from shequ.cases.views.indicators import kpi_cards
from shequ.core.attachments import attachments_of
from shequ.core.models import Attachment
from tests.cases.factories import photo_bytes

from .conftest import DESKTOP, PHONE, shoot, sign_in

CATEGORY = "0704"  # 公共设施维修: a public minor class whose default unit is the community
DESCRIPTION = "宁安小区3栋门口路灯坏了一个多星期，晚上很黑，老人出行不便，请尽快修复。"
TIMELINE = [
    "受理",
    "立案",
    "派遣",
    "退单",
    "派遣",
    "签收",
    "处置",
    "反馈",
    "核查通过",
    "结案",
    "回访",
    "评价",
]


# --- helpers ---------------------------------------------------------------------------------------
def no_sideways_scroll(t, where: str):
    width = t.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways on a phone ({width}px)"


def click_inside_grid(t, grid_code: str) -> tuple[float, float]:
    """Click the intake map at a pixel inside the outline of `grid_code`.

    Leaflet draws the GeoJSON features in order as SVG paths, so the feature's index in the page's
    own outline data names its path; a point of that path's fill is found in screen coordinates
    and clicked like a finger would, so the map's own click handler places the marker."""
    t.page.locator("#intake-map").scroll_into_view_if_needed()
    t.page.wait_for_function("document.querySelectorAll('#intake-map path.leaflet-interactive').length > 0")
    point = t.page.evaluate(
        """code => {
          const feats = JSON.parse(document.getElementById('intake-grids').textContent).features;
          const i = feats.findIndex(f => f.properties.code === code);
          const paths = document.querySelectorAll('#intake-map path.leaflet-interactive');
          if (i < 0 || paths.length !== feats.length) return {error: `feature ${i} of ${feats.length}, ${paths.length} paths`};
          const path = paths[i];
          const box = path.getBoundingClientRect();
          const toUser = path.getScreenCTM().inverse();
          const svg = path.ownerSVGElement;
          const inside = [];
          for (let a = 1; a < 10; a++) for (let b = 1; b < 10; b++) {
            const x = box.left + box.width * a / 10, y = box.top + box.height * b / 10;
            const p = svg.createSVGPoint(); p.x = x; p.y = y;
            if (path.isPointInFill(p.matrixTransform(toUser)) && document.elementFromPoint(x, y) === path)
              inside.push([x, y, Math.abs(a - 5) + Math.abs(b - 5)]);
          }
          if (!inside.length) return {error: 'no visible pixel inside the grid', box: [box.width, box.height]};
          inside.sort((p, q) => p[2] - q[2]);  // nearest the middle of the outline
          return {x: inside[0][0], y: inside[0][1], w: box.width, h: box.height};
        }""",
        grid_code,
    )
    assert "error" not in point, f"cannot aim at grid {grid_code} on the map: {point}"
    assert point["w"] >= 12 and point["h"] >= 12, f"the grid is drawn too small to tap: {point}"
    t.page.touchscreen.tap(point["x"], point["y"])
    return point["x"], point["y"]


def open_action(t, action: str):
    """The <details> of one action on the case page, opened."""
    panel = t.page.locator(f"#case-actions #action-{action}")
    assert panel.count() == 1, (
        f"the case page should offer {action}; it offers "
        f"{t.page.locator('#case-actions details.sq-action summary').all_inner_texts()}"
    )
    if not panel.evaluate("d => d.open"):
        panel.locator("summary").click()
    return panel


def act(t, action: str, label: str, *, select=None, fill=None, check=None, photo=None):
    """Take one workflow action from the case page's panel (field names carry the action's prefix);
    the page reloads with 已<label>。"""
    panel = open_action(t, action)
    for name, value in (select or {}).items():
        panel.locator(f"select[name={action}-{name}]").select_option(value)
    for name, value in (fill or {}).items():
        panel.locator(f"[name={action}-{name}]").fill(value)
    for name, value in (check or {}).items():
        # Choices are drawn as buttons (Bootstrap's btn-check): the label is what a finger taps.
        box = panel.locator(f"input[name={action}-{name}][value='{value}']")
        panel.locator(f"label[for='{box.get_attribute('id')}']").click()
        assert box.is_checked(), f"{action}-{name}={value} should be chosen"
    if photo:
        panel.locator(f"input[name={action}-photos]").set_input_files(
            files=[{"name": photo[0], "mimeType": "image/jpeg", "buffer": photo[1]}]
        )
    with t.page.expect_navigation():
        panel.locator("button[type=submit]").click()
    t.settle()
    errors = t.page.locator("#action-error, #case-actions .invalid-feedback").all_inner_texts()
    assert not errors, f"{label} was refused: {errors}"
    notes = t.page.locator("main .alert-success").all_inner_texts()
    assert f"已{label}。" in notes, f"expected 已{label}。 after {action}, got {notes}"
    t.assert_clean(f"{label} on the case page")


def open_from_todo(t, tab: str, case: Case):
    """Find the case on one tab of the to-do list and open it."""
    t.goto(reverse("cases:todo") + f"?tab={tab}")
    assert t.page.locator(".sq-tabs .nav-link.active").get_attribute("href") == f"?tab={tab}"
    row = t.page.locator(f"#todo-rows a[href='{reverse('cases:case-detail', args=[case.pk])}']")
    assert row.count() == 1, f"case {case.number} should be on the {tab} tab of {t.path()}"
    assert case.number in row.inner_text()
    t.assert_clean(f"to-do list, tab {tab}")
    with t.page.expect_navigation():
        row.click()
    t.settle()
    assert t.path() == reverse("cases:case-detail", args=[case.pk])
    assert case.number in t.page.inner_text("main")
    return row


def timeline_labels(t) -> list[str]:
    return [s.strip() for s in t.page.locator("#timeline .entry strong").all_inner_texts()]


def wait_for_charts(t, n: int):
    t.charts_drawn(n)


def page_cards(t) -> dict[str, str]:
    cards = t.page.locator("#kpi-cards .card-body")
    out = {}
    for i in range(cards.count()):
        c = cards.nth(i)
        out[c.locator("div").nth(0).inner_text().strip()] = c.locator("div").nth(1).inner_text().strip()
    return out


def percent(text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", text)
    assert m, f"not a percentage: {text!r}"
    return float(m.group(1))


# --- the acceptance scenario ------------------------------------------------------------------------
@pytest.mark.browser
def test_request_from_phone_to_closure_callback_evaluation_and_indicators(world, new_tab):
    users = world.users
    secrets: dict[str, str] = {}
    grid_a = world.grid_a

    # 1. The resident, on a phone, not signed in: the public form.
    resident = new_tab(PHONE)
    resident.goto(reverse("cases:report"))
    assert "我要反映" in resident.page.inner_text("main h1")
    assert resident.path() == reverse("cases:report"), "the form needs no account"
    form = resident.page.locator("#report-form")
    form.locator("select[name=category]").select_option(CATEGORY)
    form.locator("textarea[name=description]").fill(DESCRIPTION)
    jpeg = photo_bytes(exif_gps=True, size=(320, 240))
    with Image.open(io.BytesIO(jpeg)) as img:
        assert img.getexif().get(0x8825), "the test photo itself carries a GPS position"
    form.locator("input[name=photos]").set_input_files(
        files=[{"name": "路灯.jpg", "mimeType": "image/jpeg", "buffer": jpeg}]
    )
    click_inside_grid(resident, grid_a.code)
    status = resident.page.locator("#map-status")
    resident.page.wait_for_function(
        "() => document.getElementById('map-status').classList.contains('text-success')"
    )
    assert grid_a.name in status.inner_text(), status.inner_text()
    assert resident.page.locator("#intake-map .leaflet-marker-icon").count() == 1
    lat = float(form.locator("input[name=lat]").input_value())
    lng = float(form.locator("input[name=lng]").input_value())
    ring = grid_a.boundary["coordinates"][0]
    assert min(p[1] for p in ring) < lat < max(p[1] for p in ring), lat
    assert min(p[0] for p in ring) < lng < max(p[0] for p in ring), lng
    assert form.locator("select[name=community]").input_value() == world.a.code, "the map fills the community"
    form.locator("input[name=address]").fill("宁安小区3栋门口")
    form.locator("input[name=requester_name]").fill("李女士")
    form.locator("input[name=requester_phone]").fill("13907151234")
    shoot(resident, "cases-intake-form-phone")
    no_sideways_scroll(resident, "the request form")
    resident.assert_clean("request form")

    with resident.page.expect_navigation():
        form.locator("button[type=submit]").click()
    resident.settle()
    assert re.fullmatch(r"/cases/report/done/[^/]+/", resident.path()), resident.path()
    number = resident.page.inner_text("#case-number").strip()
    case = Case.objects.get(number=number)
    assert Case.objects.count() == 1
    assert case.status == Status.RECEIVED and case.channel == Channel.MOBILE
    assert case.grid_id == grid_a.pk and case.community_id == world.a.pk
    assert case.category.code == CATEGORY and case.description == DESCRIPTION
    assert case.requester_phone == "13907151234" and case.requester_user is None
    track_path = reverse("cases:track", args=[case.tracking_token])
    assert resident.page.locator("#track-link").input_value() == resident.url(track_path)
    assert resident.page.locator(f"main a[href='{track_path}']").count() == 1, "a link to the status page"
    assert resident.page.locator("#track-qr").is_visible()
    received = CaseEvent.objects.get(case=case, action="receive")
    stored = attachments_of(CaseEvent, [received.pk])[str(received.pk)]
    assert [a.name for a in stored] == ["路灯.jpg"]
    with Image.open(io.BytesIO(bytes(Attachment.objects.get(pk=stored[0].pk).data))) as img:
        assert img.size == (320, 240)
        assert not img.getexif(), "EXIF (position, device) must be stripped before storage"
    shoot(resident, "cases-receipt-phone")
    no_sideways_scroll(resident, "the receipt")
    resident.assert_clean("receipt")

    # 2. The street's dispatcher: 待派遣, the case, 立案, 派遣 to community a.
    street = new_tab(DESKTOP)
    sign_in(street, users["street"], secrets)
    street.goto(reverse("cases:todo"))
    assert street.page.locator(".sq-tabs .nav-link.active").inner_text().strip() == "待派遣"
    shoot(street, "cases-dispatch-list-desktop")
    open_from_todo(street, "dispatch", case)
    act(street, "file", "立案")
    act(street, "dispatch", "派遣", select={"unit": f"community:{world.a.code}"})
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.handler_code == world.a.code
    assert case.deadline is not None, "the clock starts at dispatch"

    # 3. The community returns it once, with a reason.
    worker = new_tab(PHONE)
    sign_in(worker, users["community_worker"], secrets)
    open_from_todo(worker, "handle", case)
    act(worker, "return", "退单", fill={"note": "路灯属街道照明所管护，应派网格核实后报修"})
    case.refresh_from_db()
    assert case.status == Status.RETURNED and case.return_count == 1

    # 4. Dispatched again, to the grid; the community accepts, handles and feeds back with a photo.
    open_from_todo(street, "dispatch", case)
    act(street, "dispatch", "派遣", select={"unit": f"grid:{grid_a.code}"})
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.handler_code == grid_a.code

    open_from_todo(worker, "handle", case)
    act(worker, "accept", "签收")
    act(worker, "progress", "处置", fill={"note": "已联系照明所，约定明日上午更换灯泡"})
    act(
        worker,
        "feedback",
        "反馈",
        fill={"note": "路灯已更换并试亮正常"},
        photo=("修复后.jpg", photo_bytes(exif_gps=True, size=(200, 150))),
    )
    case.refresh_from_db()
    assert case.status == Status.HANDLED
    feedback = CaseEvent.objects.get(case=case, action="feedback")
    assert [a.name for a in attachments_of(CaseEvent, [feedback.pk])[str(feedback.pk)]] == ["修复后.jpg"]

    # 5. The grid worker verifies on site; the dispatcher closes; the community lead calls back.
    grid_worker = new_tab(PHONE)
    sign_in(grid_worker, users["grid_worker"], secrets)
    open_from_todo(grid_worker, "verify", case)
    act(grid_worker, "verify", "核查通过", fill={"note": "现场核实路灯已亮"})

    open_from_todo(street, "close", case)
    act(street, "close", "结案")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at is not None

    lead = new_tab(DESKTOP)
    sign_in(lead, users["community_lead"], secrets)
    open_from_todo(lead, "callback", case)
    act(
        lead,
        "callback",
        "回访",
        check={"valid": "1", "contacted": "1", "solved": "1", "satisfaction": Satisfaction.SATISFIED},
        fill={"note": "电话回访，居民确认路灯已修好"},
    )
    case.refresh_from_db()
    assert case.status == Status.CALLED_BACK and case.satisfaction == Satisfaction.SATISFIED

    # 6. The resident's status page, in the same phone tab: the timeline to 结案 and the evaluation.
    with resident.page.expect_navigation():
        resident.page.locator(f"main a[href='{track_path}']").click()
    resident.settle()
    assert resident.path() == track_path
    assert resident.page.inner_text("#case-number").strip() == case.number
    public_steps = [
        s.strip() for s in resident.page.locator("#timeline .entry .fw-semibold").all_inner_texts()
    ]
    assert "结案" in public_steps and public_steps[0] == "受理", public_steps
    assert public_steps.index("派遣") < public_steps.index("结案")
    assert resident.page.locator("#evaluate form").is_visible()
    shoot(resident, "cases-status-page-evaluate-phone")
    no_sideways_scroll(resident, "the status page")
    resident.page.locator("label[for=rating-5]").click()
    resident.page.locator("#id_comment").fill("修得很快，谢谢社区！")
    with resident.page.expect_navigation():
        resident.page.locator("#evaluate button[type=submit]").click()
    resident.settle()
    assert "感谢您的评价！" in resident.page.inner_text("main .alert-success")
    assert resident.page.locator("#evaluation .bi-star-fill").count() == 5
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.rating == 5
    shoot(resident, "cases-status-page-phone")
    no_sideways_scroll(resident, "the status page")
    resident.assert_clean("status page")

    # The case page: every step in order, desktop and phone.
    street.goto(reverse("cases:case-detail", args=[case.pk]))
    assert timeline_labels(street) == TIMELINE
    assert street.page.locator("#timeline img.sq-thumb").count() == 2, "the intake and feedback photos"
    assert "退单 1 次" in street.page.inner_text("main")
    shoot(street, "cases-case-page-desktop")
    street.assert_clean("case page")
    worker.goto(reverse("cases:case-detail", args=[case.pk]))
    assert timeline_labels(worker) == TIMELINE
    shoot(worker, "cases-case-page-phone")
    no_sideways_scroll(worker, "the case page")
    worker.assert_clean("case page (phone)")

    # 7. The indicator dashboard counts the case, with the same figures as indicators.compute.
    street.goto(reverse("cases:indicators"))
    wait_for_charts(street, 3)
    today = timezone.localdate()
    figures = ind.compute(users["street"], ind.Filters(start=today.replace(day=1), end=today))
    shown = page_cards(street)
    expected = {str(c["label"]): c["value"] for c in kpi_cards(figures)}
    assert shown == expected, f"the dashboard's cards differ from indicators.compute:\n{shown}\n{expected}"
    assert int(shown["立案数"]) >= 1 and int(shown["结案数"]) >= 1
    assert percent(shown["退单率"]) > 0
    assert (
        shown["满意率"] == ind.pct(figures["satisfaction_rate"]) and figures["satisfaction_rate"] is not None
    )
    assert shown["综合得分"] == ind.display("score", figures["score"]) and figures["score"] is not None
    assert figures["filed"] >= 1 and figures["returned"] >= 1 and figures["callbacks"] >= 1
    shoot(street, "cases-indicators-desktop")
    street.assert_clean("indicators")

    # The same dashboard on a phone-sized screen (the same signed-in tab, narrowed).
    phone_street = street
    phone_street.page.set_viewport_size(PHONE)
    phone_street.goto(reverse("cases:indicators"))
    wait_for_charts(phone_street, 3)
    assert page_cards(phone_street) == expected
    shoot(phone_street, "cases-indicators-phone")
    no_sideways_scroll(phone_street, "the indicator dashboard")
    phone_street.assert_clean("indicators (phone)")
