"""Scope cases of the duty lists. Lists hang at a district or street, so the two sides are two
streets: side a is the world's 纸坊街道 (the street manager's own), side b a neighbouring street
the street manager does not govern. The public pages serve published lists to everyone."""

import datetime as dt

from django.utils import timezone

from shequ.core.testing.scope import cases
from shequ.duties import services
from shequ.org.models import OrgUnit

STREET = ("street",)
pk = lambda o: {"pk": o.pk}  # noqa: E731
title = lambda o: o.title  # noqa: E731


def _street(world, side):
    if side == "a":
        return world.street
    other, _ = OrgUnit.objects.get_or_create(
        code="420115002", defaults={"name": "五里界街道", "level": "street", "parent": world.district}
    )
    return other


def _admin(world, side):
    from shequ.core.roles import Role
    from shequ.core.testing.world import make_user

    if side == "a":
        return world.users["street"]
    u = world.users.get("street_b")
    if u is None:
        u = make_user("t_street_b", Role.STREET, _street(world, "b"))
        world.users["street_b"] = u
    return u


def draft_list(world, side):
    """A draft of the side's street list with one item."""
    org = _street(world, side)
    admin = _admin(world, side)
    dl = services.create_list(
        admin,
        org=org,
        title=f"{org.name}事项清单草稿{side.upper()}",
        effective_from=timezone.localdate() + dt.timedelta(days=7),
    )
    services.save_item(admin, dl, code=f"JD-{side}", kind="assist", title=f"协助{org.name}工作{side.upper()}")
    return dl


def draft_item(world, side):
    return draft_list(world, side).items.get()


def _workbook():
    import io

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("事项清单")
    ws.write_row(0, 0, ["事项编号", "类别", "事项名称", "法律政策依据", "责任部门", "须随事拨付经费"])
    ws.write_row(
        1, 0, ["XZ-01", "协助政府工作事项", "协助开展老年人能力评估", "养老服务条例", "区民政局", "否"]
    )
    wb.close()
    return SimpleUploadedFile("清单.xlsx", buf.getvalue(), content_type="application/octet-stream")


ITEM = {
    "code": "JD-9",
    "kind": "assist",
    "title": "协助开展文明创建",
    "set_by": "street",
    "frequency": "yearly",
    "hours_per_month": "2",
    "position": "9",
}

# --- public pages ----------------------------------------------------------------------------------
cases.public("duties:public-lists", "published lists, public by design (drafts never shown)")
cases.public("duties:public-list-detail", "one published version, public by design (drafts 404)")
cases.public("duties:item-detail", "one item of a published version, public by design (drafts 404)")
cases.public("duties:list-export", "a published version as xlsx, public by design (drafts 404)")

# --- management pages ------------------------------------------------------------------------------
cases.listing("duties:list-index", make=draft_list, marker=title, roles=STREET)
cases.detail("duties:list-detail", make=draft_list, kwargs=pk, roles=STREET)
cases.page("duties:list-create", roles=STREET)  # the org choices are the user's own districts/streets
cases.detail("duties:item-create", make=draft_list, kwargs=pk, roles=STREET)
cases.action("duties:item-create", make=draft_list, kwargs=pk, data=ITEM, roles=STREET)
cases.detail("duties:item-edit", make=draft_item, kwargs=pk, roles=STREET)
cases.action("duties:item-edit", make=draft_item, kwargs=pk, data={**ITEM, "code": "JD-8"}, roles=STREET)
cases.action("duties:item-delete", make=draft_item, kwargs=pk, roles=STREET)
cases.detail("duties:list-publish", make=draft_list, kwargs=pk, roles=STREET)
cases.action("duties:list-publish", make=draft_list, kwargs=pk, data=lambda o: {"expected_version": o.version}, roles=STREET)  # fmt: skip
cases.detail("duties:list-import", make=draft_list, kwargs=pk, roles=STREET)
# The upload step: the preview (200) reads the file only for a list the user manages.
cases.action("duties:list-import", make=draft_list, kwargs=pk, data=lambda o: {"step": "upload", "file": _workbook()}, roles=STREET, expect=200)  # fmt: skip

# --- API -------------------------------------------------------------------------------------------
API = "/api/v1/duties"
cases.api_list("GET", f"{API}/lists", make=draft_list, marker=title, roles=STREET)
cases.api("GET", f"{API}/lists/{{int:list_id}}", make=draft_list, path_params=lambda o: {"list_id": o.pk}, roles=STREET)  # fmt: skip
cases.public(f"GET {API}/items", "items in force for an org code: published lists only, public by design")
cases.api(
    "POST",
    f"{API}/lists",
    make=draft_list,
    path_params={},
    data=lambda o: {"org": o.org.code, "title": "新版本", "effective_from": "2030-01-01"},
    roles=STREET,
    expect=201,
)
cases.api(
    "POST",
    f"{API}/lists/{{int:list_id}}/items",
    make=draft_list,
    path_params=lambda o: {"list_id": o.pk},
    data={**ITEM, "hours_per_month": 2, "position": 9},
    roles=STREET,
    expect=201,
)
cases.api(
    "PUT",
    f"{API}/items/{{int:item_id}}",
    make=draft_item,
    path_params=lambda o: {"item_id": o.pk},
    data={**ITEM, "hours_per_month": 2, "position": 9},
    roles=STREET,
)
cases.api(
    "DELETE",
    f"{API}/items/{{int:item_id}}",
    make=draft_item,
    path_params=lambda o: {"item_id": o.pk},
    roles=STREET,
    expect=204,
)
cases.api(
    "POST",
    f"{API}/lists/{{int:list_id}}/publish",
    make=draft_list,
    path_params=lambda o: {"list_id": o.pk},
    data={},
    roles=STREET,
)
