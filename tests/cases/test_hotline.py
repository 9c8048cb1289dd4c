"""12345 hotline transfers: the work-order file (xlsx and CSV) through the import engine's
preview → commit → undo, the import page, the push endpoint, and the `shequ cases` commands."""

import datetime as dt
import io
import json

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.cases import services
from shequ.cases.models import Case, CaseEvent, Channel, LimitUnit, Status
from shequ.core import importing
from shequ.core.errors import Conflict, Forbidden, ValidationFailed
from shequ.core.models import ImportBatch, ImportRecord, ImportStatus
from tests.cases.factories import point_in

pytestmark = pytest.mark.django_db
KIND = "cases.hotline"
HEADERS = [
    "工单编号",
    "受理时间",
    "诉求人",
    "联系电话",
    "诉求内容",
    "诉求地址",
    "诉求类别",
    "所属社区",
    "经度",
    "纬度",
    "办理时限",
]


def order(no, **over) -> dict:
    row = {
        "工单编号": no,
        "受理时间": "2026-03-02 09:15",
        "诉求人": "王女士",
        "联系电话": "13807150001",
        "诉求内容": f"工单{no}：楼下夜间噪音扰民",
        "诉求地址": "宁安小区3栋",
        "诉求类别": "噪声扰民",
        "所属社区": "宁安社区",
    }
    row.update(over)
    return {k: v for k, v in row.items() if v is not None}


def xlsx(rows: list[dict], headers=HEADERS) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("工单")
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write_row(0, 0, headers)
    for n, row in enumerate(rows, start=1):
        for i, h in enumerate(headers):
            v = row.get(h)
            if isinstance(v, dt.datetime):
                ws.write_datetime(n, i, v, when)
            elif isinstance(v, str):
                ws.write_string(n, i, v)
            elif v is not None:
                ws.write(n, i, v)
    wb.close()
    return buf.getvalue()


def csv_bytes(rows: list[dict], encoding="utf-8-sig", headers=HEADERS) -> bytes:
    import csv

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headers)
    for row in rows:
        w.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def preview(world, data, *, user=None, code=None, name="12345工单.xlsx"):
    user = user or world.users["street"]
    batch = importing.create_batch(user, KIND, code or world.street.code, name, data)
    importing.validate_batch(batch, user)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY, batch.message
    return batch


def messages(batch) -> dict[int, str]:
    return {e["row"]: " ".join(e["messages"] + e["warnings"]) for e in batch.errors}


# --- the file -------------------------------------------------------------------------------------
def test_preview_then_commit_creates_one_case_per_order(world):
    lat, lng = point_in(world, "a")
    rows = [
        order("GD001", 受理时间=dt.datetime(2026, 3, 2, 8, 47)),  # an Excel date-time cell
        order("GD002", 诉求类别="城市管理-占道经营", 所属社区="420115001002", 办理时限="2个工作日"),
        order("GD001", 诉求内容="同一工单的第二次转办"),  # repeated in the file
        order("GD003", 诉求内容=""),  # no content
        order("GD004", 诉求类别="外星人入侵"),  # unknown category
        order("GD005", 所属社区=None, 经度=lng, 纬度=lat, 诉求类别="0703", 办理时限="24小时"),
        order("GD006", 所属社区="不存在社区"),
        order("GD007", 受理时间="昨天上午"),
        order("GD008", 所属社区=None, 联系电话="12345"),  # no place: the street; a bad phone is dropped
    ]
    batch = preview(world, xlsx(rows))
    assert batch.counts == {"new": 4, "updated": 0, "unchanged": 1, "rejected": 4, "conflict": 0}
    msg = messages(batch)
    assert "第 2 行" in msg[4] and "不重复创建" in msg[4]
    assert "诉求内容" in msg[5] and "必填" in msg[5]
    assert "外星人入侵" in msg[6] and "小类" in msg[6]
    assert "不存在社区" in msg[8]
    assert "受理时间" in msg[9]
    assert "联系电话" in msg[10]
    assert any("重复" in n for n in batch.options["notes"])
    assert not Case.objects.exists()  # the preview writes nothing

    result = importing.commit_batch(batch, world.users["street"])
    assert result["created"] == 4
    cases = {c.external_id: c for c in Case.objects.filter(channel=Channel.HOTLINE)}
    assert set(cases) == {"GD001", "GD002", "GD005", "GD008"}
    first = cases["GD001"]
    assert timezone.localtime(first.received_at).strftime("%Y-%m-%d %H:%M") == "2026-03-02 08:47"
    assert first.category.code == "0803" and first.community == world.a and first.status == Status.RECEIVED
    assert first.requester_phone == "13807150001" and first.attributes["hotline_order"] == "GD001"
    assert first.description.startswith("工单GD001")  # the first row of the repeated number
    second = cases["GD002"]
    assert second.category.code == "0507" and second.community == world.b
    assert (second.limit_value, second.limit_unit) == (2, LimitUnit.DAYS)
    located = cases["GD005"]
    assert located.grid == world.grid_a and located.scope_code == world.grid_a.code
    assert (located.limit_value, located.limit_unit) == (24, LimitUnit.HOURS)
    streetwide = cases["GD008"]
    assert streetwide.community is None and streetwide.scope_code == world.street.code
    assert streetwide.requester_phone == ""
    assert ImportRecord.objects.filter(batch=batch, model="cases.case").count() == 4
    assert CaseEvent.objects.filter(case__channel=Channel.HOTLINE, action="receive").count() == 4


def test_orders_already_received_are_not_created_again(world):
    importing.commit_batch(preview(world, xlsx([order("GD100"), order("GD101")])), world.users["street"])
    again = preview(world, csv_bytes([order("GD100"), order("GD101"), order("GD102")]), name="再次导出.csv")
    assert again.counts["new"] == 1 and again.counts["unchanged"] == 2
    msg = messages(again)
    number = Case.objects.get(external_id="GD100").number
    assert "已存在" in msg[2] and "未重复创建" in msg[2] and number in msg[2]
    importing.commit_batch(again, world.users["street"])
    assert Case.objects.filter(channel=Channel.HOTLINE).count() == 3
    assert Case.objects.filter(external_id="GD100").count() == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_hotline_systems_use(world, encoding):
    data = csv_bytes(
        [order("GD200", 诉求内容="小区路灯不亮，晚上出行不安全", 诉求类别="路灯")], encoding=encoding
    )
    batch = preview(world, data, name="工单导出.csv")
    assert batch.counts["new"] == 1
    importing.commit_batch(batch, world.users["street"])
    case = Case.objects.get(external_id="GD200")
    assert case.description == "小区路灯不亮，晚上出行不安全" and case.category.code == "0704"


def test_tab_separated_export_with_other_column_names(world):
    headers = ["工单号", "来电时间", "来电人", "来电号码", "来电内容", "事发地址", "问题分类", "社区"]
    line = [
        "GD300",
        "2026/3/2 9:15:00",
        "张先生",
        "027-87654321",
        "电梯困人",
        "宁安小区1栋",
        "电梯",
        "宁安社区",
    ]
    data = ("\t".join(headers) + "\n" + "\t".join(line) + "\n").encode("gb18030")
    batch = preview(world, data, name="导出.csv")
    assert batch.counts["new"] == 1, batch.errors
    importing.commit_batch(batch, world.users["street"])
    case = Case.objects.get(external_id="GD300")
    assert case.category.code == "0708" and case.requester_phone == "027-87654321"


def test_files_that_are_not_spreadsheets_are_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        importing.create_batch(world.users["street"], KIND, world.street.code, "a.pdf", b"%PDF-1.4 ...")
    assert exc.value.code == "wrong_file_type"
    with pytest.raises(ValidationFailed):
        importing.create_batch(world.users["street"], KIND, world.street.code, "a.csv", b"\x00\x01\x02binary")
    batch = importing.create_batch(
        world.users["street"],
        KIND,
        world.street.code,
        "a.csv",
        "姓名,电话\n张三,1\n".encode(),
        {"auto": True},
    )
    importing.validate_batch(batch, world.users["street"])
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "工单编号" in batch.message


def test_a_community_batch_stays_in_its_community(world):
    lead = world.users["community_lead"]
    rows = [order("GD400", 所属社区=None), order("GD401", 所属社区="郭岭社区")]
    batch = preview(world, xlsx(rows), user=lead, code=world.a.code)
    assert batch.counts["new"] == 1 and batch.counts["rejected"] == 1
    assert "范围" in messages(batch)[3]
    importing.commit_batch(batch, lead)
    assert Case.objects.get(external_id="GD400").community == world.a
    with pytest.raises(Forbidden):  # another community's batch: not theirs to create
        importing.create_batch(lead, KIND, world.b.code, "x.csv", csv_bytes([order("GD402")]))


def test_undo_takes_back_untouched_cases_only(world):
    street = world.users["street"]
    batch = preview(world, xlsx([order("GD500"), order("GD501")]))
    importing.commit_batch(batch, street)
    batch.refresh_from_db()
    case = Case.objects.get(external_id="GD500")
    services.transition(street, case.pk, "file")
    with pytest.raises(Conflict) as exc:
        importing.undo_batch(batch, street)
    assert case.number in exc.value.message
    assert Case.objects.filter(channel=Channel.HOTLINE).count() == 2

    other = preview(world, xlsx([order("GD502"), order("GD503")]))
    importing.commit_batch(other, street)
    other.refresh_from_db()
    result = importing.undo_batch(other, street)
    assert result == {"deleted": 2}
    assert not Case.objects.filter(external_id__in=["GD502", "GD503"]).exists()
    other.refresh_from_db()
    assert other.status == ImportStatus.UNDONE
    # Undone orders may come again.
    importing.commit_batch(preview(world, xlsx([order("GD502")])), street)
    assert Case.objects.filter(external_id="GD502").count() == 1


def test_template_is_downloadable_and_round_trips(world):
    from shequ.cases.importer import HotlineImporter

    data = importing.template_bytes(HotlineImporter)
    mapping, body = importing.read_rows(data, HotlineImporter)
    assert set(mapping.values()) >= {"order_no", "content", "category", "received_at", "limit"}
    batch = preview(world, data, name="模板.xlsx")
    assert batch.counts["new"] == 1  # the example row is a valid order


# --- the page -------------------------------------------------------------------------------------
def test_import_page_upload_preview_commit_undo(world, django_capture_on_commit_callbacks):
    lead = world.users["community_lead"]
    client = world.client(lead)
    url = reverse("cases:hotline-import")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("core:import-template", args=[KIND]) in body and world.a.code in body
    assert world.b.code not in body  # only where the lead may import
    upload = SimpleUploadedFile(
        "工单.csv", csv_bytes([order("GD600", 所属社区=None), order("GD600")]), "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(url, {"target": world.a.code, "file": upload})
    assert resp.status_code == 302
    batch = ImportBatch.objects.get(kind=KIND)
    assert resp["Location"] == batch.get_absolute_url()
    detail = client.get(resp["Location"]).content.decode()
    assert 'data-count="new">1<' in detail and 'data-count="unchanged">1<' in detail
    assert "不重复创建" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import-commit", args=[batch.pk]), {"mode": "valid_only"})
    assert Case.objects.filter(external_id="GD600").count() == 1
    assert "已导入" in client.get(url).content.decode()
    client.post(reverse("core:import-undo", args=[batch.pk]))
    assert not Case.objects.filter(external_id="GD600").exists()


def test_import_page_refuses_what_is_not_a_spreadsheet_and_those_without_the_right(world):
    client = world.client(world.users["community_lead"])
    resp = client.post(
        reverse("cases:hotline-import"),
        {"target": world.a.code, "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert resp.status_code == 400 and "不是 Excel" in resp.content.decode()
    assert not ImportBatch.objects.exists()
    for role in ("grid_worker", "community_worker"):
        assert world.client(world.users[role]).get(reverse("cases:hotline-import")).status_code == 403


# --- the push endpoint ----------------------------------------------------------------------------
PUSH = "/api/v1/cases/hotline/orders"


def push(world, body, role="street"):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.token(world.users[role])}")
    return client.post(PUSH, json.dumps(body), content_type="application/json")


def test_push_creates_once_and_answers_the_same_case_again(world):
    body = {
        "order_no": "GD700",
        "received_at": "2026-03-02T10:05:00+08:00",
        "requester_name": "赵先生",
        "phone": "13900002222",
        "content": "小区门口占道经营，影响通行",
        "category": "占道经营",
        "community": world.a.code,
        "time_limit": "3个工作日",
    }
    first = push(world, body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["created"] is True and data["warnings"] == []
    case = data["case"]
    assert case["channel"] == "hotline" and case["external_id"] == "GD700" and case["category_code"] == "0507"
    assert case["requester_phone_masked"] == "139****2222" and "13900002222" not in first.content.decode()
    again = push(world, {**body, "content": "重复推送"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["case"]["id"] == case["id"]
    stored = Case.objects.get(external_id="GD700")
    assert stored.description == "小区门口占道经营，影响通行"
    assert (stored.limit_value, stored.limit_unit) == (3, LimitUnit.DAYS)
    assert timezone.localtime(stored.received_at).strftime("%H:%M") == "10:05"


def test_push_with_a_point_lands_in_its_grid_and_warns_of_a_bad_phone(world):
    lat, lng = point_in(world, "a")
    resp = push(
        world,
        {
            "order_no": "GD701",
            "content": "井盖缺失",
            "category": "0704",
            "lat": lat,
            "lng": lng,
            "phone": "110",
        },
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["case"]["scope_code"] == world.grid_a.code
    assert "联系电话" in resp.json()["warnings"][0]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"order_no": "GD710", "content": "x", "category": "外星人入侵"}, 400, "invalid"),
        ({"order_no": "GD711", "content": "x", "category": "噪音", "time_limit": "尽快"}, 400, "invalid"),
        ({"order_no": "GD712", "content": "", "category": "噪音"}, 422, "invalid_request"),
        (
            {"order_no": "GD713", "content": "x", "category": "噪音", "received_at": "2099-01-01T00:00:00"},
            400,
            "invalid",
        ),
    ],
)
def test_push_refuses_bad_orders_with_a_reason(world, body, status, code):
    resp = push(world, {**body, "community": world.a.code})
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code and resp.json()["message"]
    assert not Case.objects.exists()


def test_push_outside_the_scope_or_without_the_right(world):
    body = {"order_no": "GD720", "content": "噪音", "category": "噪音", "community": world.b.code}
    assert push(world, body, role="community_lead").status_code == 404
    assert push(world, {**body, "community": "郭岭社区"}, role="community_lead").status_code == 404
    assert push(world, {**body, "community": world.a.code}, role="community_worker").status_code == 403
    assert push(world, {**body, "community": world.a.code}, role="department").status_code == 403
    assert Client().post(PUSH, json.dumps(body), content_type="application/json").status_code == 401
    assert not Case.objects.exists()
    assert push(world, {**body, "community": world.a.code}, role="community_lead").status_code == 201


def test_the_same_order_from_another_unit_is_not_revealed(world):
    assert (
        push(
            world, {"order_no": "GD730", "content": "噪音", "category": "噪音", "community": world.b.code}
        ).status_code
        == 201
    )
    resp = push(
        world,
        {"order_no": "GD730", "content": "噪音", "category": "噪音", "community": world.a.code},
        "community_lead",
    )
    assert resp.status_code == 409 and "其他单位" in resp.json()["message"]
    assert "case" not in resp.json()


# --- the command line -----------------------------------------------------------------------------
def test_cli_import_hotline_previews_then_commits(world, tmp_path, capsys):
    from shequ import cli

    path = tmp_path / "工单.xlsx"
    path.write_bytes(xlsx([order("GD800"), order("GD800"), order("GD801", 诉求类别="?")]))
    cli.main(["cases", "import-hotline", str(path), "--street", world.street.code])
    out = json.loads(capsys.readouterr().out)
    assert out["committed"] is False and out["totals"]["new"] == 1 and out["totals"]["unchanged"] == 1
    assert out["rejected"][0]["row"] == 4 and out["skipped"][0]["row"] == 3
    assert not Case.objects.exists()
    cli.main(
        [
            "cases",
            "import-hotline",
            str(path),
            "--street",
            world.street.code,
            "--commit",
            "--user",
            "t_street",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert out["committed"] is True and out["created"] == 1
    assert Case.objects.get(external_id="GD800").created_by == world.users["street"]


def test_cli_import_reports_a_missing_file(world, tmp_path, capsys):
    from shequ import cli

    with pytest.raises(SystemExit) as exc:
        cli.main(["cases", "import-hotline", str(tmp_path / "nope.csv"), "--street", world.street.code])
    assert exc.value.code == 2 and "找不到文件" in capsys.readouterr().err


def test_cli_sweep_and_categories(world, capsys):
    from shequ import cli
    from tests.cases.factories import make_case

    case = make_case(world, "a", "processing")
    cli.main(
        ["cases", "sweep", "--now", timezone.localtime(case.deadline + dt.timedelta(hours=1)).isoformat()]
    )
    assert json.loads(capsys.readouterr().out) == {"warned": 0, "escalated": 1, "review_due": 0}
    cli.main(
        ["cases", "sweep", "--now", timezone.localtime(case.deadline + dt.timedelta(hours=2)).isoformat()]
    )
    assert json.loads(capsys.readouterr().out) == {"warned": 0, "escalated": 0, "review_due": 0}
    cli.main(["cases", "categories"])
    text = capsys.readouterr().out
    assert "03 施工管理" in text and "0803 噪音" in text and "工作日" in text
    cli.main(["cases", "categories", "--json"])
    tree = json.loads(capsys.readouterr().out)
    noise = next(c for m in tree for c in m["children"] if c["code"] == "0803")
    assert noise["limit"] >= 1 and noise["unit"] in ("hours", "days")


@pytest.mark.parametrize("command", ["sweep", "import-hotline", "categories"])
def test_cli_help_is_chinese(command, capsys):
    from shequ import cli

    with pytest.raises(SystemExit):
        cli.main(["cases", command, "--help"])
    out = capsys.readouterr().out
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out)


def test_error_report_of_a_csv_batch_keeps_line_numbers_and_masks_phones(world):
    from python_calamine import CalamineWorkbook

    rows = [order("GD900"), order("GD901", 诉求类别="外星人入侵", 联系电话="13911112222")]
    batch = preview(world, csv_bytes(rows, encoding="gb18030"), name="工单.csv")
    report = CalamineWorkbook.from_filelike(io.BytesIO(importing.error_report(batch, world.users["street"])))
    cells = report.get_sheet_by_index(0).to_python()
    text = "\n".join(str(c) for row in cells for c in row)
    assert "外星人入侵" in text and "GD901" in text and "GD900" not in text
    assert "13911112222" not in text and "139****2222" in text
    assert any(row and str(row[0]).startswith("3") for row in cells)  # the file's own line number


def test_a_hotline_export_in_its_own_layout_goes_through_the_mapping_step(
    world, django_capture_on_commit_callbacks
):
    """The 12345 import uses the engine's mapping step with its own synonyms: the export's headers
    are guessed, confirmed once, saved, and the next export is taken without questions."""
    headers = [
        "工单流水号",
        "登记时间",
        "市民姓名",
        "联系号码",
        "工单内容",
        "事发地点",
        "事项分类",
        "社区名称",
        "办结时限",
    ]

    def export(*numbers):
        lines = ["江夏区12345热线工单导出（2026年3月）", ",".join(headers)]
        for no in numbers:
            lines.append(
                f"{no},2026-03-02 09:15,王女士,１３８０７１５０００１,楼下夜间施工,宁安小区3栋,夜间施工,宁安社区,3个工作日"
            )
        lines.append(f"合计,{len(numbers)}件")
        return "\n".join(lines).encode("gbk")

    client = world.client(world.users["community_lead"])
    url = reverse("cases:hotline-import")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"target": world.a.code, "file": SimpleUploadedFile("导出.csv", export("GD700", "GD701"))}
        )
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportStatus.MAPPING
    guessed = {c["label"]: c["field"] for c in batch.options["layout"]["columns"]}
    assert (
        guessed["工单流水号"] == "order_no"
        and guessed["事项分类"] == "category"
        and guessed["办结时限"] == "limit"
    )
    form = {f"col-{c['index']}": c["field"] for c in batch.options["layout"]["columns"]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("core:import-mapping", args=[batch.pk]), {**form, "save": "1", "save_as": "区热线导出"}
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY and batch.counts["new"] == 2, (batch.message, batch.errors)
    assert [s["row"] for s in batch.options["skipped_rows"]] == [5]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import-commit", args=[batch.pk]), {"mode": "valid_only"})
    case = Case.objects.get(external_id="GD700")
    assert case.category.code == "0301" and case.requester_phone == "13807150001"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"target": world.a.code, "file": SimpleUploadedFile("导出2.csv", export("GD702"))})
    again = ImportBatch.objects.latest("pk")
    assert again.status == ImportStatus.READY and again.options["mapping_name"] == "区热线导出"
    assert again.counts["new"] == 1
