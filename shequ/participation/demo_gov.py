"""Demo self-government of the demo communities: a 居民公约 with two versions (the second, adopted
at this year's 居民代表大会, in force) and a 居民代表大会制度; 楼栋长 for most buildings and 居民代表
for most households, each a resident of the registry; the 2024 换届选举 (第十二届) with its roll,
candidates, count and those elected; a 片区居民自治委员会, two 楼院自治管理小组 formed by vote, 业委会
in some 小区 and a 小区党组织; a property company per 小区 with its contract (one expired); and the
grid's extended network (党小组长, 片长, 党员户, 文明户). Written in bulk, consistent with the rules
the services keep."""

import datetime as dt

from django.db.models import Max, Min

from shequ.core.scope import subtree_q
from shequ.org.models import Assignment, Building, Grid, OrgType, OrgUnit, Post, ResidentOrganization
from shequ.participation.models import (
    Candidate,
    Charter,
    CharterVersion,
    Election,
    Group,
    GroupMember,
    Meeting,
    PropertyContract,
    Representative,
    Voter,
)

STREET = "420115001"
ELECTION_DAY = dt.date(2024, 6, 15)
NETWORK_POSTS = (Post.PARTY_GROUP_LEAD, Post.AREA_LEAD, Post.PARTY_HOUSEHOLD, Post.CIVIL_HOUSEHOLD)
COVENANT_V1 = """一、热爱祖国，遵纪守法，维护社区安定。
二、爱护公共环境，不乱扔垃圾，按时分类投放。
三、邻里和睦，互帮互助，关爱老人和儿童。
四、文明养犬，及时清理犬只粪便。"""
COVENANT_V2 = (
    COVENANT_V1
    + """
五、车辆有序停放，不占用消防通道和盲道。
六、电动车不进楼道、不在楼道内充电。
七、积极参加居民议事，共商社区事务。"""
)
RULE_TEXT = """第一条 居民代表大会由本社区居民代表组成，每年至少召开两次。
第二条 居民代表大会须有三分之二以上的居民代表出席方可举行，决定须经出席人数过半数通过。
第三条 居民代表每人联系十至十五户居民，及时反映居民意见。"""


def reset() -> None:
    """Delete the demo self-government (before the residents it points at go)."""
    q = subtree_q("scope_code", STREET)
    GroupMember.objects.filter(subtree_q("group__scope_code", STREET)).delete()
    Group.objects.filter(q).delete()
    Representative.objects.filter(q).delete()
    Voter.objects.filter(subtree_q("election__scope_code", STREET)).delete()
    Candidate.objects.filter(subtree_q("election__scope_code", STREET)).delete()
    Election.objects.filter(q).delete()
    CharterVersion.objects.filter(q).delete()
    Charter.objects.filter(q).delete()
    companies = list(PropertyContract.objects.filter(q).values_list("company_id", flat=True))
    PropertyContract.objects.filter(q).delete()
    ResidentOrganization.objects.filter(pk__in=companies).delete()
    Assignment.objects.filter(q, post__in=NETWORK_POSTS).delete()


def _charters(unit, rng, today, counts) -> None:
    covenant = Charter.objects.create(community=unit, kind="covenant", title="居民公约", scope_code=unit.code)
    rule = Charter.objects.create(community=unit, kind="rule", title="居民代表大会制度", scope_code=unit.code)
    meetings = Meeting.objects.filter(community=unit, held=True).select_related("kind").order_by("starts_at")
    m = next((x for x in meetings if x.kind.name == "居民代表大会"), None) or meetings.first()
    if m is None:
        return
    present = m.attendance.count()
    against, abstain = min(2, present // 10), min(1, present // 10)
    votes_for = present - against - abstain
    adopted = m.kind.adopted(votes_for, present)
    start2 = min(m.day + dt.timedelta(days=15), today)
    rows = [
        CharterVersion(charter=covenant, number=1, text=COVENANT_V1, note="首次制定", status="published",
                       present=38, votes_for=35, votes_against=2, votes_abstain=1, decided_on=dt.date(2021, 2, 20),
                       in_force_from=dt.date(2021, 3, 1), in_force_until=start2 - dt.timedelta(days=1),
                       published_on=dt.date(2021, 2, 25), scope_code=unit.code),
        CharterVersion(charter=covenant, number=2, text=COVENANT_V2, note="增加停车、电动车充电和居民议事条款",
                       status="published" if adopted else "rejected", meeting=m, present=present,
                       votes_for=votes_for, votes_against=against, votes_abstain=abstain, decided_on=m.day,
                       in_force_from=start2, published_on=m.day + dt.timedelta(days=3) if adopted else None,
                       scope_code=unit.code),
        CharterVersion(charter=rule, number=1, text=RULE_TEXT, status="published", present=36, votes_for=34,
                       votes_against=1, votes_abstain=1, decided_on=dt.date(2021, 8, 10),
                       in_force_from=dt.date(2021, 9, 1), published_on=dt.date(2021, 8, 15), scope_code=unit.code),
    ]  # fmt: skip
    CharterVersion.objects.bulk_create(rows)
    counts["charters"] += 2


def _registers(unit, rng, residents, households, adults_per_building, buildings, counts) -> None:
    by_building: dict[int, list] = {}
    for pk, _name, building, _hh in residents:
        if building:
            by_building.setdefault(building, []).append(pk)
    for building, first, last in adults_per_building:  # every building, beyond the sample above
        found = by_building.setdefault(building, [])
        found.extend(p for p in (first, last) if p not in found)
    used, reps, rep_buildings, rep_households = set(), [], [], []
    start = dt.date(2024, 7, 1)
    end = dt.date(2027, 6, 30)
    # A building nobody in the registry lives in yet (new, or not yet entered) gets a 楼栋长 from
    # the same grid, as communities do.
    by_grid: dict[int, list] = {}
    for b in buildings:
        by_grid.setdefault(b.grid_id, []).extend(by_building.get(b.pk, []))
    for b in buildings:
        building = b.pk
        people = [p for p in by_building.get(b.pk) or by_grid.get(b.grid_id, []) if p not in used]
        if people and rng.random() < 0.88:
            pk = rng.choice(people)
            used.add(pk)
            reps.append(Representative(community=unit, kind="building_lead", resident_id=pk, term_start=start,
                                       term_end=end, chosen_by=rng.choice(["nominated"] * 4 + ["appointed"]),
                                       scope_code=unit.code))  # fmt: skip
            rep_buildings.append([building])
    used = set()  # a 楼栋长 may also be a 居民代表, as is common
    hh_sorted = sorted(households, key=lambda h: (h[1] or 0, h[0]))
    for i in range(0, len(hh_sorted), 12):
        chunk = hh_sorted[i : i + 12]
        if rng.random() >= 0.86:
            continue
        pool = [p for p in by_building.get(chunk[0][1], []) if p not in used] or [
            p for p, *_r in residents if p not in used
        ]
        if not pool:
            break
        pk = rng.choice(pool)
        used.add(pk)
        reps.append(Representative(community=unit, kind="representative", resident_id=pk, term_start=start,
                                   term_end=end, chosen_by=rng.choice(["nominated", "nominated", "open"]),
                                   scope_code=unit.code))  # fmt: skip
        rep_households.append([h[0] for h in chunk])
    Representative.objects.bulk_create(reps)
    leads = [r for r in reps if r.kind == "building_lead"]
    delegates = [r for r in reps if r.kind == "representative"]
    Representative.buildings.through.objects.bulk_create(
        [Representative.buildings.through(representative_id=r.pk, building_id=b) for r, bs in zip(leads, rep_buildings, strict=True) for b in bs]
    )  # fmt: skip
    Representative.households.through.objects.bulk_create(
        [Representative.households.through(representative_id=r.pk, household_id=h) for r, hs in zip(delegates, rep_households, strict=True) for h in hs],
        batch_size=1000,
    )  # fmt: skip
    counts["building_leads"] += len(leads)
    counts["representatives"] += len(delegates)


def _election(unit, rng, residents, counts) -> None:
    from shequ.participation.services.elections import eligible_voters

    voters = list(eligible_voters(unit.code, "either", ELECTION_DAY).values_list("pk", flat=True))
    if len(voters) < 20:
        return
    ballots = round(len(voters) * rng.uniform(0.78, 0.93))
    e = Election.objects.create(community=unit, term=12, method="direct", voter_rule="either", held_on=ELECTION_DAY,
                                registered_voters=len(voters), voters_snapshot=True, ballots_cast=ballots,
                                status="declared", scope_code=unit.code)  # fmt: skip
    Voter.objects.bulk_create([Voter(election=e, resident_id=pk) for pk in voters], batch_size=2000)
    people = rng.sample(voters, 7)
    offices = ["director", "deputy_director", "member", "member", "member", "", ""]
    cands = []
    for i, (pk, office) in enumerate(zip(people, offices, strict=True)):
        share = rng.uniform(0.80, 0.95) if office else rng.uniform(0.25, 0.45)
        cands.append(Candidate(election=e, resident_id=pk, votes=int(ballots * share) - i, elected=bool(office),
                               office=office))  # fmt: skip
    Candidate.objects.bulk_create(cands)
    counts["elections"] += 1


def _groups(unit, rng, residents, buildings, counts) -> list[str]:
    compounds = sorted({b.compound for b in buildings if b.compound})
    grids = sorted({b.grid_id for b in buildings})
    pool = [pk for pk, *_r in residents]
    start = dt.date(2024, 7, 1)
    end = dt.date(2027, 6, 30)
    specs = [
        (
            "area_committee",
            f"{unit.display_name}第一片区居民自治委员会",
            "",
            [b for b in buildings if b.grid_id in grids[:3]],
            None,
        )
    ]
    for i, compound in enumerate(compounds[:2]):
        in_compound = [b for b in buildings if b.compound == compound][:4]
        present = rng.randint(40, 70)
        vote = (start - dt.timedelta(days=20), present, present - rng.randint(3, 8), 2, 1)
        specs.append(("courtyard_group", f"{compound}{'一二'[i]}号院自治管理小组", "", in_compound, vote))
    for compound in compounds[: max(1, len(compounds) - 1)]:
        specs.append(
            (
                "owners_committee",
                f"{compound}业主委员会",
                compound,
                [b for b in buildings if b.compound == compound],
                None,
            )
        )
    if compounds:
        specs.append(
            (
                "party_branch",
                f"{compounds[0]}党支部",
                compounds[0],
                [b for b in buildings if b.compound == compounds[0]],
                None,
            )
        )
    groups = []
    for kind, name, compound, _bs, vote in specs:
        extra = {}
        if vote:
            on, present, f, a, ab = vote
            extra = {
                "vote_on": on,
                "vote_present": present,
                "vote_for": f,
                "vote_against": a,
                "vote_abstain": ab,
            }
        groups.append(Group(community=unit, kind=kind, name=name, compound=compound, term_start=start, term_end=end,
                            scope_code=unit.code, **extra))  # fmt: skip
    Group.objects.bulk_create(groups)
    Group.buildings.through.objects.bulk_create(
        [Group.buildings.through(group_id=g.pk, building_id=b.pk) for g, spec in zip(groups, specs, strict=True) for b in spec[3]]
    )  # fmt: skip
    members = []
    for g in groups:
        for j, pk in enumerate(rng.sample(pool, min(len(pool), rng.randint(3, 6)))):
            members.append(GroupMember(group=g, resident_id=pk, role="组长" if j == 0 else "成员"))
    GroupMember.objects.bulk_create(members)
    counts["groups"] += len(groups)
    return compounds


MAX_COMPANIES = 4


def _property(unit, rng, compounds, ci, counts) -> None:
    # A company usually manages several 小区: at most four companies per community, each taking every
    # fourth 小区 (which also keeps a rating round's questions within the survey engine's limit).
    orgs = [
        ResidentOrganization(community=unit, name=f"武汉{c}物业服务有限公司", org_type=OrgType.PROPERTY,
                             address=f"江夏区纸坊街{c}", scope_code=unit.code)
        for c in compounds[:MAX_COMPANIES]
    ]  # fmt: skip
    ResidentOrganization.objects.bulk_create(orgs)
    contracts = []
    for i, c in enumerate(compounds):
        org = orgs[i % len(orgs)]
        # One 小区 of the last community is between contracts: the 四位一体 page shows it missing.
        expired = ci == 3 and i == len(compounds) - 1
        start = dt.date(2023 + i % 2, 1 + 6 * (i % 2), 1)
        end = (
            dt.date(2025, 6, 30)
            if expired
            else dt.date(start.year + 5, start.month, 1) - dt.timedelta(days=1)
        )
        contracts.append(PropertyContract(community=unit, company=org, compound=c, start=start, end=end,
                                          scope_code=unit.code))  # fmt: skip
    PropertyContract.objects.bulk_create(contracts)
    counts["property_contracts"] += len(contracts)


def _network(unit, rng, residents_by_house, counts) -> None:
    from shequ.org.demo import seeded_assignment

    start = dt.date(2024, 7, 1)
    rows = []
    grids = list(Grid.objects.filter(community=unit).order_by("code"))
    for gi, g in enumerate(grids):
        if gi < len(grids) - 1:
            rows.append(
                seeded_assignment(rng, Post.PARTY_GROUP_LEAD, grid_id=g.pk, scope_code=g.code, start=start)
            )
        rows.append(seeded_assignment(rng, Post.AREA_LEAD, grid_id=g.pk, scope_code=g.code, start=start))
        houses = [h for h in residents_by_house.get(g.code, [])]
        rng.shuffle(houses)
        for post, picked in (
            (Post.PARTY_HOUSEHOLD, [h for h in houses if h[2]][:4]),
            (Post.CIVIL_HOUSEHOLD, houses[:3]),
        ):
            for house_id, name, _party in picked:
                a = seeded_assignment(
                    rng, post, grid_id=g.pk, scope_code=g.code, start=start, house_id=house_id
                )
                a.person_name = name
                rows.append(a)
    Assignment.objects.bulk_create(rows)
    counts["network"] += len(rows)


def load(rng, today, echo=print) -> dict:
    """Write the demo self-government of each demo community that has residents."""
    from shequ.participation.demo import COMMUNITIES
    from shequ.people.choices import PARTY, Status
    from shequ.people.models import Household, Resident, years_ago

    counts = dict.fromkeys(
        (
            "charters",
            "building_leads",
            "representatives",
            "elections",
            "groups",
            "property_contracts",
            "network",
        ),
        0,
    )
    for ci, code in enumerate(COMMUNITIES):
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            continue
        adults = Resident.objects.filter(subtree_q("scope_code", code), status=Status.ACTIVE,
                                         birth_date__lte=years_ago(18, today))  # fmt: skip
        residents = list(adults.values_list("pk", "name", "house__unit__building_id", "household_id")[:5000])
        if len(residents) < 60:
            continue
        households = list(
            Household.objects.filter(community=unit).values_list("pk", "house__unit__building_id")
        )
        buildings = list(Building.objects.filter(subtree_q("scope_code", code)).order_by("pk"))
        # One backbone household per house: the earliest-registered adult names it.
        first = adults.exclude(house=None).values("house_id").annotate(first=Min("pk"))
        firsts = {r["first"] for r in first}
        by_house: dict[str, list] = {}
        for _pk, name, house, scope, party in adults.filter(pk__in=firsts).values_list(
            "pk", "name", "house_id", "scope_code", "political_status"
        ):
            by_house.setdefault(scope, []).append((house, name, party in PARTY))
        _charters(unit, rng, today, counts)
        per_building = list(
            adults.exclude(house=None)
            .order_by()
            .values("house__unit__building_id")
            .annotate(first=Min("pk"), last=Max("pk"))
            .values_list("house__unit__building_id", "first", "last")
        )
        _registers(unit, rng, residents, households, per_building, buildings, counts)
        _election(unit, rng, residents, counts)
        compounds = _groups(unit, rng, residents, buildings, counts)
        _property(unit, rng, compounds, ci, counts)
        _network(unit, rng, by_house, counts)
    echo(
        "居民自治演示数据：公约章程 {charters} 部，楼栋长 {building_leads} 名，居民代表 {representatives} 名，"
        "换届选举 {elections} 次，自治组织 {groups} 个，物业服务合同 {property_contracts} 份，"
        "网格延伸网络 {network} 人（户）。".format(**counts)
    )
    return counts
