"""Demo data: the real 江夏区 divisions and, for four communities of 纸坊街道, grids with plausible
polygons, buildings, units, houses, grid staff, resident organisations and an account for every
role. Seeded and repeatable. Bulk inserts (the seed is not a user act) keep it to seconds."""

import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as uscc_mod

from shequ.core import changelog
from shequ.core.models import Action, Membership, User
from shequ.core.roles import Role
from shequ.org.geo import parse_polygon, to_geojson
from shequ.org.models import (
    Assignment,
    Building,
    BuildingUnit,
    Grid,
    GridType,
    House,
    OrgType,
    OrgUnit,
    Post,
    ResidentOrganization,
)
from shequ.org.services import import_divisions

DISTRICT = "420115"
STREET = "420115001"  # 纸坊街道
# (community code, centre lat, centre lng, compounds) — around 纸坊 old town, Jiangxia.
COMMUNITIES = [
    ("420115001001", 30.3555, 114.3185, ["宁安小区", "纸坊大街", "宁港花园"]),
    ("420115001002", 30.3555, 114.3285, ["郭岭新村", "江夏名苑", "东湖港湾"]),
    ("420115001005", 30.3475, 114.3185, ["幸福家园", "熊廷弼小区", "文化路宿舍"]),
    ("420115001019", 30.3475, 114.3285, ["文苑小区", "中央大街", "谭鑫培花园"]),
]
GRID_ROWS, GRID_COLS = 2, 3  # six grids per community
COMMUNITY_SPAN_LAT, COMMUNITY_SPAN_LNG = 0.0076, 0.0096  # ~840 m × 920 m

DEMO_PASSWORD = "Shequ@2026demo"
# Fixed TOTP secrets for the demo administrators only, so a tester can add them to an authenticator.
DEMO_TOTP = {
    "admin": "JBSWY3DPEHPK3PXPSHEQUADM",
    "district": "JBSWY3DPEHPK3PXPSHEQUDST",
    "street": "JBSWY3DPEHPK3PXPSHEQUSTR",
    "street_minzheng": "JBSWY3DPEHPK3PXPSHEQUMZG",
    "street_sifa": "JBSWY3DPEHPK3PXPSHEQUSFS",
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈姚卢熊"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌波辉鹏飞婷雪慧琳晨宇浩然欣怡子涵梓轩"
ORG_NAMES = [
    ("江夏区第一中学", OrgType.SCHOOL),
    ("纸坊街第二小学", OrgType.SCHOOL),
    ("江夏区中医医院", OrgType.HOSPITAL),
    ("纸坊街社区卫生服务中心", OrgType.HOSPITAL),
    ("武汉宁安物业服务有限公司", OrgType.PROPERTY),
    ("湖北江城物业管理有限公司", OrgType.PROPERTY),
    ("江夏区税务局纸坊税务所", OrgType.GOVERNMENT),
    ("中百仓储纸坊店", OrgType.ENTERPRISE),
    ("武汉金口建材有限公司", OrgType.ENTERPRISE),
    ("江夏区图书馆", OrgType.INSTITUTION),
    ("纸坊街养老服务中心", OrgType.SOCIAL),
    ("武汉市江夏区巾帼志愿者协会", OrgType.SOCIAL),
    ("江夏农商银行纸坊支行", OrgType.ENTERPRISE),
    ("湖北龙泉建设工程有限公司", OrgType.ENTERPRISE),
    ("江夏区青少年活动中心", OrgType.INSTITUTION),
    ("纸坊幼儿园", OrgType.SCHOOL),
]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class DemoResult:
    loaded: bool
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    accounts: list = field(default_factory=list)


ACCOUNTS = [
    # username, role, scope code (None = everything; "grid:N" = Nth grid of the first community), name, department
    ("admin", Role.SYSADMIN, None, "系统管理员", ""),
    ("district", Role.DISTRICT, DISTRICT, "区网格办 刘建华", ""),
    ("street", Role.STREET, STREET, "纸坊街道 陈晓燕", ""),
    ("lead_ningan", Role.COMMUNITY_LEAD, "420115001001", "宁安社区书记 王秀英", ""),
    ("worker_ningan", Role.COMMUNITY_WORKER, "420115001001", "宁安社区 张敏", ""),
    ("worker_guoling", Role.COMMUNITY_WORKER, "420115001002", "郭岭社区 李娜", ""),
    ("grid_ningan", Role.GRID_WORKER, "grid:1", "宁安第一网格 赵强", ""),
    ("dept_minzheng", Role.DEPARTMENT, DISTRICT, "区民政局 周婷", "江夏区民政局"),
    # The street's admission review group sits with the street manager (its chair).
    ("dept_dangjian", Role.DEPARTMENT, STREET, "街道党建办 李卫东", "纸坊街道党建办"),
    ("dept_shequ", Role.DEPARTMENT, STREET, "街道社区建设办 何静", "纸坊街道社区建设办"),
    ("resident_demo", Role.RESIDENT, "420115001001", "居民 孙丽", ""),
    # Charged with the specialised ledgers (shequ/ledgers/demo.py gives them their duties): only
    # they, not every street manager or community worker, see relief, mediation and correction.
    ("street_minzheng", Role.STREET, STREET, "纸坊街道民政专干 胡丽", ""),
    ("street_sifa", Role.STREET, STREET, "纸坊街道司法所 邓军", ""),
    ("mediator_ningan", Role.COMMUNITY_WORKER, "420115001001", "宁安社区人民调解员 徐静", ""),
]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _mobile(rng) -> str:
    return (
        rng.choice(["13", "15", "17", "18", "19"])
        + str(rng.randint(0, 9))
        + f"{rng.randint(0, 99999999):08d}"
    )


def seeded_assignment(rng, post: str, *, grid_id: int, scope_code: str, start, **extra) -> Assignment:
    """An unsaved appointment with a plausible name and mobile number (for bulk seeding)."""
    return Assignment(
        grid_id=grid_id,
        post=post,
        person_name=_name(rng),
        phone=_mobile(rng),
        start_date=start,
        scope_code=scope_code,
        **extra,
    )


def _uscc(rng, region: str = DISTRICT) -> str:
    body = "91" + region + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_mod.calc_check_digit(body)


def _lattice(rng, lat0, lng0):
    """Jittered lattice points; grids are the cells, so neighbours share edges and never overlap."""
    pts = {}
    dlat, dlng = COMMUNITY_SPAN_LAT / GRID_ROWS, COMMUNITY_SPAN_LNG / GRID_COLS
    top, left = lat0 + COMMUNITY_SPAN_LAT / 2, lng0 - COMMUNITY_SPAN_LNG / 2
    for r in range(GRID_ROWS + 1):
        for c in range(GRID_COLS + 1):
            inner = 0 < r < GRID_ROWS and 0 < c < GRID_COLS
            jl, jg = (rng.uniform(-0.25, 0.25) * dlat, rng.uniform(-0.25, 0.25) * dlng) if inner else (0, 0)
            pts[r, c] = (round(left + c * dlng + jg, 6), round(top - r * dlat + jl, 6))
    return pts


def _cell(pts, r, c):
    ring = [pts[r, c], pts[r, c + 1], pts[r + 1, c + 1], pts[r + 1, c], pts[r, c]]
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


# Demo accounts carry this e-mail domain (RFC 2606 reserves .invalid): the loader and --reset touch
# only accounts that carry it, never an operator's account that happens to have the same name.
DEMO_EMAIL_DOMAIN = "demo.invalid"


class DemoConflict(Exception):
    """An account the demo would create already exists and is not a demo account."""

    def __init__(self, usernames: list[str]):
        self.usernames = usernames
        super().__init__(
            f"已有同名的账号 {'、'.join(usernames)}，且不是演示账号：演示数据不会覆盖或删除它。"
            "请在另一个数据目录（SHEQU_DATA_DIR）或另一个数据库中载入演示数据。"
        )


def _is_demo_account(user) -> bool:
    # Accounts made before demo accounts were marked are recognised by the published demo password.
    return user.email.endswith("@" + DEMO_EMAIL_DOMAIN) or user.check_password(DEMO_PASSWORD)


def check_accounts() -> None:
    """Refuse, before anything is written, when an operator's account has a demo account's name."""
    taken = User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).order_by("username")
    foreign = [u.username for u in taken if not _is_demo_account(u)]
    if foreign:
        raise DemoConflict(foreign)


def is_loaded() -> bool:
    return (
        User.objects.filter(username="admin", email__endswith="@" + DEMO_EMAIL_DOMAIN).exists()
        or any(_is_demo_account(u) for u in User.objects.filter(username="admin"))
    ) and Grid.objects.filter(code__startswith=STREET).exists()


def reset() -> None:
    check_accounts()
    with transaction.atomic():
        codes = [c[0] for c in COMMUNITIES]
        # The resident registry points at the houses (PROTECT): it goes first.
        from shequ.cases import demo as cases_demo
        from shequ.duties import demo as duties_demo
        from shequ.facilities import demo as facilities_demo
        from shequ.finance import demo as finance_demo
        from shequ.ledgers import demo as ledgers_demo
        from shequ.participation import demo as participation_demo
        from shequ.people import demo as people_demo
        from shequ.services import demo as services_demo

        ledgers_demo.reset()  # relief cases, parties and correction point at residents (PROTECT)
        services_demo.reset()  # service records point at residents (PROTECT), the catalogue at premises
        from shequ.teams import demo as teams_demo
        from shequ.workforce import demo as workforce_demo

        teams_demo.reset()  # members, volunteers and check-ins point at residents
        from shequ.archives import demo as archives_demo
        from shequ.assessment import demo as assessment_demo

        assessment_demo.reset()  # entries and profiles point at the communities
        archives_demo.reset()  # items point at cases, letters and minutes by id, and at the org units
        from shequ.reportforms import demo as reportforms_demo

        reportforms_demo.reset()  # forms point at the org units (PROTECT)
        finance_demo.reset()  # funds point at the communities and at duties' commitments
        facilities_demo.reset()  # premises point at the communities and resident organisations (PROTECT)
        participation_demo.reset()  # supporters and attendance point at residents
        workforce_demo.reset()  # workers point at the communities (PROTECT)
        duties_demo.reset()  # certificates, requests and review members point at residents and accounts
        cases_demo.reset(codes)  # cases point at the grids (PROTECT)
        people_demo.reset(codes)
        Membership.objects.filter(user__username__in=[a[0] for a in ACCOUNTS]).delete()
        User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).delete()
        for model in (Assignment, ResidentOrganization, House, BuildingUnit, Building, Grid):
            q = model.objects.none()
            for code in codes:
                q = q | model.objects.filter(scope_code__startswith=code)
            q.delete()


def load(seed: int = 20261121, reset: bool = False, echo=print) -> DemoResult:
    """Load the demo once; with reset=True, drop the demo rows first."""
    check_accounts()
    if reset:
        globals()["reset"]()
    if is_loaded():
        echo("演示数据已存在，跳过载入（如需重来，使用 --reset）。")
        _load_people(seed, echo)
        _load_cases(seed, echo)
        _load_duties(seed, echo)
        _load_workforce(seed, echo)
        _load_facilities(seed, echo)
        _load_participation(seed, echo)
        _load_ledgers(seed, echo)
        _load_services(seed, echo)
        _load_teams(seed, echo)
        _load_finance(seed, echo)
        _load_archives(seed, echo)
        _load_reportforms(seed, echo)
        _load_assessment(seed, echo)
        return DemoResult(loaded=False, accounts=_account_rows())
    t0 = time.perf_counter()
    rng = random.Random(seed)
    import_divisions(None, DISTRICT)
    today = timezone.localdate()
    counts = {"grids": 0, "buildings": 0, "units": 0, "houses": 0, "assignments": 0, "resident_orgs": 0}
    labels = {
        "grids": "网格",
        "buildings": "楼栋",
        "units": "单元",
        "houses": "房屋",
        "assignments": "责任人",
        "resident_orgs": "驻区单位",
    }
    first_grid_codes = []
    with transaction.atomic():
        for ci, (code, lat0, lng0, compounds) in enumerate(COMMUNITIES):
            community = OrgUnit.objects.get(code=code)
            OrgUnit.objects.filter(pk=community.pk).update(center_lat=lat0, center_lng=lng0)
            pts = _lattice(rng, lat0, lng0)
            grids = []
            seq = 0
            for r in range(GRID_ROWS):
                for c in range(GRID_COLS):
                    seq += 1
                    gtype = (
                        GridType.INSTITUTION
                        if seq == 6
                        else (GridType.BUILDING if seq == 5 else GridType.AREA)
                    )
                    g = Grid(
                        community=community,
                        code=f"{code}{seq:03d}",
                        name=f"{community.display_name}第{'一二三四五六七八九'[seq - 1]}网格",
                        grid_type=gtype,
                        boundary=to_geojson(parse_polygon(_cell(pts, r, c))),
                        scope_code=f"{code}{seq:03d}",
                    )
                    g.derive_geometry()
                    grids.append(g)
            Grid.objects.bulk_create(grids)
            grids = list(Grid.objects.filter(community=community).order_by("code"))
            if ci == 0:
                first_grid_codes = [g.code for g in grids]
            counts["grids"] += len(grids)

            buildings = []
            for gi, g in enumerate(grids):
                compound = compounds[gi % len(compounds)]
                for n in range(1, rng.randint(6, 11) + 1):
                    lat = g.center_lat + rng.uniform(-0.0012, 0.0012)
                    lng = g.center_lng + rng.uniform(-0.0012, 0.0012)
                    number = f"{n + gi * 20}栋"
                    buildings.append(
                        Building(
                            grid=g,
                            compound=compound,
                            number=number,
                            floors=rng.choice([6, 6, 7, 11, 18, 26, 33]),
                            lat=lat,
                            lng=lng,
                            address=f"{compound}{number}",
                            scope_code=g.code,
                        )
                    )
            Building.objects.bulk_create(buildings)
            buildings = list(Building.objects.filter(grid__community=community).order_by("pk"))
            counts["buildings"] += len(buildings)

            units = []
            for b in buildings:
                for u in range(1, (1 if b.floors <= 7 and rng.random() < 0.3 else rng.randint(2, 4)) + 1):
                    units.append(
                        BuildingUnit(
                            building=b,
                            number=f"{u}单元",
                            address=f"{b.address}{u}单元",
                            scope_code=b.scope_code,
                        )
                    )
            BuildingUnit.objects.bulk_create(units, batch_size=1000)
            units = list(
                BuildingUnit.objects.filter(building__grid__community=community).select_related("building")
            )
            counts["units"] += len(units)

            houses = []
            for u in units:
                per_floor = 2 if u.building.floors > 11 else rng.choice([2, 2, 3])
                for fl in range(1, u.building.floors + 1):
                    for k in range(1, per_floor + 1):
                        num = f"{fl}{k:02d}"
                        houses.append(
                            House(
                                unit=u,
                                number=num,
                                floor=fl,
                                area_m2=rng.choice([68, 89, 96, 112, 128, 143]),
                                address=f"{u.address}{num}室",
                                scope_code=u.scope_code,
                            )
                        )
            House.objects.bulk_create(houses, batch_size=2000)
            counts["houses"] += len(houses)

            assignments = []
            start = today.replace(year=today.year - rng.randint(1, 4))
            for gi, g in enumerate(grids):
                assignments.append(
                    seeded_assignment(rng, Post.GRID_LEAD, grid_id=g.pk, scope_code=g.code, start=start)
                )
                # One grid in each community still waits for a full-time grid worker.
                if gi != len(grids) - 1 or ci % 2:
                    assignments.append(
                        seeded_assignment(rng, Post.FULL_TIME, grid_id=g.pk, scope_code=g.code, start=start)
                    )
                for _ in range(rng.randint(0, 2)):
                    assignments.append(
                        seeded_assignment(rng, Post.PART_TIME, grid_id=g.pk, scope_code=g.code, start=start)
                    )
            by_building = {}
            for u in units:
                by_building.setdefault(u.building_id, []).append(u)
            for b in buildings:
                if rng.random() < 0.86:
                    assignments.append(
                        seeded_assignment(
                            rng,
                            Post.BUILDING_LEAD,
                            grid_id=b.grid_id,
                            scope_code=b.scope_code,
                            start=start,
                            building=b,
                        )
                    )
                for u in by_building.get(b.pk, []):
                    if rng.random() < 0.35:
                        assignments.append(
                            seeded_assignment(
                                rng,
                                Post.UNIT_LEAD,
                                grid_id=b.grid_id,
                                scope_code=b.scope_code,
                                start=start,
                                building=b,
                                unit=u,
                            )
                        )
            Assignment.objects.bulk_create(assignments, batch_size=1000)
            counts["assignments"] += len(assignments)

            orgs = []
            for name, otype in rng.sample(ORG_NAMES, 5):
                g = rng.choice(grids)
                orgs.append(
                    ResidentOrganization(
                        community=community,
                        grid=g,
                        name=f"{name}" if ci == 0 else f"{name}（{community.display_name}）",
                        uscc=_uscc(rng),
                        org_type=otype,
                        address=f"江夏区纸坊街{rng.choice(compounds)}附近",
                        contact_name=_name(rng),
                        contact_phone=_mobile(rng),
                        employees=rng.randint(8, 600),
                        scope_code=g.code,
                    )
                )
            ResidentOrganization.objects.bulk_create(orgs)
            counts["resident_orgs"] += len(orgs)

        accounts = []
        for username, role, scope_code, display, dept in ACCOUNTS:
            user = User(username=username, display_name=display, email=f"{username}@{DEMO_EMAIL_DOMAIN}")
            user.set_password(DEMO_PASSWORD)
            if username in DEMO_TOTP:
                user.totp_secret = DEMO_TOTP[username]
                user.totp_confirmed_at = timezone.now()
            user.save()
            grid = org = None
            if scope_code and scope_code.startswith("grid:"):
                grid = Grid.objects.get(code=first_grid_codes[int(scope_code[5:]) - 1])
                org = grid.community
            elif scope_code:
                org = OrgUnit.objects.get(code=scope_code)
            Membership.objects.create(user=user, role=role, org=org, grid=grid, department=dept)
            accounts.append(username)
        changelog.record(
            None,
            Action.IMPORT,
            None,
            scope_code=STREET,
            note="载入演示数据：" + "，".join(f"{labels[k]} {v}" for k, v in counts.items()),
        )
    seconds = time.perf_counter() - t0
    echo(
        f"演示数据载入完成，用时 {seconds:.1f} 秒："
        + "，".join(f"{labels[k]} {v}" for k, v in counts.items())
    )
    _load_people(seed, echo)
    _load_cases(seed, echo)
    _load_duties(seed, echo)
    _load_workforce(seed, echo)
    _load_facilities(seed, echo)
    _load_participation(seed, echo)
    _load_ledgers(seed, echo)
    _load_services(seed, echo)
    _load_teams(seed, echo)
    _load_finance(seed, echo)
    _load_archives(seed, echo)
    _load_reportforms(seed, echo)
    _load_assessment(seed, echo)
    return DemoResult(loaded=True, seconds=seconds, counts=counts, accounts=_account_rows())


def _load_people(seed, echo) -> None:
    """The resident registry of the same communities, in the houses just built (once)."""
    from shequ.people import demo as people_demo

    if not people_demo.is_loaded():
        people_demo.load(seed=seed, echo=echo)


def _load_cases(seed, echo) -> None:
    """Requests and cases of the same communities, some waiting on the demo accounts (once)."""
    from shequ.cases import demo as cases_demo

    if not cases_demo.is_loaded():
        cases_demo.load(seed=seed, echo=echo)


def _load_duties(seed, echo) -> None:
    """The duty lists, the street's review group, requests in every state, tasks, refusals,
    certificates and an appraisal round (once)."""
    from shequ.duties import demo as duties_demo

    if not duties_demo.is_loaded():
        duties_demo.load(seed=seed, echo=echo)


def _load_workforce(seed, echo) -> None:
    """The four communities' workforce with twenty years of history and their population (once)."""
    from shequ.workforce import demo as workforce_demo

    if not workforce_demo.is_loaded():
        workforce_demo.load(seed=seed, echo=echo)


def _load_facilities(seed, echo) -> None:
    """Premises of every tenure against the standards, the plan, handovers, a year of bookings (once)."""
    from shequ.facilities import demo as facilities_demo

    if not facilities_demo.is_loaded():
        facilities_demo.load(seed=seed, echo=echo)


def _load_ledgers(seed, echo) -> None:
    """Relief, mediation and correction ledgers, and the duties of the accounts that keep them (once)."""
    from shequ.ledgers import demo as ledgers_demo

    if not ledgers_demo.is_loaded():
        ledgers_demo.load(seed=seed, echo=echo)
    ledgers_demo.grant_duties()


def _load_participation(seed, echo) -> None:
    """A year of meetings, issues and resolutions with their follow-up in the four communities (once)."""
    from shequ.participation import demo as participation_demo

    if not participation_demo.is_loaded():
        participation_demo.load(seed=seed, echo=echo)


def _load_services(seed, echo) -> None:
    """The street's and communities' service catalogues, centres with windows, outlets, a year of records (once)."""
    from shequ.services import demo as services_demo

    if not services_demo.is_loaded():
        services_demo.load(seed=seed, echo=echo)


def _load_teams(seed, echo) -> None:
    """A year of teams, talent, volunteers and activities with attendance and hours (once)."""
    from shequ.teams import demo as teams_demo

    if not teams_demo.is_loaded():
        teams_demo.load(seed=seed, echo=echo)


def _load_finance(seed, echo) -> None:
    """Two years of the district's budgets, arrivals, task money and spending with receipts (once)."""
    from shequ.finance import demo as finance_demo

    if not finance_demo.is_loaded():
        finance_demo.load(seed=seed, echo=echo)


def _load_archives(seed, echo) -> None:
    """Each community's fonds with three years of filed items, lending and a disposal round (once);
    the archive duty of the demo keepers is given on every load (the ledgers' duties are re-set)."""
    from shequ.archives import demo as archives_demo

    if not archives_demo.is_loaded():
        archives_demo.load(seed=seed, echo=echo)
    archives_demo.grant()


def _load_reportforms(seed, echo) -> None:
    """The street's register of forms and ledgers, an uploaded monthly form bound to indicators, and
    forms filled for a community and the street (once)."""
    from shequ.reportforms import demo as reportforms_demo

    if not reportforms_demo.is_loaded():
        reportforms_demo.load(seed=seed, echo=echo)


def _load_assessment(seed, echo) -> None:
    """A unified assessment of the demo street's communities and a 示范社区 creation round (once)."""
    from shequ.assessment import demo as assessment_demo

    if not assessment_demo.is_loaded():
        assessment_demo.load(seed=seed, echo=echo)


def _account_rows():
    rows = []
    for username, role, *_rest in ACCOUNTS:
        m = Membership.objects.filter(user__username=username).select_related("org", "grid").first()
        rows.append(
            {
                "username": username,
                "role": Role(role).label,
                "scope": m.scope_name if m else "",
                "totp": DEMO_TOTP.get(username, ""),
                "duties": _duty_labels(m),
            }
        )
    return rows


def _duty_labels(m) -> str:
    from shequ.core.roles import duties

    known = duties()
    return "、".join(str(known[d][1]) for d in (m.duties if m else []) if d in known)


def print_accounts(result: DemoResult, echo=print) -> None:
    echo(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
    for r in result.accounts:
        extra = f"  动态口令密钥 {r['totp']}" if r["totp"] else ""
        if r.get("duties"):
            extra += f"  专项职责：{r['duties']}"
        echo(f"  {r['username']:<15} {r['role']:<8} {r['scope']}{extra}")
    echo("管理员类账号登录后需输入动态口令：把上面的密钥添加到任一 TOTP 认证器即可。\n")
