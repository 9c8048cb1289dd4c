"""Scope cases for every page and API route of the workforce module. Only community leads (and
the managers above) manage the roster; community workers read it; grid workers, department staff
and residents do not."""

import datetime as dt

from shequ.core.testing.scope import cases
from shequ.workforce import services
from tests.workforce.factories import make_worker

LEAD = ("community_lead",)
READERS = ("community_lead", "community_worker")
API = "/api/v1/workforce"


def named(world, side):
    return make_worker(world, side)


def office(world, side):
    w = make_worker(world, side)
    return services.assign_office(
        world.users["street"], w.pk, body="committee", title="委员", start=dt.date(2021, 1, 1)
    )


def left(world, side):
    w = make_worker(world, side)
    return services.record_exit(world.users["street"], w.pk, on=dt.date(2024, 1, 1), reason="辞职")


def community(world, side):
    return world.community(side)


def pk(w):
    return {"pk": w.pk}


# --- pages -----------------------------------------------------------------------------------------
cases.listing("workforce:worker-list", make=named, marker=lambda w: w.name, roles=READERS)
cases.detail("workforce:worker-detail", make=named, kwargs=pk, roles=READERS)
cases.page("workforce:worker-list", roles=("grid_worker",), expect=403)
cases.page("workforce:worker-create", roles=LEAD)  # the communities offered are the user's
cases.page("workforce:worker-create", roles=("community_worker",), expect=403)
cases.page("workforce:overview", roles=READERS)
cases.page("workforce:overview", roles=("grid_worker",), expect=403)
cases.page("workforce:staffing", roles=READERS)
cases.page("workforce:population-enter", roles=READERS, expect=403)  # streets and districts enter it
for name, data in (
    ("workforce:worker-edit", {"name": "越权修改", "education": "bachelor", "source": "hired", "hired_on": "2018-03-01",
                               "political_status": "masses", "birth_date": "1990-05-01", "gender": "male"}),
    ("workforce:worker-exit", {"on": "2025-01-02", "reason": "resigned"}),
    ("workforce:worker-secondment", {"on": "2025-01-02", "note": "挂职区民政局"}),
    ("workforce:office-assign", {"body": "committee", "title": "委员", "start": "2022-01-01"}),
    ("workforce:qualification-add", {"kind": "social_worker", "number": "SW-SCOPE", "obtained_on": "2022-01-01"}),
):  # fmt: skip
    cases.detail(name, make=named, kwargs=pk, roles=LEAD)
    cases.action(name, make=named, kwargs=pk, data=data, roles=LEAD)
# A community lead's scope holds one community: the only unit offered is their own, refused as the
# same unit (400); on b's worker it is 404 before anything is read.
cases.detail("workforce:worker-transfer", make=named, kwargs=pk, roles=LEAD)
cases.action("workforce:worker-transfer", make=named, kwargs=pk, data={"on": "2025-01-02", "to_org": "420115001001"},
             roles=LEAD, expect=400)  # fmt: skip
cases.detail("workforce:worker-return", make=left, kwargs=pk, roles=LEAD)
cases.action("workforce:worker-return", make=left, kwargs=pk, data={"on": "2025-01-02"}, roles=LEAD)
cases.detail("workforce:office-end", make=office, kwargs=pk, roles=LEAD)
cases.action("workforce:office-end", make=office, kwargs=pk, data={"end": "2024-01-01"}, roles=LEAD)

# --- API -------------------------------------------------------------------------------------------
cases.api_list("GET", f"{API}/workers", make=named, marker=lambda w: w.name, roles=READERS)
cases.api("GET", f"{API}/workers/{{int:worker_id}}", make=named, path_params=lambda w: {"worker_id": w.pk},
          roles=READERS)  # fmt: skip
cases.api("GET", f"{API}/workers/{{int:worker_id}}/qualifications", make=named,
          path_params=lambda w: {"worker_id": w.pk}, roles=READERS)  # fmt: skip
cases.api(
    "POST",
    f"{API}/workers/{{int:worker_id}}/qualifications",
    make=named,
    path_params=lambda w: {"worker_id": w.pk},
    data=lambda w: {"kind": "社会工作师", "number": f"SW{w.pk}", "obtained_on": "2022-01-01"},
    roles=LEAD,
    expect=201,
)
cases.api(
    "POST",
    f"{API}/workers",
    make=community,
    path_params=lambda c: {},
    data=lambda c: {
        "name": "越权登记",
        "org": c.code,
        "gender": "男",
        "birth_date": "1990-01-01",
        "education": "本科",
        "source": "聘用",
        "hired_on": "2020-01-01",
    },  # fmt: skip
    roles=LEAD,
    expect=201,
)
cases.api(
    "PUT",
    f"{API}/population",
    make=community,
    path_params=lambda c: {},
    data=lambda c: {"scope": c.code, "year": 2025, "residents": 9000},
    roles=LEAD,
    expect=403,  # a community lead reads the figures; the street enters them
)
# The district's standard: a community lead's scope does not hold the district (404 on both sides);
# the district administrator sets it (tests/workforce/test_api.py).
cases.public(f"PUT {API}/ratio", "the district's staffing standard: no community's data; covered in test_api")
for path in ("staffing", "structure"):
    cases.api("GET", f"{API}/{path}", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
              roles=READERS)  # fmt: skip
cases.api(
    "GET",
    f"{API}/turnover",
    make=community,
    path_params=lambda c: {},
    query=lambda c: {"scope": c.code, "from": "2024-01-01", "to": "2024-12-31"},
    roles=READERS,
)


def roster_batch(world, side):
    """A checked roster batch uploaded into community `side` (the page lists the lead's own)."""
    from shequ.core import importing
    from shequ.workforce.importer import WorkerImporter

    content = importing.template_bytes(WorkerImporter)
    batch = importing.create_batch(world.users["street"], WorkerImporter.kind, world.community(side).code,
                                   f"{side}花名册{side}.xlsx", content, {"auto": True})  # fmt: skip
    importing.validate_batch(batch, world.users["street"])
    return batch


cases.listing("workforce:import", make=roster_batch, marker=lambda b: b.filename, roles=LEAD)


def training(world, side):
    """A training held by community `side` (the title is the marker)."""
    return services.create_training(world.users["street"], world.community(side).code,
                                    title=f"{'甲乙'[side == 'b']}社区岗中培训{side}", organiser="民政局", kind="岗中培训",
                                    start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 2), days=2)  # fmt: skip


cases.listing("workforce:training-list", make=training, marker=lambda t: t.title, roles=READERS)
cases.detail("workforce:training-detail", make=training, kwargs=pk, roles=READERS)
cases.page("workforce:training-create", roles=LEAD)
cases.page("workforce:training-create", roles=("community_worker",), expect=403)
cases.detail("workforce:training-sign-in", make=training, kwargs=pk, roles=LEAD)


def training_with_worker(world, side):
    t = training(world, side)
    t.new_worker = make_worker(world, side, hired=dt.date(2020, 1, 1))
    return t


cases.action("workforce:training-sign-in", make=training_with_worker, kwargs=pk,
             data=lambda t: {"worker": str(t.new_worker.pk), "passed": "unknown"}, roles=LEAD)  # fmt: skip
cases.api_list("GET", f"{API}/trainings", make=training, marker=lambda t: t.title, roles=READERS)
cases.api(
    "POST",
    f"{API}/trainings",
    make=community,
    path_params=lambda c: {},
    data=lambda c: {
        "org": c.code,
        "title": "越权培训",
        "organiser": "党校",
        "kind": "岗前培训",
        "start": "2025-04-01",
        "end": "2025-04-01",
        "days": "1",
    },  # fmt: skip
    roles=LEAD,
    expect=201,
)
cases.api(
    "POST",
    f"{API}/trainings/{{int:training_id}}/attendance",
    make=training_with_worker,
    path_params=lambda t: {"training_id": t.pk},
    data=lambda t: {"worker_id": t.new_worker.pk},
    roles=LEAD,
    expect=201,
)
cases.api("GET", f"{API}/training", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=READERS)  # fmt: skip


# --- a street's internal bodies: street records, outside a community user's scope -----------------
def section(world, side):
    return services.set_section(world.users["street"], "420115001", name=f"社区建设办公室{side}", established=6,
                                actual=5)  # fmt: skip


cases.page("workforce:sections", roles=READERS)  # 200, and no street's bodies in a community's scope
cases.page("workforce:section-enter", roles=LEAD, expect=403)  # streets and districts enter them
cases.page("workforce:section-remove", make=section, kwargs=pk, roles=LEAD, expect=404)
cases.api("GET", f"{API}/sections", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=READERS)  # fmt: skip
cases.api("PUT", f"{API}/sections", make=community, path_params=lambda c: {},
          data=lambda c: {"street": "420115001", "name": "越权登记", "established": 3, "actual": 3},
          roles=LEAD, expect=404)  # fmt: skip
# --- grades and pay, contracts and insurance -------------------------------------------------------
# Pay and contracts are read by the community lead (and the managers above, and the worker
# themselves: tests/workforce/test_pay_views.py); a community worker or grid worker is refused.
OTHERS = ("community_worker", "grid_worker")


def street_pay(world):
    """The street's 三级九档 with its 2025 table (once per world)."""
    from shequ.workforce.models import GradeScheme
    from tests.workforce.pay_factories import street_scheme, table

    found = GradeScheme.objects.filter(org=world.street).first()
    if found is None:
        found = street_scheme(world)
        table(world, found, 2025)
    return found


def under_scheme(world, side):
    street_pay(world)
    return make_worker(world, side, name=f"{'甲乙'[side == 'b']}待定级{side}")


def placed(world, side):
    w = under_scheme(world, side)
    services.place_grade(world.users["street"], w.pk, grade="初级", step=1, on=dt.date(2025, 1, 1))
    return w


def paid(world, side):
    from tests.workforce.pay_factories import EXAMPLE

    w = placed(world, side)
    return services.set_pay_record(world.users["street"], w.pk, year=2025, **EXAMPLE)[0]


def due_contract(world, side):
    """A contract ending in 30 days (the worker's name is the marker)."""
    w = make_worker(world, side, name=f"{'甲乙'[side == 'b']}合同将到期{side}")
    end = dt.date.today() + dt.timedelta(days=30)
    return services.add_contract(world.users["street"], w.pk, employer="纸坊街道办事处",
                                 start=end - dt.timedelta(days=3 * 365), end=end)  # fmt: skip


def scheme_of_street(world, side):
    return street_pay(world)


for name in ("workforce:pay", "workforce:insurance"):
    cases.page(name, roles=LEAD)
    cases.page(name, roles=OTHERS, expect=403)
cases.page("workforce:grade-schemes", roles=READERS)  # published policy: the roster's readers
cases.page("workforce:grade-schemes", roles=("grid_worker",), expect=403)
for name in ("workforce:grade-scheme-create", "workforce:average-wage"):  # streets and districts set them
    cases.page(name, roles=READERS, expect=403)
# The street's scheme: a community lead reads it on the schemes page, its table is not theirs (404).
cases.page("workforce:pay-table", make=scheme_of_street, kwargs=pk, roles=LEAD, expect=404)
cases.listing("workforce:contracts-due", make=due_contract, marker=lambda c: c.worker.name, roles=LEAD)
cases.page("workforce:contracts-due", roles=OTHERS, expect=403)
for name, make, data in (
    ("workforce:grade-place", under_scheme,
     lambda w: {"grade": f"{street_pay_id(w)}:初级", "step": "1", "on": "2025-01-01"}),
    ("workforce:pay-record", placed, {"year": "2025", "performance": "1000"}),
    ("workforce:contract-add", named, {"employer": "纸坊街道办事处", "start": "2019-01-01", "end": "2021-12-31"}),
    ("workforce:insurance-set", named, {"year": "2025", "kinds": ["pension", "medical"]}),
):  # fmt: skip
    cases.detail(name, make=make, kwargs=pk, roles=LEAD)
    cases.action(name, make=make, kwargs=pk, data=data, roles=LEAD)


def street_pay_id(worker):
    from shequ.workforce.models import GradeScheme

    return GradeScheme.objects.get(scope_code=worker.scope_code[:9]).pk


cases.api_list("GET", f"{API}/pay-records", make=paid, marker=lambda r: r.worker.name, roles=LEAD)
cases.api("POST", f"{API}/pay-records", make=placed, path_params=lambda w: {},
          data=lambda w: {"worker_id": w.pk, "year": 2025, "performance": "1000"}, roles=LEAD, expect=201)  # fmt: skip
for path in ("pay", "insurance"):
    cases.api("GET", f"{API}/{path}", make=community, path_params=lambda c: {},
              query=lambda c: {"scope": c.code, "year": 2025}, roles=LEAD)  # fmt: skip
# Communities do not set the average wage or adopt schemes: 400 on one's own, 404 on another's.
cases.api("PUT", f"{API}/average-wage", make=community, path_params=lambda c: {},
          data=lambda c: {"scope": c.code, "year": 2025, "amount": "27968", "source": "区统计局"}, roles=LEAD,
          expect=400)  # fmt: skip
cases.api("POST", f"{API}/grade-schemes", make=community, path_params=lambda c: {},
          data=lambda c: {"org": c.code, "template": "三级九档"}, roles=LEAD, expect=400)  # fmt: skip
cases.api("GET", f"{API}/grade-schemes", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=READERS)  # fmt: skip
# The street's table: not a community's to set (404 whichever side; the street sets it in test_pay_api).
cases.api("PUT", f"{API}/grade-schemes/{{int:scheme_id}}/tables/{{int:year}}", make=scheme_of_street,
          path_params=lambda s: {"scheme_id": s.pk, "year": 2025}, data={"rates": [], "source": ""}, roles=LEAD,
          expect=404)  # fmt: skip
cases.api("POST", f"{API}/workers/{{int:worker_id}}/grade", make=under_scheme,
          path_params=lambda w: {"worker_id": w.pk}, data={"grade": "初级", "step": 1, "on": "2025-01-01"},
          roles=LEAD, expect=201)  # fmt: skip
cases.api("GET", f"{API}/workers/{{int:worker_id}}/step-advice", make=placed,
          path_params=lambda w: {"worker_id": w.pk}, roles=LEAD)  # fmt: skip
cases.api_list("GET", f"{API}/contracts", make=due_contract, marker=lambda c: c.worker.name, roles=LEAD)
cases.api("POST", f"{API}/workers/{{int:worker_id}}/contracts", make=named,
          path_params=lambda w: {"worker_id": w.pk},
          data={"employer": "纸坊街道办事处", "start": "2019-01-01", "end": "2021-12-31"}, roles=LEAD,
          expect=201)  # fmt: skip
cases.api("PUT", f"{API}/workers/{{int:worker_id}}/insurance", make=named,
          path_params=lambda w: {"worker_id": w.pk}, data={"year": 2025, "kinds": ["养老保险"]}, roles=LEAD)  # fmt: skip


# --- appraisal: sensitive (the community lead and the managers above); a worker reads their own
# results through their account (tests/workforce/test_appraisal.py covers the other roles).
def _cycle(world, side, *, org_share=100, scored=False):
    from django.utils import timezone

    from shequ.workforce.services import appraisal

    w = make_worker(world, side)
    today = timezone.localdate()
    c = appraisal.create_cycle(world.users["street"], world.community(side).code, year=today.year,
                               title=f"{'甲乙'[side == 'b']}社区考核{w.pk}", org_share=org_share, scorers="street",
                               survey_opens=today, survey_closes=today + dt.timedelta(days=7))  # fmt: skip
    if scored:
        appraisal.enter_scores(world.users["street"], c.pk, w.pk, scores=_uniform(80), scorer="street")
    c.worker = w
    return c


def _uniform(v):
    return {d: v for d in ("de", "neng", "qin", "ji", "lian", "xue")}


def cycle(world, side):
    return _cycle(world, side)


def scored_cycle(world, side):
    return _cycle(world, side, scored=True)


def lead_cycle(world, side):
    """A cycle the community lead scores (as the lead), with its worker."""
    from django.utils import timezone

    from shequ.workforce.services import appraisal

    w = make_worker(world, side)
    c = appraisal.create_cycle(world.users["street"], world.community(side).code, year=timezone.localdate().year,
                               title=f"{'甲乙'[side == 'b']}社区负责人评分{w.pk}", org_share=100, scorers="lead")  # fmt: skip
    c.worker = w
    return c


def appraisal_survey(world, side):
    from shequ.workforce.services import appraisal

    return appraisal.cycle_surveys(_cycle(world, side, org_share=70)).get()


def community_with_worker(world, side):
    make_worker(world, side)
    return world.community(side)


def my_record(world, side):
    """The community worker's own record, linked to their account, with a closed result."""
    from shequ.workforce.models import Worker
    from shequ.workforce.services import appraisal

    c = _cycle(world, side, scored=True)
    Worker.objects.filter(pk=c.worker.pk).update(user=world.users["community_worker"])
    appraisal.close_cycle(world.users["street"], c.pk)
    return c


cases.listing("workforce:appraisal-list", make=cycle, marker=lambda c: c.title, roles=LEAD)
cases.page("workforce:appraisal-list", roles=("community_worker",), expect=403)
cases.page("workforce:appraisal-create", roles=LEAD)
cases.page("workforce:appraisal-create", roles=("community_worker",), expect=403)
cases.detail("workforce:appraisal-detail", make=cycle, kwargs=pk, roles=LEAD)
cases.detail("workforce:appraisal-scores", make=lead_cycle, kwargs=pk, roles=LEAD)
cases.action(
    "workforce:appraisal-scores",
    make=lead_cycle,
    kwargs=pk,
    data=lambda c: {"as": "lead", **{f"s-{c.results.get().pk}-{d}": "85" for d in _uniform(0)}},
    roles=LEAD,
)
cases.detail("workforce:appraisal-close", make=scored_cycle, kwargs=pk, roles=LEAD)
cases.action("workforce:appraisal-close", make=scored_cycle, kwargs=pk, data={}, roles=LEAD)
cases.page("workforce:appraisal-mine", make=my_record, roles=("community_worker",))
# The cycle's residents' survey is read as the appraisal is: its lead, not the community's workers.
cases.detail("core:survey-detail", make=appraisal_survey, kwargs=lambda s: {"pk": s.pk}, roles=LEAD)

cases.api_list("GET", f"{API}/appraisal/cycles", make=cycle, marker=lambda c: c.title, roles=LEAD)
cases.api(
    "POST",
    f"{API}/appraisal/cycles",
    make=community_with_worker,
    path_params=lambda c: {},
    data=lambda c: {"org": c.code, "year": 2025, "org_share": 100, "scorers": "lead"},
    roles=LEAD,
    expect=201,
)
cases.api("GET", f"{API}/appraisal/cycles/{{int:cycle_id}}", make=cycle, path_params=lambda c: {"cycle_id": c.pk},
          roles=LEAD)  # fmt: skip
cases.api("GET", f"{API}/appraisal/cycles/{{int:cycle_id}}/results", make=cycle,
          path_params=lambda c: {"cycle_id": c.pk}, roles=LEAD)  # fmt: skip
cases.api(
    "POST",
    f"{API}/appraisal/cycles/{{int:cycle_id}}/scores",
    make=lead_cycle,
    path_params=lambda c: {"cycle_id": c.pk},
    data=lambda c: {"worker_id": c.worker.pk, **_uniform("90")},
    roles=LEAD,
)
cases.api("POST", f"{API}/appraisal/cycles/{{int:cycle_id}}/close", make=scored_cycle,
          path_params=lambda c: {"cycle_id": c.pk}, roles=LEAD)  # fmt: skip
cases.public(f"GET {API}/appraisal/mine", "the caller's own results only (tests/workforce/test_appraisal.py)")


# --- recognition: read with the roster, entered by those who manage it.
def award(world, side):
    w = make_worker(world, side)
    return services.add_award(world.users["street"], w.pk, title=f"{'甲乙'[side == 'b']}十佳社区干部{w.pk}", level="区级",
                              awarded_on=dt.date(2024, 12, 1), body="江夏区委组织部")  # fmt: skip


cases.listing("workforce:recognition", make=award, marker=lambda a: a.title, roles=READERS)
cases.page("workforce:recognition", roles=("grid_worker",), expect=403)
for name, data in (
    ("workforce:award-add", {"title": "优秀社区工作者", "level": "district", "awarded_on": "2024-12-01", "body": "区民政局"}),
    ("workforce:representative-add", {"kind": "npc", "level": "district", "term": "第十届", "start": "2021-12-01"}),
    ("workforce:promotion-add", {"on": "2024-01-02", "post": "社区居委会副主任"}),
):  # fmt: skip
    cases.detail(name, make=named, kwargs=pk, roles=LEAD)
    cases.action(name, make=named, kwargs=pk, data=data, roles=LEAD)
cases.detail("workforce:worker-account", make=named, kwargs=pk, roles=LEAD)
cases.action("workforce:worker-account", make=named, kwargs=pk, roles=LEAD,
             data=lambda w: {"username": "t_worker_a" if w.scope_code.endswith("001001") else "t_worker_b"})  # fmt: skip
