"""Scope cases for every page and API route of 一表通. A form registered at community a is a's: its
staff read and fill it (the community lead also binds it); b's is not found. A filled copy belongs
to the scope it was filled for. Department staff and residents are refused everything."""

from shequ.core.testing.scope import cases
from tests.reportforms.factories import PERIOD, RATE, make_binding, make_fill, make_form

STAFF = ("community_lead", "community_worker")
LEAD = ("community_lead",)
API = "/api/v1/reportforms"


def pk(o):
    return {"pk": o.pk}


def community(world, side):
    return world.community(side)


def fill_data(f):
    return {"code": f.org.code, "period": PERIOD}


def manual_data(f):
    return {"code": f.org.code, "period": PERIOD, f"b_{f.bindings.get(kind='manual').pk}": "3"}


# --- pages -----------------------------------------------------------------------------------------
cases.listing("reportforms:register", make=make_fill, marker=lambda f: f.title, roles=STAFF)
cases.page("reportforms:upload", roles=LEAD)
cases.page("reportforms:breakdowns", roles=STAFF, query={"indicator": RATE})
cases.page("reportforms:indicator", roles=STAFF, kwargs=lambda _o: {"key": RATE})
cases.action("reportforms:ledger-fill", make=community, kwargs=lambda c: {"key": "people.residents"}, roles=STAFF,
             data=lambda c: {"code": c.code, "period": PERIOD})  # fmt: skip
cases.detail("reportforms:fill-detail", make=make_fill, kwargs=pk, roles=STAFF)
cases.detail("reportforms:fill-download", make=make_fill, kwargs=pk, roles=STAFF)
cases.detail("reportforms:form-detail", make=make_form, kwargs=pk, roles=STAFF)
cases.detail("reportforms:grid", make=make_form, kwargs=pk, roles=STAFF)
cases.detail("reportforms:manual", make=make_form, kwargs=pk, roles=STAFF)
cases.action("reportforms:manual", make=make_form, kwargs=pk, roles=STAFF, data=manual_data, expect=200)
cases.action("reportforms:bind", make=make_form, kwargs=pk, roles=LEAD,
             data={"sheet": "月报表", "cell": "E12", "indicator": RATE, "kind": "value"})  # fmt: skip
cases.action("reportforms:unbind", make=make_binding, kwargs=lambda b: {"pk": b.form_id, "binding_id": b.pk},
             roles=LEAD)  # fmt: skip
cases.action("reportforms:fill", make=make_form, kwargs=pk, roles=STAFF, data=fill_data)

# --- API -------------------------------------------------------------------------------------------
cases.api_list("GET", f"{API}/register", make=make_form, marker=lambda f: f.name, roles=STAFF)
cases.api_list("GET", f"{API}/definitions", make=make_form, marker=lambda f: f.name, roles=STAFF)
cases.api("GET", f"{API}/definitions/{{int:form_id}}", make=make_form,
          path_params=lambda f: {"form_id": f.pk}, roles=STAFF)  # fmt: skip
cases.public(f"POST {API}/definitions", "registers at an org named in the form: b's is not found (test_api)")
cases.public(f"POST {API}/definitions/{{int:form_id}}/template",
             "a multipart upload on one form: b's form is not found (test_api)")  # fmt: skip
cases.api("POST", f"{API}/definitions/{{int:form_id}}/bindings", make=make_form,
          path_params=lambda f: {"form_id": f.pk}, roles=LEAD, expect=201,
          data={"sheet": "月报表", "cell": "E12", "indicator": RATE})  # fmt: skip
cases.api("DELETE", f"{API}/definitions/{{int:form_id}}/bindings/{{int:binding_id}}", make=make_binding,
          path_params=lambda b: {"form_id": b.form_id, "binding_id": b.pk}, roles=LEAD, expect=204)  # fmt: skip
cases.api("GET", f"{API}/definitions/{{int:form_id}}/manual", make=make_form,
          path_params=lambda f: {"form_id": f.pk}, roles=STAFF, query=fill_data)  # fmt: skip
cases.api("POST", f"{API}/definitions/{{int:form_id}}/manual", make=make_form,
          path_params=lambda f: {"form_id": f.pk}, roles=STAFF,
          data=lambda f: {**fill_data(f), "values": {str(f.bindings.get(kind="manual").pk): "4"}})  # fmt: skip
cases.api("POST", f"{API}/definitions/{{int:form_id}}/fill", make=make_form,
          path_params=lambda f: {"form_id": f.pk}, roles=STAFF, expect=201, data=fill_data)  # fmt: skip
cases.api("POST", f"{API}/ledgers/{{key}}/fill", make=community, path_params=lambda c: {"key": "people.residents"},
          roles=STAFF, expect=201, data=lambda c: {"code": c.code, "period": PERIOD})  # fmt: skip
cases.api("GET", f"{API}/fills/{{int:fill_id}}", make=make_fill, path_params=lambda f: {"fill_id": f.pk},
          roles=STAFF)  # fmt: skip
cases.api("GET", f"{API}/fills/{{int:fill_id}}/xlsx", make=make_fill, path_params=lambda f: {"fill_id": f.pk},
          roles=STAFF)  # fmt: skip
