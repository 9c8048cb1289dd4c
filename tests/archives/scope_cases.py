"""Scope cases for every page and API route of the archives. The community lead and a community
worker of community a, charged with the archive duty (档案员), keep a's fonds; b's items, requests
and rounds are not found. Department staff and residents are refused everything (the default)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.core.testing.scope import cases
from tests.archives.factories import (
    YEAR,
    charge,
    fonds,
    make_disposal,
    make_file,
    make_item,
    make_judged,
    make_proposal,
    make_register,
    make_request,
    make_round,
    pdf,
)

STAFF = ("community_lead", "community_worker")
API = "/api/v1/archives"


def pk(o):
    return {"pk": o.pk}


def charged(world, side):
    charge(world)
    return world.community(side)


def fonds_year(f):
    return {"fonds": f.number, "year": YEAR}


def _expired(world, side):
    from django.utils import timezone

    make_item(world, side, entry="WS-14", year=timezone.localdate().year - 12)
    return fonds(world, side)


# --- pages -----------------------------------------------------------------------------------------
cases.listing("archives:item-list", make=make_item, marker=lambda i: i.reference, roles=STAFF)
cases.page("archives:item-create", make=charged, roles=STAFF)
cases.detail("archives:item-detail", make=make_item, kwargs=pk, roles=STAFF)
cases.detail("archives:item-attach", make=make_item, kwargs=pk, roles=STAFF)
cases.action("archives:item-attach", make=make_item, kwargs=pk, roles=STAFF,
             data=lambda i: {"file": SimpleUploadedFile("扫描.pdf", pdf(), "application/pdf")})  # fmt: skip
cases.detail("archives:item-openness", make=make_item, kwargs=pk, roles=STAFF)
cases.action("archives:item-openness", make=make_item, kwargs=pk, roles=STAFF,
             data={"openness": "restricted", "openness_reason": "涉及个人隐私"})  # fmt: skip
cases.detail("archives:file", make=make_file, kwargs=pk, roles=STAFF)
cases.listing("archives:fonds-list", make=fonds, marker=lambda f: f.number, roles=STAFF)
cases.page("archives:fonds-create", make=charged, roles=STAFF)
cases.listing("archives:proposals", make=make_proposal, marker=lambda p: p.title, roles=STAFF)
cases.page("archives:proposals-generate", make=fonds, roles=STAFF, method="POST", data=fonds_year, expect=302)
cases.action("archives:proposals-confirm", make=make_proposal, kwargs=None, roles=STAFF,
             data=lambda p: {"proposal": p.pk})  # fmt: skip
cases.action("archives:proposal-reject", make=make_proposal, kwargs=pk, roles=STAFF, data={"reason": "重复"})
cases.listing("archives:filing", make=make_round, marker=lambda r: r.fonds.number, roles=STAFF,
              query=lambda r: {"year": r.year})  # fmt: skip
cases.page("archives:filing-open", make=fonds, roles=STAFF, method="POST", data=fonds_year, expect=302)
cases.action(
    "archives:filing-close", make=make_round, kwargs=pk, roles=STAFF, data={"note": "部分材料在街道"}
)
cases.listing("archives:request-list", make=make_request, marker=lambda r: r.number, roles=STAFF)
cases.page("archives:request-create", make=charged, roles=STAFF)
cases.detail("archives:request-detail", make=make_request, kwargs=pk, roles=STAFF)
cases.action("archives:request-move", make=make_request, kwargs=pk, roles=STAFF, data={"act": "approve"})
cases.listing("archives:disposal-list", make=make_disposal, marker=lambda r: r.fonds.number, roles=STAFF)
cases.page("archives:disposal-open", make=_expired, roles=STAFF, method="POST",
           data=lambda f: {"fonds": f.number}, expect=302)  # fmt: skip
cases.detail("archives:disposal-detail", make=make_disposal, kwargs=pk, roles=STAFF)
cases.action("archives:disposal-opinion", make=make_disposal, kwargs=pk, roles=STAFF,
             data={"member": "钱居民", "kind": "resident"})  # fmt: skip
cases.action(
    "archives:disposal-decide", make=make_judged, kwargs=pk, roles=STAFF, data={"method": "碎纸机销毁"}
)
cases.listing("archives:register", make=make_register, marker=lambda e: e.reference, roles=STAFF)
cases.listing("archives:report", make=fonds, marker=lambda f: f.number, roles=STAFF)

# --- API -------------------------------------------------------------------------------------------
cases.public(f"GET {API}/schedule", "the retention schedule: reference data, no community's")
cases.api_list("GET", f"{API}/fonds", make=fonds, marker=lambda f: f.number, roles=STAFF)
cases.api("POST", f"{API}/fonds", make=charged, path_params=lambda c: {}, roles=STAFF, expect=201,
          data=lambda c: {"org": c.code, "number": f"N{c.code[-4:]}"})  # fmt: skip
cases.api_list("GET", f"{API}/items", make=make_item, marker=lambda i: i.reference, roles=STAFF)
cases.api("POST", f"{API}/items", make=fonds, path_params=lambda f: {}, roles=STAFF, expect=201,
          data=lambda f: {"fonds": f.number, "entry": "WS-12", "year": YEAR, "title": "调解协议书",
                          "responsible": "人民调解委员会", "date": f"{YEAR}-03-01", "box": "3"})  # fmt: skip
cases.api(
    "GET",
    f"{API}/items/{{int:item_id}}",
    make=make_item,
    path_params=lambda i: {"item_id": i.pk},
    roles=STAFF,
)
cases.api("PATCH", f"{API}/items/{{int:item_id}}", make=make_item, path_params=lambda i: {"item_id": i.pk},
          data={"box": "盒9"}, roles=STAFF)  # fmt: skip
cases.api("DELETE", f"{API}/items/{{int:item_id}}", make=make_item, path_params=lambda i: {"item_id": i.pk},
          roles=STAFF, expect=409)  # fmt: skip
cases.api("POST", f"{API}/items/{{int:item_id}}/files", make=make_item, path_params=lambda i: {"item_id": i.pk},
          data={"name": "扫描.txt", "data_base64": "6LCD6Kej5Y2P6K6u"}, roles=STAFF, expect=201)  # fmt: skip
cases.api_list("GET", f"{API}/proposals", make=make_proposal, marker=lambda p: p.title, roles=STAFF)
cases.api("POST", f"{API}/proposals/generate", make=fonds, path_params=lambda f: {}, data=fonds_year, roles=STAFF,
          expect=201)  # fmt: skip
cases.api("POST", f"{API}/proposals/confirm", make=make_proposal, path_params=lambda p: {},
          data=lambda p: {"proposals": [p.pk]}, roles=STAFF, expect=201)  # fmt: skip
cases.api("POST", f"{API}/proposals/{{int:proposal_id}}/reject", make=make_proposal,
          path_params=lambda p: {"proposal_id": p.pk}, data={"reason": "重复"}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/rounds", make=make_round, marker=lambda r: r.fonds.number, roles=STAFF)
cases.api(
    "POST", f"{API}/rounds", make=fonds, path_params=lambda f: {}, data=fonds_year, roles=STAFF, expect=201
)
cases.api("POST", f"{API}/rounds/{{int:round_id}}/close", make=make_round, path_params=lambda r: {"round_id": r.pk},
          data={"note": "部分材料在街道"}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/requests", make=make_request, marker=lambda r: r.number, roles=STAFF)
cases.api("POST", f"{API}/requests", make=make_item, path_params=lambda i: {}, roles=STAFF, expect=201,
          data=lambda i: {"fonds": i.fonds.number, "items": [i.pk], "requester": "张三", "purpose": "mediation"})  # fmt: skip
cases.api("GET", f"{API}/requests/{{int:request_id}}", make=make_request, path_params=lambda r: {"request_id": r.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/requests/{{int:request_id}}/move", make=make_request,
          path_params=lambda r: {"request_id": r.pk}, data={"act": "approve"}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/disposals", make=make_disposal, marker=lambda r: r.fonds.number, roles=STAFF)
cases.api("POST", f"{API}/disposals", make=_expired, path_params=lambda f: {}, roles=STAFF, expect=201,
          data=lambda f: {"fonds": f.number, "year": YEAR + 1})  # fmt: skip
cases.api("GET", f"{API}/disposals/{{int:round_id}}", make=make_disposal, path_params=lambda r: {"round_id": r.pk},
          roles=STAFF)  # fmt: skip
cases.api("POST", f"{API}/disposals/{{int:round_id}}/opinions", make=make_disposal,
          path_params=lambda r: {"round_id": r.pk}, data={"member": "钱居民", "kind": "resident"}, roles=STAFF,
          expect=201)  # fmt: skip
cases.api("POST", f"{API}/disposals/{{int:round_id}}/decide", make=make_judged,
          path_params=lambda r: {"round_id": r.pk}, data={"method": "碎纸机销毁"}, roles=STAFF)  # fmt: skip
cases.api_list("GET", f"{API}/register", make=make_register, marker=lambda e: e.reference, roles=STAFF)
cases.api("DELETE", f"{API}/register/{{int:entry_id}}", make=make_register, path_params=lambda e: {"entry_id": e.pk},
          roles=STAFF, expect=409)  # fmt: skip
cases.api("GET", f"{API}/report", make=fonds, path_params=lambda f: {}, query=lambda f: {"scope": f.org.code},
          roles=STAFF)  # fmt: skip
