"""Self-government: charters and their versions (draft, discussion, vote, publication, the version
in force on a date), the register of 居民代表 and 楼栋长, self-governing groups and members,
property companies and contracts, the 四位一体 of each 小区, the coverage figures, and 换届选举
(voters, candidates, the count and those elected)."""

from datetime import date
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import scope
from shequ.core.api import PUBLIC, Day, ErrorOut, Id, Pagination
from shequ.core.errors import Forbidden, NotFound
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.participation import governance, services
from shequ.participation.models import (
    VIEW,
    Charter,
    Election,
    Group,
    PropertyContract,
    Representative,
    current_q,
)

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- charters --------------------------------------------------------------------------------------
class CharterVersionOut(Schema):
    id: int
    charter: int
    number: int
    status: str
    text: str
    note: str
    meeting: int | None
    present: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    decided_on: date | None
    in_force_from: date
    in_force_until: date | None
    published_on: date | None

    @staticmethod
    def resolve_charter(obj):
        return obj.charter_id

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting_id


class CharterOut(Schema):
    id: int
    community: str
    kind: str
    title: str
    versions: list[CharterVersionOut]

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_versions(obj):
        return list(obj.versions.order_by("-number"))


class CharterIn(Schema):
    community: str = Field(max_length=12, description="社区代码（12 位）")
    kind: str = Field(max_length=16, description="covenant 居民公约、statute 自治章程、rule 议事规则与制度")
    title: str = Field(max_length=60)


class CharterVersionIn(Schema):
    text: str = Field(max_length=20000)
    note: str = Field("", max_length=300)
    in_force_from: Day
    in_force_until: Day | None = None


class CharterDiscussIn(Schema):
    meeting: Id = Field(description="本社区的会议 id")


class CharterVoteIn(Schema):
    votes_for: int = Field(ge=0, le=100000)
    votes_against: int = Field(ge=0, le=100000)
    votes_abstain: int = Field(ge=0, le=100000)


@router.get("/charters", response={200: list[CharterOut], 403: ErrorOut}, summary="公约章程")
@paginate(Pagination)
def list_charters(request):
    return Charter.objects.visible_to(request.user).select_related("community")


@router.get("/charters/in-force", response={200: CharterVersionOut | None, 400: ErrorOut, 404: ErrorOut},
            summary="某日施行的版本（公开）", auth=PUBLIC)  # fmt: skip
def charter_in_force(request, community: str = Query(..., max_length=12), kind: str = Query(..., max_length=16),
                     on: Day | None = Query(None), title: str | None = Query(None, max_length=60)):  # fmt: skip
    if not OrgUnit.objects.filter(code=community, level=Level.COMMUNITY).exists():
        raise NotFound()
    return services.in_force(community, kind, on, title)


@router.get(
    "/charters/{int:charter_id}", response={200: CharterOut, 404: ErrorOut}, summary="公约章程及其版本"
)
def get_charter(request, charter_id: Id):
    return get_visible(Charter, request.user, charter_id)


@router.post("/charters", response={201: CharterOut, **ERRORS}, summary="新建公约章程")
def create_charter(request, payload: CharterIn):
    d = payload.dict()
    return Status(201, services.create_charter(request.user, d.pop("community"), **d))


@router.post("/charters/{int:charter_id}/versions", response={201: CharterVersionOut, **ERRORS},
             summary="起草新版本（施行期间不得与已公布版本重叠）")  # fmt: skip
def draft_version(request, charter_id: Id, payload: CharterVersionIn):
    return Status(201, services.draft_version(request.user, charter_id, **payload.dict()))


@router.post("/charter-versions/{int:version_id}/discuss", response={200: CharterVersionOut, **ERRORS},
             summary="提交会议讨论")  # fmt: skip
def discuss_version(request, version_id: Id, payload: CharterDiscussIn):
    return services.discuss_version(request.user, version_id, meeting=payload.meeting)


@router.post("/charter-versions/{int:version_id}/vote", response={200: CharterVersionOut, **ERRORS},
             summary="表决（按会议类型的法定人数和通过规则，计出席人数）")  # fmt: skip
def vote_version(request, version_id: Id, payload: CharterVoteIn):
    return services.vote_version(request.user, version_id, **payload.dict())


@router.post("/charter-versions/{int:version_id}/publish", response={200: CharterVersionOut, **ERRORS},
             summary="公布施行")  # fmt: skip
def publish_version(request, version_id: Id):
    return services.publish_version(request.user, version_id)


# --- representatives and groups --------------------------------------------------------------------
class RepresentativeOut(Schema):
    id: int
    community: str
    kind: str
    resident: int
    name: str
    chosen_by: str
    term_start: date
    term_end: date | None
    households: list[int]
    buildings: list[int]

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_resident(obj):
        return obj.resident_id

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_households(obj):
        return [h.pk for h in obj.households.all()]

    @staticmethod
    def resolve_buildings(obj):
        return [b.pk for b in obj.buildings.all()]


class RepresentativeIn(Schema):
    community: str = Field(max_length=12)
    kind: str = Field(max_length=16, description="representative 居民代表、building_lead 楼栋长")
    resident: Id = Field(description="本社区在册居民 id")
    chosen_by: str = Field(max_length=16, description="nominated 推选、open 海选、appointed 任命")
    term_start: Day
    term_end: Day | None = None
    households: list[Id] = Field([], max_length=500, description="居民代表联系的住户 id")
    buildings: list[Id] = Field([], max_length=200, description="楼栋长负责的楼栋 id")


class RepresentativeEndIn(Schema):
    on: Day


class RepresentativeQuery(Schema):
    current: bool = Field(True, description="只列任期内的")
    kind: str | None = Field(None, max_length=16)


@router.get(
    "/representatives", response={200: list[RepresentativeOut], 403: ErrorOut}, summary="居民代表与楼栋长"
)
@paginate(Pagination)
def list_representatives(request, params: RepresentativeQuery = Query(...)):
    from django.utils import timezone

    qs = Representative.objects.visible_to(request.user).select_related("community", "resident")
    if params.current:
        qs = qs.filter(current_q(timezone.localdate()))
    if params.kind:
        qs = qs.filter(kind=params.kind)
    return qs.prefetch_related("households", "buildings")


@router.post("/representatives", response={201: RepresentativeOut, **ERRORS}, summary="登记居民代表或楼栋长")
def add_representative(request, payload: RepresentativeIn):
    d = payload.dict()
    return Status(201, services.add_representative(request.user, d.pop("community"), **d))


@router.post("/representatives/{int:representative_id}/end", response={200: RepresentativeOut, **ERRORS},
             summary="任期届满")  # fmt: skip
def end_representative(request, representative_id: Id, payload: RepresentativeEndIn):
    return services.end_representative(request.user, representative_id, on=payload.on)


class GroupMemberOut(Schema):
    resident: int
    name: str
    role: str

    @staticmethod
    def resolve_resident(obj):
        return obj.resident_id

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name


class GroupOut(Schema):
    id: int
    community: str
    kind: str
    name: str
    compound: str
    term_start: date
    term_end: date | None
    buildings: list[int]
    vote_on: date | None
    vote_present: int | None
    vote_for: int | None
    vote_against: int | None
    vote_abstain: int | None
    members: list[GroupMemberOut]

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_buildings(obj):
        return [b.pk for b in obj.buildings.all()]

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.select_related("resident"))


class GroupVoteIn(Schema):
    on: Day
    present: int = Field(ge=0, le=100000)
    votes_for: int = Field(ge=0, le=100000, alias="for")
    against: int = Field(ge=0, le=100000)
    abstain: int = Field(ge=0, le=100000)


class GroupIn(Schema):
    community: str = Field(max_length=12)
    kind: str = Field(max_length=24, description="area_committee、courtyard_group、building_committee、"
                      "owners_committee、property_group、party_branch")  # fmt: skip
    name: str = Field(max_length=100)
    compound: str = Field("", max_length=100, description="小区（业委会、物业管理小组、小区党组织）")
    term_start: Day
    term_end: Day | None = None
    buildings: list[Id] = Field([], max_length=500)
    vote: GroupVoteIn | None = Field(None, description="成立表决（楼院自治管理小组）")


class GroupMemberIn(Schema):
    resident: Id
    role: str = Field("成员", max_length=20)


@router.get("/groups", response={200: list[GroupOut], 403: ErrorOut}, summary="居民自治组织")
@paginate(Pagination)
def list_groups(request):
    return Group.objects.visible_to(request.user).select_related("community").prefetch_related("buildings")


@router.post("/groups", response={201: GroupOut, **ERRORS}, summary="登记居民自治组织")
def create_group(request, payload: GroupIn):
    d = payload.dict()
    vote = d.pop("vote")
    if vote is not None:
        vote = {"on": vote["on"], "present": vote["present"], "for": vote["votes_for"],
                "against": vote["against"], "abstain": vote["abstain"]}  # fmt: skip
    return Status(201, services.create_group(request.user, d.pop("community"), vote=vote, **d))


@router.post("/groups/{int:group_id}/members", response={201: GroupMemberOut, **ERRORS}, summary="增加成员")
def add_member(request, group_id: Id, payload: GroupMemberIn):
    return Status(201, services.add_group_member(request.user, group_id, **payload.dict()))


# --- property companies and 四位一体 ---------------------------------------------------------------
class PropertyCompanyIn(Schema):
    community: str = Field(max_length=12)
    name: str = Field(max_length=200)
    uscc: str = Field("", max_length=18)


class PropertyCompanyOut(Schema):
    id: int
    name: str
    community: str

    @staticmethod
    def resolve_community(obj):
        return obj.community.code


class PropertyContractIn(Schema):
    community: str = Field(max_length=12)
    company: Id = Field(description="物业服务企业（驻区单位）id")
    compound: str = Field(max_length=100)
    start: Day
    end: Day


class PropertyContractOut(Schema):
    id: int
    community: str
    company: int
    company_name: str
    compound: str
    start: date
    end: date

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_company(obj):
        return obj.company_id

    @staticmethod
    def resolve_company_name(obj):
        return obj.company.name


class FourInOneOut(Schema):
    compound: str
    party: str
    committee: str
    owners: str
    company: str
    contract_end: date | None
    missing: list[str]


@router.post("/property-companies", response={201: PropertyCompanyOut, **ERRORS}, summary="登记物业服务企业")
def add_company(request, payload: PropertyCompanyIn):
    d = payload.dict()
    return Status(201, services.add_property_company(request.user, d.pop("community"), **d))


@router.get(
    "/property-contracts", response={200: list[PropertyContractOut], 403: ErrorOut}, summary="物业服务合同"
)
@paginate(Pagination)
def list_contracts(request):
    return PropertyContract.objects.visible_to(request.user).select_related("community", "company")


@router.post("/property-contracts", response={201: PropertyContractOut, **ERRORS}, summary="登记物业服务合同")
def add_contract(request, payload: PropertyContractIn):
    d = payload.dict()
    return Status(201, services.add_property_contract(request.user, d.pop("community"), **d))


@router.get("/four-in-one", response={200: list[FourInOneOut], 403: ErrorOut, 404: ErrorOut},
            summary="四位一体（每个小区的党组织、居委会、业委会、物业服务企业）")  # fmt: skip
def get_four_in_one(request, community: str = Query(..., max_length=12)):
    if not scope.may_read(request.user, PropertyContract):
        raise Forbidden()
    unit = OrgUnit.objects.filter(code=community, level=Level.COMMUNITY).first()
    if unit is None or not scope.covers(request.user, unit.code, VIEW):
        raise NotFound()
    return governance.four_in_one(unit)


class GovCoverageOut(Schema):
    representatives: dict
    groups: dict
    network: dict
    elections: dict


@router.get("/coverage", response={200: GovCoverageOut, 403: ErrorOut, 404: ErrorOut},
            summary="楼栋长与居民代表、自治组织、网格延伸网络覆盖率和换届投票率")  # fmt: skip
def get_coverage(request, scope_code: str | None = Query(None, alias="scope", max_length=15)):
    user = request.user
    if not scope.may_read(user, Representative):
        raise Forbidden()
    if scope_code and not scope.covers(user, scope_code, VIEW):
        raise NotFound()

    def plain(d):
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in d.items()}

    elections = governance.election_turnout(user, scope_code)
    elections["communities"] = [plain(r) for r in elections["communities"]]
    return {
        "representatives": governance.representative_coverage(user, scope_code),
        "groups": governance.group_coverage(user, scope_code),
        "network": governance.network_coverage(user, scope_code),
        "elections": elections,
    }


# --- elections -------------------------------------------------------------------------------------
class ElectionCandidateOut(Schema):
    id: int
    resident: int
    name: str
    votes: int | None
    elected: bool
    office: str

    @staticmethod
    def resolve_resident(obj):
        return obj.resident_id

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name


class ElectionOut(Schema):
    id: int
    community: str
    term: int
    method: str
    voter_rule: str
    held_on: date
    registered_voters: int
    voters_snapshot: bool
    ballots_cast: int | None
    turnout: float | None = Field(description="投票率（%）")
    status: str
    candidates: list[ElectionCandidateOut]

    @staticmethod
    def resolve_community(obj):
        return obj.community.code

    @staticmethod
    def resolve_candidates(obj):
        return list(obj.candidates.select_related("resident"))


class ElectionIn(Schema):
    community: str = Field(max_length=12)
    term: int = Field(ge=1, le=99, description="届次")
    method: str = Field(max_length=16, description="direct 直选、two_one 两推一选、open 海选")
    voter_rule: str = Field(max_length=16, description="registered 户籍、living 居住、either 户籍或居住")
    held_on: Day


class CandidateIn(Schema):
    resident: Id


class CountIn(Schema):
    ballots_cast: int = Field(ge=0, le=1000000)
    votes: dict[str, Annotated[int, Field(ge=0, le=1000000)]] = Field(
        max_length=100, description="候选人 id → 得票数"
    )


class DeclareIn(Schema):
    offices: dict[str, str] = Field(
        description="当选的候选人 id → director 主任、deputy_director 副主任、member 委员"
    )


class DeclareOut(Schema):
    election: ElectionOut
    notes: list[str]


@router.get("/elections", response={200: list[ElectionOut], 403: ErrorOut}, summary="换届选举")
@paginate(Pagination)
def list_elections(request):
    return Election.objects.visible_to(request.user).select_related("community")


@router.get("/elections/{int:election_id}", response={200: ElectionOut, 404: ErrorOut}, summary="换届选举")
def get_election(request, election_id: Id):
    return get_visible(Election, request.user, election_id)


@router.post(
    "/elections", response={201: ElectionOut, **ERRORS}, summary="登记换届选举（按选民资格从台账计算选民数）"
)
def create_election(request, payload: ElectionIn):
    d = payload.dict()
    return Status(201, services.create_election(request.user, d.pop("community"), **d))


@router.post(
    "/elections/{int:election_id}/voters",
    response={200: ElectionOut, **ERRORS},
    summary="登记选民名单（快照）",
)
def register_voters(request, election_id: Id):
    return services.register_voters(request.user, election_id)


@router.post(
    "/elections/{int:election_id}/candidates",
    response={201: ElectionCandidateOut, **ERRORS},
    summary="登记候选人",
)
def add_candidate(request, election_id: Id, payload: CandidateIn):
    return Status(201, services.add_candidate(request.user, election_id, resident=payload.resident))


@router.post("/elections/{int:election_id}/count", response={200: ElectionOut, **ERRORS},
             summary="计票（投票人数不超过登记选民，得票不超过投票人数）")  # fmt: skip
def count(request, election_id: Id, payload: CountIn):
    return services.count_ballots(
        request.user, election_id, ballots_cast=payload.ballots_cast, votes=payload.votes
    )


@router.post(
    "/elections/{int:election_id}/declare", response={200: DeclareOut, **ERRORS}, summary="确认当选及职务"
)
def declare(request, election_id: Id, payload: DeclareIn):
    e, notes = services.declare_elected(request.user, election_id, offices=payload.offices)
    return {"election": e, "notes": notes}
