"""Scope cases for every page and API route of the specialised ledgers. The community lead and a
community worker of community a, charged with the ledger duties, read and keep a's ledgers; b's
are not found. Department staff and residents are refused everything (the default); so are the
same roles without the duty (tests/ledgers/test_duties.py)."""

import datetime as dt

from django.utils import timezone

from shequ.core.masking import mask
from shequ.core.testing.scope import cases
from tests.ledgers.factories import (
    charge,
    make_concluded,
    make_mediation,
    make_payment,
    make_relief_case,
    make_subject,
    this_month,
)

STAFF = ("community_lead", "community_worker")
API = "/api/v1/ledgers"


def pk(o):
    return {"pk": o.pk}


def community(world, side):
    charge(world)
    return world.community(side)


def month_query(p):
    return {"community": p.case.community.code, "month": p.month.strftime("%Y-%m")}


def amount(o):
    return str(getattr(o, "monthly_amount", None) or o.case.monthly_amount)


def today():
    return timezone.localdate().isoformat()


# --- pages -----------------------------------------------------------------------------------------
cases.listing("ledgers:relief-list", make=make_relief_case, marker=amount, roles=STAFF)
cases.page("ledgers:relief-create", make=community, roles=STAFF)
cases.detail("ledgers:relief-detail", make=make_relief_case, kwargs=pk, roles=STAFF)
cases.action("ledgers:relief-status", make=make_relief_case, kwargs=pk, roles=STAFF,
             data={"status": "suspended", "on": today(), "reason": "家庭收入超过保障标准"})  # fmt: skip
cases.action("ledgers:relief-pay", make=make_relief_case, kwargs=pk, roles=STAFF,
             data={"month": this_month().strftime("%Y-%m"), "status": "paid"})  # fmt: skip
cases.listing("ledgers:relief-ledger", make=make_payment, marker=amount, roles=STAFF,
              query=lambda p: {"month": p.month.strftime("%Y-%m")})  # fmt: skip
cases.page("ledgers:relief-generate", make=make_relief_case, roles=STAFF, method="POST",
           data={"month": this_month().strftime("%Y-%m")}, expect=302)  # fmt: skip
cases.listing("ledgers:relief-roster", make=make_payment, marker=amount, roles=STAFF, query=month_query)
cases.listing("ledgers:mediation-list", make=make_mediation, marker=lambda m: m.number, roles=STAFF)
cases.page("ledgers:mediation-create", make=community, roles=STAFF)
cases.detail("ledgers:mediation-detail", make=make_mediation, kwargs=pk, roles=STAFF)
cases.action("ledgers:mediation-conclude", make=make_mediation, kwargs=pk, roles=STAFF,
             data={"mediated_on": today(), "agreement_reached": "yes", "agreement_text": "双方同意各自承担一半维修费用"})  # fmt: skip
cases.action("ledgers:mediation-followup", make=make_concluded, kwargs=pk, roles=STAFF,
             data={"followup_on": today(), "followup_result": "协议已履行，双方无异议"})  # fmt: skip
cases.listing(
    "ledgers:correction-list", make=make_subject, marker=lambda s: mask(s.name, "name"), roles=STAFF
)
cases.page("ledgers:correction-create", make=community, roles=STAFF)
cases.detail("ledgers:correction-detail", make=make_subject, kwargs=pk, roles=STAFF)
cases.action("ledgers:correction-session", make=make_subject, kwargs=pk, roles=STAFF,
             data={"on": today(), "hours": "2", "task": "小区环境整治"})  # fmt: skip
cases.action("ledgers:correction-grade", make=make_subject, kwargs=pk, roles=STAFF,
             data={"kind": "month", "year": "2026", "period": "1", "grade": "good"})  # fmt: skip

# --- API -------------------------------------------------------------------------------------------
cases.api_list("GET", f"{API}/relief/cases", make=make_relief_case, marker=amount, roles=STAFF)
cases.api("GET", f"{API}/relief/cases/{{int:case_id}}", make=make_relief_case,
          path_params=lambda c: {"case_id": c.pk}, roles=STAFF)  # fmt: skip
cases.public(f"POST {API}/relief/cases", "opens a case for a resident named by id: b's resident is not found "
             "(test_api.test_relief_case_of_another_community_is_not_found)")  # fmt: skip
cases.api("POST", f"{API}/relief/cases/{{int:case_id}}/status", make=make_relief_case,
          path_params=lambda c: {"case_id": c.pk}, roles=STAFF,
          data={"status": "暂停", "on": today(), "reason": "外出务工收入核查中"})  # fmt: skip
cases.api("GET", f"{API}/relief/cases/{{int:case_id}}/payments", make=make_payment,
          path_params=lambda p: {"case_id": p.case_id}, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/relief/cases/{{int:case_id}}/payments", make=make_relief_case,
          path_params=lambda c: {"case_id": c.pk}, roles=STAFF, expect=201,
          data={"month": this_month().strftime("%Y-%m")})  # fmt: skip
cases.public(f"POST {API}/relief/generate", "acts only where the caller keeps the ledger (test_api)")
cases.public(f"GET {API}/relief/ledger", "sums of the caller's own scope only (test_api)")
cases.public(f"GET {API}/mediation/matter-types", "the matter types: reference data, no community's")
cases.api_list("GET", f"{API}/mediation", make=make_mediation, marker=lambda m: m.number, roles=STAFF)
cases.api("GET", f"{API}/mediation/{{int:mediation_id}}", make=make_mediation,
          path_params=lambda m: {"mediation_id": m.pk}, roles=STAFF)  # fmt: skip
cases.public(f"POST {API}/mediation", "records in a community named in the body: b's is not found (test_api)")
cases.api("POST", f"{API}/mediation/{{int:mediation_id}}/conclude", make=make_mediation,
          path_params=lambda m: {"mediation_id": m.pk}, roles=STAFF,
          data={"mediated_on": today(), "agreement_reached": False})  # fmt: skip
cases.api("POST", f"{API}/mediation/{{int:mediation_id}}/followup", make=make_concluded,
          path_params=lambda m: {"mediation_id": m.pk}, roles=STAFF,
          data={"followup_on": today(), "followup_result": "双方关系缓和"})  # fmt: skip
cases.api_list(
    "GET", f"{API}/correction", make=make_subject, marker=lambda s: mask(s.name, "name"), roles=STAFF
)
cases.public(f"POST {API}/correction", "enrols a resident named by id: b's is not found (test_api)")
cases.api("GET", f"{API}/correction/{{int:subject_id}}/sessions", make=make_subject,
          path_params=lambda s: {"subject_id": s.pk}, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/correction/{{int:subject_id}}/sessions", make=make_subject,
          path_params=lambda s: {"subject_id": s.pk}, roles=STAFF, expect=201,
          data={"on": today(), "hours": "2.5", "task": "社区公共区域保洁"})  # fmt: skip
cases.api("GET", f"{API}/correction/{{int:subject_id}}/grades", make=make_subject,
          path_params=lambda s: {"subject_id": s.pk}, roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/correction/{{int:subject_id}}/grades", make=make_subject,
          path_params=lambda s: {"subject_id": s.pk}, roles=STAFF, expect=201,
          data={"kind": "month", "year": dt.date.today().year, "period": 1, "grade": "良好"})  # fmt: skip
