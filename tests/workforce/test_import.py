"""The roster workbook through the core import engine and `shequ workforce import`: a real xlsx
with a ledger's own headers, rows refused with their reasons, a duplicate ID, people already in
post, a past exit entered as history, all-or-nothing, and undo."""

import datetime as dt
import io
import json

import pytest
import xlsxwriter

from shequ.cli import build_parser
from shequ.core import importing
from shequ.core.models import ImportStatus
from shequ.workforce.importer import WorkerImporter
from shequ.workforce.models import Movement, Status, Worker
from tests.workforce.factories import id_number, make_worker

pytestmark = pytest.mark.django_db

HEAD = [
    "序号",
    "姓名",
    "公民身份号码",
    "文化程度",
    "政治面貌",
    "人员来源",
    "入职时间",
    "所在社区",
    "离开日期",
    "离开原因",
]


def workbook(rows) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, ["纸坊街道社区工作者花名册"])
    ws.write_row(1, 0, HEAD)
    for i, r in enumerate(rows, start=2):
        ws.write_row(i, 0, [i - 1, *r])
    wb.close()
    return buf.getvalue()


def test_ledger_headers_rules_history_and_undo(world, tmp_path):
    street = world.users["street"]
    present = make_worker(world, "a")
    a = id_number(dt.date(1990, 3, 3), female=True)
    rows = [
        ["王芳", a, "本科", "中共党员", "聘用", "2016-03-01", "宁安社区", "", ""],
        ["王芳", a, "本科", "群众", "聘用", "2016-03-01", "宁安社区", "", ""],  # the same ID again
        ["赵强", id_number(dt.date(1985, 1, 1)), "大专", "群众", "选举产生", "2010-01-01", world.b.code, "2023-06-30", "跳槽"],
        [present.name, present.id_number, "本科", "中共党员", "聘用", "2018-03-01", "宁安社区", "", ""],
        ["钱七", "42011519900101123X", "本科", "群众", "聘用", "2016-03-01", "宁安社区", "", ""],  # check char
        ["孙八", id_number(dt.date(1992, 1, 1)), "博士", "群众", "聘用", "2016-03-01", "宁安社区", "", ""],
        ["周九", id_number(dt.date(1993, 1, 1)), "本科", "群众", "聘用", "2016-03-01", "外省社区", "", ""],
        ["吴十", id_number(dt.date(1994, 1, 1)), "本科", "群众", "聘用", "2016-03-01", "宁安社区", "2024-01-01", ""],
    ]  # fmt: skip
    batch = importing.create_batch(street, WorkerImporter.kind, world.street.code, "花名册.xlsx", workbook(rows),
                                   {"auto": True})  # fmt: skip
    importing.validate_batch(batch, street)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY, batch.message
    assert (batch.counts["new"], batch.counts["unchanged"], batch.counts["rejected"]) == (2, 1, 5)
    errors = {e["row"]: " ".join(e["messages"] + e.get("warnings", [])) for e in batch.errors}
    assert "与第 3 行身份证号码相同" in errors[4]  # Excel rows: header on 2, data from 3
    assert "已在" in errors[6] and "校验位" in errors[7] and "博士" in errors[8]
    assert "外省社区" in errors[9] and "同时填写" in errors[10]
    assert Worker.objects.count() == 1  # nothing written before the commit

    # All or nothing: refused as a whole, nothing written.
    with pytest.raises(Exception):  # noqa: B017, PT011 - the engine's own refusal
        importing.commit_batch(batch, street, valid_only=False)
    assert Worker.objects.count() == 1

    batch = importing.create_batch(street, WorkerImporter.kind, world.street.code, "花名册.xlsx", workbook(rows),
                                   {"auto": True})  # fmt: skip
    result = importing.commit_batch(batch, street, valid_only=True)
    assert result["workers"] == 2 and result["left"] == 1
    zhao = Worker.objects.get(name="赵强")
    assert (zhao.status, zhao.left_on, zhao.exit_reason, zhao.scope_code) == (
        Status.LEFT, dt.date(2023, 6, 30), "job_change", world.b.code)  # fmt: skip
    assert list(Movement.objects.filter(worker=zhao).order_by("on").values_list("kind", flat=True)) == [
        "hire",
        "exit",
    ]
    assert Worker.objects.get(name="王芳").gender == "female"

    batch.refresh_from_db()
    importing.undo_batch(batch, street)
    assert set(Worker.objects.values_list("name", flat=True)) == {present.name}


def test_the_command(world, tmp_path, capsys):
    from shequ.core.testing.world import build_world  # noqa: F401  (the world fixture made it)

    path = tmp_path / "花名册.xlsx"
    path.write_bytes(workbook([["王芳", id_number(dt.date(1990, 3, 3)), "本科", "中共党员", "聘用", "2016-03-01",
                                "宁安社区", "", ""]]))  # fmt: skip
    parser = build_parser()

    def run(*argv):
        args = parser.parse_args(["workforce", "import", str(path), "--org", world.street.code,
                                  "--user", world.users["street"].username, *argv])  # fmt: skip
        try:
            args.func(args)
        except SystemExit as e:
            return e.code, json.loads(capsys.readouterr().out or "{}")
        return 0, json.loads(capsys.readouterr().out)

    code, out = run()
    assert (
        code == 0 and out["committed"] is False and out["totals"]["new"] == 1 and not Worker.objects.exists()
    )
    code, out = run("--commit")
    assert code == 0 and out["entered"] == 1 and Worker.objects.count() == 1
    code, out = run("--commit")  # again: already in post, nothing entered
    assert out["entered"] == 0 and out["skipped"] and Worker.objects.count() == 1


def test_template_downloads(world):
    c = world.client(world.users["street"])
    r = c.get(f"/imports/template/{WorkerImporter.kind}.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
