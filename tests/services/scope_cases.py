"""Scope cases for every page and API route of the community services module. The community's
staff keep its catalogue, station, outlets and records; the street and district read and keep
their own; department staff read the catalogue, centres and outlets (public facts), not the
records (they name residents); grid workers and residents use none of it."""

import datetime as dt

from django.utils import timezone

from shequ.core.testing.scope import SEES, cases
from tests.people.factories import make_resident
from tests.services.factories import make_centre, make_outlet, make_record, make_service

STAFF = ("community_lead", "community_worker")
API = "/api/v1/services"


def service(world, side):
    return make_service(world, side, name=f"{'甲乙'[side == 'b']}助浴服务{side}")


def centre(world, side):
    return make_centre(world, side, name=f"{'甲乙'[side == 'b']}社区服务站{side}")


def window(world, side):
    from shequ.services import services

    c = centre(world, side)
    return services.add_window(
        world.users["sysadmin"], c.pk, number=1, name=f"{'甲乙'[side == 'b']}窗口{side}"
    )


def outlet(world, side):
    return make_outlet(world, side, name=f"{'甲乙'[side == 'b']}老年食堂{side}")


def record(world, side):
    r = make_resident(world, side)
    return make_record(world, side, resident=r, follow_up_due=timezone.localdate() + dt.timedelta(days=3))


def community(world, side):
    return world.community(side)


def resident(world, side):
    return make_resident(world, side)


def pk(o):
    return {"pk": o.pk}


def service_form(s):
    return {"name": f"{s.name}（改）", "category": str(s.category_id), "mode": "low", "price": "10",
            "price_unit": "次", "provider_kind": "community", "active": "on"}  # fmt: skip


def yesterday():
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


# --- pages -----------------------------------------------------------------------------------------
cases.listing("services:service-list", make=service, marker=lambda s: s.name, roles=STAFF, department=SEES)
cases.page(
    "services:service-list", roles=("grid_worker",), expect={"*": 403, "department": 200}, department=SEES
)
cases.detail("services:service-detail", make=service, kwargs=pk, roles=STAFF, department=SEES)
cases.page("services:service-create", roles=STAFF)
cases.page("services:service-create", roles=("grid_worker",), expect=403)
cases.detail("services:service-edit", make=service, kwargs=pk, roles=STAFF)
cases.action("services:service-edit", make=service, kwargs=pk, data=service_form, roles=STAFF)
cases.listing("services:centre-list", make=centre, marker=lambda c: c.name, roles=STAFF, department=SEES)
cases.page(
    "services:centre-list", roles=("grid_worker",), expect={"*": 403, "department": 200}, department=SEES
)
cases.detail("services:centre-detail", make=centre, kwargs=pk, roles=STAFF, department=SEES)
cases.page("services:centre-create", roles=STAFF)
cases.detail("services:centre-edit", make=centre, kwargs=pk, roles=STAFF)
cases.action(
    "services:centre-edit", make=centre, kwargs=pk, data=lambda c: {"name": f"{c.name}（新址）"}, roles=STAFF
)
cases.detail("services:window-create", make=centre, kwargs=pk, roles=STAFF)
cases.action("services:window-create", make=centre, kwargs=pk, data={"number": "2", "name": "社会救助窗口", "staff": "1"},
             roles=STAFF)  # fmt: skip
cases.detail("services:window-edit", make=window, kwargs=pk, roles=STAFF)
cases.action("services:window-edit", make=window, kwargs=pk, data={"number": "3", "name": "综合受理", "staff": "2"},
             roles=STAFF)  # fmt: skip
cases.listing("services:outlet-list", make=outlet, marker=lambda o: o.name, roles=STAFF, department=SEES)
cases.page(
    "services:outlet-list", roles=("grid_worker",), expect={"*": 403, "department": 200}, department=SEES
)
cases.page("services:outlet-create", roles=STAFF)
cases.detail("services:outlet-edit", make=outlet, kwargs=pk, roles=STAFF)
cases.action("services:outlet-edit", make=outlet, kwargs=pk, roles=STAFF,
             data=lambda o: {"name": o.name, "category": str(o.category_id), "provider_kind": "community", "staff": "8",
                             "formerly_unemployed": "3", "active": "on"})  # fmt: skip
cases.listing("services:record-list", make=record, marker=lambda r: r.person_name, roles=STAFF)
cases.page("services:record-list", roles=("grid_worker",), expect=403)
cases.detail("services:record-detail", make=record, kwargs=pk, roles=STAFF)
cases.page("services:record-create", roles=STAFF)
cases.page("services:record-create", roles=("grid_worker",), expect=403)
cases.action("services:record-follow-up", make=record, kwargs=pk, data={"done_on": yesterday(), "note": "电话回访，情况良好"},
             roles=STAFF)  # fmt: skip
cases.listing("services:report", make=record, marker=lambda r: r.service.name, roles=STAFF)
cases.page("services:report", roles=("grid_worker",), expect=403)
cases.listing("services:employment-ledger", make=community, marker=lambda c: c.display_name, roles=STAFF)
cases.page("services:employment-ledger", roles=("grid_worker",), expect=403)

# --- API -------------------------------------------------------------------------------------------
cases.public(f"GET {API}/categories", "the categories of services: reference data, no community's")
cases.api_list("GET", f"{API}/catalogue", make=service, marker=lambda s: s.name, roles=STAFF)
cases.api("GET", f"{API}/catalogue/{{int:service_id}}", make=service, path_params=lambda s: {"service_id": s.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/catalogue", make=community, path_params=lambda c: {}, roles=STAFF, expect=201,
          data=lambda c: {"org": c.code, "name": "接口登记的助餐服务", "category": "养老", "mode": "低偿", "price": "8"})  # fmt: skip
cases.api("PATCH", f"{API}/catalogue/{{int:service_id}}", make=service, path_params=lambda s: {"service_id": s.pk},
          data={"hours": "工作日 9:00-17:00"}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/centres", make=centre, marker=lambda c: c.name, roles=STAFF)
cases.api("GET", f"{API}/centres/{{int:centre_id}}", make=centre, path_params=lambda c: {"centre_id": c.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/centres", make=community, path_params=lambda c: {}, roles=("community_lead",), expect=201,
          data=lambda c: {"org": c.code, "name": "接口登记的服务站"})  # fmt: skip
cases.api("POST", f"{API}/centres/{{int:centre_id}}/windows", make=centre, path_params=lambda c: {"centre_id": c.pk},
          roles=STAFF, expect=201, data={"number": 5, "name": "接口窗口"})  # fmt: skip
cases.api("PATCH", f"{API}/windows/{{int:window_id}}", make=window, path_params=lambda w: {"window_id": w.pk},
          data={"staff": 2}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/outlets", make=outlet, marker=lambda o: o.name, roles=STAFF)
cases.api("POST", f"{API}/outlets", make=community, path_params=lambda c: {}, roles=STAFF, expect=201,
          data=lambda c: {"community": c.code, "name": "接口网点", "category": "家政", "staff": 3})  # fmt: skip
cases.api("PATCH", f"{API}/outlets/{{int:outlet_id}}", make=outlet, path_params=lambda o: {"outlet_id": o.pk},
          data={"staff": 9}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/records", make=record, marker=lambda r: r.person_name, roles=STAFF)
cases.api("GET", f"{API}/records/{{int:record_id}}", make=record, path_params=lambda r: {"record_id": r.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/records", make=service, path_params=lambda s: {}, roles=STAFF, expect=201,
          data=lambda s: {"service_id": s.pk, "person_name": "过路老人", "community": s.org.code,
                          "served_on": yesterday()})  # fmt: skip
cases.api("POST", f"{API}/records/{{int:record_id}}/follow-up", make=record, path_params=lambda r: {"record_id": r.pk},
          data={"done_on": yesterday(), "note": "电话回访"}, roles=STAFF)  # fmt: skip
cases.api("GET", f"{API}/report", make=community, path_params=lambda c: {}, query=lambda c: {"scope": c.code},
          roles=STAFF)  # fmt: skip
cases.api("GET", f"{API}/employment-ledger", make=community, path_params=lambda c: {},
          query=lambda c: {"scope": c.code}, roles=STAFF)  # fmt: skip
