"""Scope cases for every page and API route of the participation module. The community's staff
(lead, workers) manage; streets and districts read; grid workers, department staff and residents
use none of the staff pages. The residents' pages (议事厅, proposal, support, 公示, meeting sign-in)
are public: they show no one's name, only totals, and act only after the registry check."""

import datetime as dt

from django.utils import timezone

from shequ.core.testing.scope import cases
from shequ.participation import services
from shequ.participation.models import IssueStatus
from tests.participation.factories import (
    adopted_resolution,
    held_meeting,
    make_issue,
    make_meeting,
    staff,
)

STAFF_A = ("community_lead", "community_worker")
API = "/api/v1/participation"
TODAY = lambda _o: timezone.localdate().isoformat()  # noqa: E731


def issue(world, side):
    return make_issue(world, side)


def meeting(world, side):
    return held_meeting(world, side)[0]


def open_meeting(world, side):
    """A meeting not yet held, with a 待上会 issue of its community to put on the agenda."""
    m = make_meeting(world, side)
    m.ready = make_issue(world, side, status=IssueStatus.READY)
    return m


def voting(world, side):
    m, i = held_meeting(world, side)
    m.issue = i
    return m


def agenda_item(world, side):
    return held_meeting(world, side)[0].agenda.get()


def resolution(world, side):
    return adopted_resolution(world, side)


def review_meeting(world, side):
    """A 民主评议会 with three present, and an earlier resolution carried out, to rate."""
    r = adopted_resolution(world, side)
    services.add_follow_up(staff(world, side), r.pk, on=timezone.localdate(), text="已清理")
    m = make_meeting(world, side, kind="民主评议会")
    services.record_attendance(staff(world, side), m.pk, names=["评议一", "评议二", "评议三"])
    m.resolution = r
    return m


def community(world, side):
    return world.community(side)


def pk(o):
    return {"pk": o.pk}


# --- pages -----------------------------------------------------------------------------------------
cases.listing("participation:issue-list", make=issue, marker=lambda i: i.title, roles=STAFF_A)
cases.page("participation:issue-list", roles=("grid_worker",), expect=403)
cases.detail("participation:issue-detail", make=issue, kwargs=pk, roles=STAFF_A)
cases.page("participation:issue-create", roles=STAFF_A)
cases.page("participation:issue-create", roles=("grid_worker",), expect=403)
cases.detail("participation:issue-accept", make=issue, kwargs=pk, roles=STAFF_A)
cases.action("participation:issue-accept", make=issue, kwargs=pk, data={"note": "社区受理"}, roles=STAFF_A)
cases.detail("participation:issue-reject", make=issue, kwargs=pk, roles=STAFF_A)
cases.action(
    "participation:issue-reject", make=issue, kwargs=pk, data={"reason": "属于个人诉求"}, roles=STAFF_A
)
cases.listing("participation:meeting-list", make=meeting, marker=lambda m: m.title, roles=STAFF_A)
cases.detail("participation:meeting-detail", make=meeting, kwargs=pk, roles=STAFF_A)
cases.detail("participation:meeting-qr", make=meeting, kwargs=pk, roles=STAFF_A)
cases.page("participation:meeting-create", roles=STAFF_A)
cases.detail("participation:agenda-add", make=open_meeting, kwargs=pk, roles=STAFF_A)
cases.action("participation:agenda-add", make=open_meeting, kwargs=pk, data=lambda m: {"issue": m.ready.pk},
             roles=STAFF_A)  # fmt: skip
cases.action("participation:agenda-remove", make=agenda_item,
             kwargs=lambda a: {"pk": a.meeting_id, "issue": a.issue_id}, roles=STAFF_A)  # fmt: skip
cases.detail("participation:attendance-add", make=meeting, kwargs=pk, roles=STAFF_A)
cases.action(
    "participation:attendance-add", make=meeting, kwargs=pk, data={"names": "新到会者"}, roles=STAFF_A
)
cases.detail("participation:minutes", make=meeting, kwargs=pk, roles=STAFF_A)
cases.action("participation:minutes", make=meeting, kwargs=pk, data={"minutes": "会议纪要"}, roles=STAFF_A)
cases.detail("participation:vote", make=voting, kwargs=pk, roles=STAFF_A)
cases.action("participation:vote", make=voting, kwargs=pk, roles=STAFF_A, data=lambda m: {
    "issue": m.issue.pk, "text": "清理楼道", "votes_for": 3, "votes_against": 0, "votes_abstain": 0,
    "owner_unit": "物业公司", "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat()})  # fmt: skip
cases.detail("participation:review", make=review_meeting, kwargs=pk, roles=STAFF_A)
cases.action("participation:review", make=review_meeting, kwargs=pk, roles=STAFF_A,
             data=lambda m: {"resolution": m.resolution.pk, "satisfied": 2, "basic": 1, "unsatisfied": 0})  # fmt: skip
cases.listing("participation:resolution-list", make=resolution, marker=lambda r: r.issue.title, roles=STAFF_A)
cases.detail("participation:resolution-detail", make=resolution, kwargs=pk, roles=STAFF_A)
for name, data in (
    ("participation:resolution-publish", {"days": 7}),
    ("participation:follow-up", {"on": timezone.localdate().isoformat(), "text": "已清理"}),
    ("participation:resolution-complete", {"on": timezone.localdate().isoformat(), "note": "完成"}),
):
    cases.detail(name, make=resolution, kwargs=pk, roles=STAFF_A)
    cases.action(name, make=resolution, kwargs=pk, data=data, roles=STAFF_A)
cases.page("participation:report", roles=STAFF_A)
cases.page("participation:report", roles=("grid_worker",), expect=403)
cases.page("participation:settings", roles=("community_lead",))
cases.page("participation:settings", roles=("community_worker",), expect=403)
cases.page("participation:my-hall", roles=("resident",), expect=302)

cases.public("participation:hall", "a community's public 议事厅: issue titles and support counts, no names")
cases.public("participation:propose", "a resident's proposal, checked against the registry (test_pages.py)")
cases.public("participation:public-issue", "one issue's public view and 附议: totals only (test_pages.py)")
cases.public("participation:public-resolutions", "published resolutions with vote totals, no names")
cases.public("participation:sign-in", "meeting sign-in through the signed QR link (the key; test_pages.py)")

# --- API -------------------------------------------------------------------------------------------
cases.api_list("GET", f"{API}/issues", make=issue, marker=lambda i: i.title, roles=STAFF_A)
cases.api("GET", f"{API}/issues/{{int:issue_id}}", make=issue, path_params=lambda i: {"issue_id": i.pk},
          roles=STAFF_A)  # fmt: skip
cases.api("POST", f"{API}/issues", make=community, path_params=lambda c: {}, roles=STAFF_A, expect=201,
          data=lambda c: {"community": c.code, "source": "box", "category": "环境卫生", "title": "越权议题",
                          "text": "内容"})  # fmt: skip
cases.public(f"POST {API}/proposals", "a resident's proposal, verified against the registry; test_api.py")
cases.public(f"POST {API}/issues/{{int:issue_id}}/support", "a resident's support, verified; test_api.py")
cases.api_list("GET", f"{API}/meetings", make=meeting, marker=lambda m: m.title, roles=STAFF_A)
cases.api("GET", f"{API}/meetings/{{int:meeting_id}}", make=meeting, path_params=lambda m: {"meeting_id": m.pk},
          roles=STAFF_A)  # fmt: skip
cases.api("POST", f"{API}/meetings", make=community, path_params=lambda c: {}, roles=STAFF_A, expect=201,
          data=lambda c: {"community": c.code, "kind": "民情恳谈会", "starts_at": timezone.now().isoformat(),
                          "place": "议事厅", "convener": "王书记", "expected": 10})  # fmt: skip
cases.api("POST", f"{API}/meetings/{{int:meeting_id}}/attendance", make=meeting, roles=STAFF_A, expect=201,
          path_params=lambda m: {"meeting_id": m.pk}, data={"names": ["接口到会者"]})  # fmt: skip
cases.api("POST", f"{API}/meetings/{{int:meeting_id}}/resolutions", make=voting, roles=STAFF_A, expect=201,
          path_params=lambda m: {"meeting_id": m.pk},
          data=lambda m: {"issue": m.issue.pk, "text": "决议", "votes_for": 3, "votes_against": 0, "votes_abstain": 0,
                          "owner_unit": "物业", "deadline": (timezone.localdate() + dt.timedelta(days=9)).isoformat()})  # fmt: skip
cases.api_list("GET", f"{API}/resolutions", make=resolution, marker=lambda r: r.issue.title, roles=STAFF_A)
cases.api("POST", f"{API}/resolutions/{{int:resolution_id}}/follow-ups", make=resolution, roles=STAFF_A, expect=201,
          path_params=lambda r: {"resolution_id": r.pk}, data=lambda r: {"on": TODAY(r), "text": "已清理"})  # fmt: skip
cases.api("GET", f"{API}/report", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=STAFF_A)  # fmt: skip


# --- self-government: charters, representatives, groups, 四位一体, elections -------------------------
from tests.participation import gov_factories as gf  # noqa: E402
from tests.people.factories import make_resident  # noqa: E402

LEAD_A = ("community_lead",)
DAY = lambda _o: timezone.localdate().isoformat()  # noqa: E731


def charter(world, side):
    return gf.make_charter(world, side)


def draft_with_meeting(world, side):
    v = gf.draft(world, side)
    v.meeting_pk = held_meeting(world, side)[0].pk
    return v


def resident_with_building(world, side):
    r = make_resident(world, side)
    r.building_pk = r.house.unit.building_id
    r.code = world.community(side).code
    return r


def rep(world, side):
    return gf.building_lead(world, side)


def group_with_resident(world, side):
    g = gf.group(world, side)
    g.newcomer = make_resident(world, side)
    return g


def company_with_compound(world, side):
    co = gf.company(world, side)
    co.compound = make_resident(world, side).house.unit.building.compound
    return co


def candidate_ready(world, side):
    e = gf.election(world, side)
    e.newcomer = gf.adults(world, side, 1)[0]
    return e


cases.listing("participation:charter-list", make=charter, marker=lambda c: c.title, roles=STAFF_A)
cases.detail("participation:charter-detail", make=lambda w, s: gf.published_version(w, s).charter, kwargs=pk,
             roles=STAFF_A)  # fmt: skip
cases.page("participation:charter-create", roles=STAFF_A)
cases.page("participation:charter-create", roles=("grid_worker",), expect=403)
cases.detail("participation:version-draft", make=charter, kwargs=pk, roles=STAFF_A)
cases.action("participation:version-draft", make=charter, kwargs=pk, roles=STAFF_A,
             data={"text": "一、爱护环境", "in_force_from": "2030-01-01"})  # fmt: skip
cases.detail("participation:version-discuss", make=draft_with_meeting, kwargs=pk, roles=STAFF_A)
cases.action("participation:version-discuss", make=draft_with_meeting, kwargs=pk, roles=STAFF_A,
             data=lambda v: {"meeting": v.meeting_pk})  # fmt: skip
cases.detail("participation:version-vote", make=gf.discussed_version, kwargs=pk, roles=STAFF_A)
cases.action("participation:version-vote", make=gf.discussed_version, kwargs=pk, roles=STAFF_A,
             data={"votes_for": 3, "votes_against": 0, "votes_abstain": 0})  # fmt: skip
cases.detail("participation:version-publish", make=gf.adopted_version, kwargs=pk, roles=STAFF_A)
cases.action(
    "participation:version-publish", make=gf.adopted_version, kwargs=pk, roles=STAFF_A, data={"confirm": "on"}
)
cases.public(
    "participation:public-charters", "a community's charters in force and their history: texts and totals"
)
cases.page("participation:self-government", roles=STAFF_A)
cases.page("participation:self-government", roles=("grid_worker",), expect=403)
cases.listing("participation:representative-list", make=rep, marker=lambda r: r.resident.name, roles=STAFF_A)
cases.page("participation:representative-create", roles=STAFF_A)
cases.detail("participation:representative-end", make=rep, kwargs=pk, roles=STAFF_A)
cases.action(
    "participation:representative-end", make=rep, kwargs=pk, data={"on": "2099-01-01"}, roles=STAFF_A
)
cases.listing("participation:group-list", make=gf.group, marker=lambda g: g.name, roles=STAFF_A)
cases.page("participation:group-create", roles=STAFF_A)
cases.detail("participation:group-detail", make=gf.group, kwargs=pk, roles=STAFF_A)
cases.detail("participation:group-member-add", make=gf.group, kwargs=pk, roles=STAFF_A)
cases.action("participation:group-member-add", make=group_with_resident, kwargs=pk, roles=STAFF_A,
             data=lambda g: {"resident": g.newcomer.pk, "role": "组长"})  # fmt: skip
cases.page("participation:four-in-one", roles=STAFF_A)
cases.page("participation:four-in-one", roles=("grid_worker",), expect=403)
cases.page("participation:property-company-create", roles=STAFF_A)
cases.page("participation:property-contract-create", roles=STAFF_A)
cases.listing("participation:election-list", make=gf.election, marker=lambda e: e.term_label, roles=STAFF_A)
cases.page("participation:election-create", roles=LEAD_A)
cases.page("participation:election-create", roles=("community_worker",), expect=403)
cases.detail("participation:election-detail", make=gf.election, kwargs=pk, roles=STAFF_A)
cases.detail("participation:election-voters", make=gf.election, kwargs=pk, roles=LEAD_A)
cases.action(
    "participation:election-voters", make=gf.election, kwargs=pk, data={"confirm": "on"}, roles=LEAD_A
)
cases.detail("participation:election-candidate", make=gf.election, kwargs=pk, roles=LEAD_A)
cases.action("participation:election-candidate", make=candidate_ready, kwargs=pk, roles=LEAD_A,
             data=lambda e: {"resident": e.newcomer.pk})  # fmt: skip
cases.detail("participation:election-count", make=gf.election_with_candidates, kwargs=pk, roles=LEAD_A)
cases.action("participation:election-count", make=gf.election_with_candidates, kwargs=pk, roles=LEAD_A,
             data=lambda e: {"ballots_cast": 4, **{f"votes_{c.pk}": 3 for c in e.candidates.all()}})  # fmt: skip
cases.detail("participation:election-declare", make=gf.counted_election, kwargs=pk, roles=LEAD_A)
cases.action("participation:election-declare", make=gf.counted_election, kwargs=pk, roles=LEAD_A,
             data=lambda e: {f"office_{e.candidates.first().pk}": "director"})  # fmt: skip

cases.api_list("GET", f"{API}/charters", make=charter, marker=lambda c: c.title, roles=STAFF_A)
cases.api("GET", f"{API}/charters/{{int:charter_id}}", make=charter, path_params=lambda c: {"charter_id": c.pk},
          roles=STAFF_A)  # fmt: skip
cases.public(
    f"GET {API}/charters/in-force", "the version of a community's charter in force on a date (its text)"
)
cases.api("POST", f"{API}/charters", make=community, path_params=lambda c: {}, roles=STAFF_A, expect=201,
          data=lambda c: {"community": c.code, "kind": "covenant", "title": "接口公约"})  # fmt: skip
cases.api("POST", f"{API}/charters/{{int:charter_id}}/versions", make=charter, roles=STAFF_A, expect=201,
          path_params=lambda c: {"charter_id": c.pk}, data={"text": "正文", "in_force_from": "2030-01-01"})  # fmt: skip
cases.api("POST", f"{API}/charter-versions/{{int:version_id}}/discuss", make=draft_with_meeting, roles=STAFF_A,
          path_params=lambda v: {"version_id": v.pk}, data=lambda v: {"meeting": v.meeting_pk})  # fmt: skip
cases.api("POST", f"{API}/charter-versions/{{int:version_id}}/vote", make=gf.discussed_version, roles=STAFF_A,
          path_params=lambda v: {"version_id": v.pk}, data={"votes_for": 3, "votes_against": 0, "votes_abstain": 0})  # fmt: skip
cases.api("POST", f"{API}/charter-versions/{{int:version_id}}/publish", make=gf.adopted_version, roles=STAFF_A,
          path_params=lambda v: {"version_id": v.pk})  # fmt: skip
cases.api_list("GET", f"{API}/representatives", make=rep, marker=lambda r: r.resident.name, roles=STAFF_A)
cases.api("POST", f"{API}/representatives", make=resident_with_building, path_params=lambda r: {}, roles=STAFF_A,
          expect=201, data=lambda r: {"community": r.code, "kind": "building_lead", "resident": r.pk,
                                      "chosen_by": "nominated", "term_start": DAY(r), "buildings": [r.building_pk]})  # fmt: skip
cases.api("POST", f"{API}/representatives/{{int:representative_id}}/end", make=rep, roles=STAFF_A,
          path_params=lambda r: {"representative_id": r.pk}, data={"on": "2099-01-01"})  # fmt: skip
cases.api_list("GET", f"{API}/groups", make=gf.group, marker=lambda g: g.name, roles=STAFF_A)
cases.api("POST", f"{API}/groups", make=resident_with_building, path_params=lambda r: {}, roles=STAFF_A, expect=201,
          data=lambda r: {"community": r.code, "kind": "building_committee", "name": "接口管委会",
                          "term_start": DAY(r), "buildings": [r.building_pk]})  # fmt: skip
cases.api("POST", f"{API}/groups/{{int:group_id}}/members", make=group_with_resident, roles=STAFF_A, expect=201,
          path_params=lambda g: {"group_id": g.pk}, data=lambda g: {"resident": g.newcomer.pk})  # fmt: skip
cases.api("POST", f"{API}/property-companies", make=community, path_params=lambda c: {}, roles=STAFF_A, expect=201,
          data=lambda c: {"community": c.code, "name": f"接口物业{c.code}"})  # fmt: skip
cases.api_list(
    "GET", f"{API}/property-contracts", make=gf.contract, marker=lambda k: k.company.name, roles=STAFF_A
)
cases.api("POST", f"{API}/property-contracts", make=company_with_compound, path_params=lambda c: {}, roles=STAFF_A,
          expect=201, data=lambda c: {"community": c.community.code, "company": c.pk, "compound": c.compound,
                                      "start": "2030-01-01", "end": "2032-12-31"})  # fmt: skip
cases.api("GET", f"{API}/four-in-one", make=community, path_params=lambda c: {}, query=lambda c: {"community": c.code},
          roles=STAFF_A)  # fmt: skip
cases.api("GET", f"{API}/coverage", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=STAFF_A)  # fmt: skip
cases.api_list(
    "GET", f"{API}/elections", make=gf.election, marker=lambda e: f'"term": {e.term}', roles=STAFF_A
)
cases.api("GET", f"{API}/elections/{{int:election_id}}", make=gf.election, roles=STAFF_A,
          path_params=lambda e: {"election_id": e.pk})  # fmt: skip
cases.api("POST", f"{API}/elections", make=community, path_params=lambda c: {}, roles=LEAD_A, expect=201,
          data=lambda c: {"community": c.code, "term": 50, "method": "direct", "voter_rule": "either",
                          "held_on": "2024-06-01"})  # fmt: skip
cases.api("POST", f"{API}/elections/{{int:election_id}}/voters", make=gf.election, roles=LEAD_A,
          path_params=lambda e: {"election_id": e.pk})  # fmt: skip
cases.api("POST", f"{API}/elections/{{int:election_id}}/candidates", make=candidate_ready, roles=LEAD_A, expect=201,
          path_params=lambda e: {"election_id": e.pk}, data=lambda e: {"resident": e.newcomer.pk})  # fmt: skip
cases.api("POST", f"{API}/elections/{{int:election_id}}/count", make=gf.election_with_candidates, roles=LEAD_A,
          path_params=lambda e: {"election_id": e.pk},
          data=lambda e: {"ballots_cast": 4, "votes": {str(c.pk): 3 for c in e.candidates.all()}})  # fmt: skip
cases.api("POST", f"{API}/elections/{{int:election_id}}/declare", make=gf.counted_election, roles=LEAD_A,
          path_params=lambda e: {"election_id": e.pk},
          data=lambda e: {"offices": {str(e.candidates.first().pk): "director"}})  # fmt: skip


# --- ratings, hearings, consultations --------------------------------------------------------------
def rating_round(world, side):
    from tests.participation.rating_factories import make_round

    return make_round(world, side, title=f"{'甲乙'[side == 'b']}评议")


def hearing(world, side):
    from tests.participation.rating_factories import make_hearing

    return make_hearing(world, side, title=f"{'甲乙'[side == 'b']}听证")


def held_hearing(world, side):
    h = hearing(world, side)
    h.speaker = services.register_speaker(staff(world, side), h.pk, kind="resident", name="发言居民")
    services.hold_hearing(staff(world, side), h.pk)
    return h


def consultation(world, side):
    from tests.participation.rating_factories import make_consultation

    return make_consultation(world, side, title=f"{'甲乙'[side == 'b']}征求意见")


def ended_consultation(world, side):
    c = consultation(world, side)
    services.end_consultation(staff(world, side), c.pk)
    return c


def _dates(days=7):
    today = timezone.localdate()
    return today.isoformat(), (today + dt.timedelta(days=days)).isoformat()


cases.listing("participation:rating-list", make=rating_round, marker=lambda r: r.title, roles=STAFF_A)
cases.detail("participation:rating-detail", make=rating_round, kwargs=pk, roles=STAFF_A)
cases.page("participation:rating-create", roles=STAFF_A)
cases.page("participation:rating-create", roles=("grid_worker",), expect=403)
cases.detail("participation:rating-close", make=rating_round, kwargs=pk, roles=STAFF_A)
cases.action("participation:rating-close", make=rating_round, kwargs=pk, data={}, roles=STAFF_A)
cases.listing("participation:hearing-list", make=hearing, marker=lambda h: h.title, roles=STAFF_A)
cases.detail("participation:hearing-detail", make=hearing, kwargs=pk, roles=STAFF_A)
cases.page("participation:hearing-create", roles=STAFF_A)
cases.detail("participation:speaker-add", make=hearing, kwargs=pk, roles=STAFF_A)
cases.action("participation:speaker-add", make=hearing, kwargs=pk, data={"kind": "resident", "name": "报名居民"},
             roles=STAFF_A)  # fmt: skip
cases.detail("participation:hearing-hold", make=hearing, kwargs=pk, roles=STAFF_A)
cases.action("participation:hearing-hold", make=hearing, kwargs=pk, data=lambda h: {"held_on": TODAY(h)},
             roles=STAFF_A)  # fmt: skip
cases.detail("participation:statement", make=held_hearing, kwargs=pk, roles=STAFF_A)
cases.action("participation:statement", make=held_hearing, kwargs=pk, roles=STAFF_A,
             data=lambda h: {"speaker": h.speaker.pk, "statement": "赞成"})  # fmt: skip
cases.listing("participation:consultation-list", make=consultation, marker=lambda c: c.title, roles=STAFF_A)
cases.detail("participation:consultation-detail", make=consultation, kwargs=pk, roles=STAFF_A)
cases.page("participation:consultation-create", roles=STAFF_A)
cases.detail("participation:consultation-summary", make=ended_consultation, kwargs=pk, roles=STAFF_A)
cases.action("participation:consultation-summary", make=ended_consultation, kwargs=pk,
             data={"summary": "意见汇总"}, roles=STAFF_A)  # fmt: skip
cases.detail("participation:consultation-end", make=consultation, kwargs=pk, roles=STAFF_A)
cases.action("participation:consultation-end", make=consultation, kwargs=pk, data={}, roles=STAFF_A)
cases.public("participation:public-ratings", "a community's closed rating rounds: totals per target only")

cases.api_list("GET", f"{API}/ratings", make=rating_round, marker=lambda r: r.title, roles=STAFF_A)
cases.api("GET", f"{API}/ratings/{{int:round_id}}", make=rating_round, path_params=lambda r: {"round_id": r.pk},
          roles=STAFF_A)  # fmt: skip
cases.api("POST", f"{API}/ratings", make=community, path_params=lambda c: {}, roles=STAFF_A, expect=201,
          data=lambda c: {"community": c.code, "title": "越权评议", "dimensions": ["服务态度"],
                          "opens_on": _dates()[0], "closes_on": _dates()[1]})  # fmt: skip
cases.api("POST", f"{API}/ratings/{{int:round_id}}/close", make=rating_round, roles=STAFF_A,
          path_params=lambda r: {"round_id": r.pk})  # fmt: skip
cases.api_list("GET", f"{API}/hearings", make=hearing, marker=lambda h: h.title, roles=STAFF_A)
cases.api("GET", f"{API}/hearings/{{int:hearing_id}}", make=hearing, path_params=lambda h: {"hearing_id": h.pk},
          roles=STAFF_A)  # fmt: skip
cases.api("POST", f"{API}/hearings", make=community, path_params=lambda c: {}, roles=STAFF_A, expect=201,
          data=lambda c: {"community": c.code, "title": "越权听证", "subject": "内容", "notice_on": _dates()[0],
                          "planned_on": _dates()[1], "place": "议事厅"})  # fmt: skip
cases.api("POST", f"{API}/hearings/{{int:hearing_id}}/speakers", make=hearing, roles=STAFF_A, expect=201,
          path_params=lambda h: {"hearing_id": h.pk}, data={"kind": "resident", "name": "接口发言人"})  # fmt: skip
cases.api("POST", f"{API}/hearings/{{int:hearing_id}}/hold", make=hearing, roles=STAFF_A,
          path_params=lambda h: {"hearing_id": h.pk}, data={})  # fmt: skip
cases.api("POST", f"{API}/hearings/{{int:hearing_id}}/speakers/{{int:speaker_id}}/statement", make=held_hearing,
          roles=STAFF_A, path_params=lambda h: {"hearing_id": h.pk, "speaker_id": h.speaker.pk},
          data={"statement": "赞成"})  # fmt: skip
cases.api_list("GET", f"{API}/consultations", make=consultation, marker=lambda c: c.title, roles=STAFF_A)
cases.api("GET", f"{API}/consultations/{{int:consultation_id}}", make=consultation,
          path_params=lambda c: {"consultation_id": c.pk}, roles=STAFF_A)  # fmt: skip
cases.api("POST", f"{API}/consultations", make=community, path_params=lambda c: {}, roles=STAFF_A, expect=201,
          data=lambda c: {"community": c.code, "title": "越权征求", "plan": "方案", "opens_on": _dates()[0],
                          "closes_on": _dates()[1]})  # fmt: skip
cases.public(f"POST {API}/consultations/{{int:consultation_id}}/views",
             "a resident's written view, verified against the registry or a code; test_ratings_pages.py")  # fmt: skip
cases.api("POST", f"{API}/consultations/{{int:consultation_id}}/summary", make=ended_consultation, roles=STAFF_A,
          path_params=lambda c: {"consultation_id": c.pk}, data={"summary": "汇总"})  # fmt: skip
cases.api("GET", f"{API}/report/ratings", make=community, path_params=lambda c: {},
          query=lambda c: {"scope": c.code}, roles=STAFF_A)  # fmt: skip
