"""The resident edit form: the 身份证 number and phone reach the page only masked, nothing is
logged by opening the form, an untouched masked value is kept, and the full value is seen only
through the logged reveal beside the field."""

import json
import re

import pytest
from django.urls import reverse

from shequ.core.masking import mask
from shequ.core.models import Action, ChangeLogEntry
from tests.people.factories import make_resident

pytestmark = pytest.mark.django_db


def _form(r, **over):
    data = {
        "name": r.name,
        "doc_type": r.doc_type,
        "doc_number": mask(r.doc_number, "id_number"),
        "phone": mask(r.phone, "phone"),
        "version": r.version,
    }
    data.update(over)
    return data


def test_edit_form_shows_masked_values_and_logs_nothing(world):
    r = make_resident(world, "a")
    before = ChangeLogEntry.objects.count()
    page = world.client(world.users["grid_worker"]).get(reverse("people:resident-edit", args=[r.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert r.doc_number not in body and r.phone not in body
    assert mask(r.doc_number, "id_number") in body and mask(r.phone, "phone") in body
    assert ChangeLogEntry.objects.count() == before


def test_untouched_masked_values_are_kept(world):
    r = make_resident(world, "a")
    doc, phone = r.doc_number, r.phone
    c = world.client(world.users["grid_worker"])
    resp = c.post(reverse("people:resident-edit", args=[r.pk]), _form(r, name="甲改名"))
    assert resp.status_code == 302
    r.refresh_from_db()
    assert (r.name, r.doc_number, r.phone) == ("甲改名", doc, phone)
    entry = ChangeLogEntry.objects.filter(action=Action.UPDATE, object_id=str(r.pk)).latest("id")
    assert "name" in entry.changed
    assert "doc_number" not in entry.changed and "phone" not in entry.changed


def test_a_new_number_typed_in_full_replaces_the_stored_one(world):
    r = make_resident(world, "a")
    c = world.client(world.users["community_worker"])
    resp = c.post(reverse("people:resident-edit", args=[r.pk]), _form(r, phone="13600001234"))
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.phone == "13600001234"


def test_a_half_edited_mask_is_refused_and_nothing_changes(world):
    r = make_resident(world, "a")
    phone = r.phone
    c = world.client(world.users["community_worker"])
    resp = c.post(reverse("people:resident-edit", args=[r.pk]), _form(r, phone=phone[:3] + "****0000"))
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "请完整填写新的号码" in body and phone not in body
    r.refresh_from_db()
    assert r.phone == phone


def test_the_full_value_comes_only_through_the_logged_reveal_beside_the_field(world):
    r = make_resident(world, "a")
    c = world.client(world.users["community_worker"])
    body = c.get(reverse("people:resident-edit", args=[r.pk])).content.decode()
    found = [json.loads(v.replace("&quot;", '"')) for v in re.findall(r"hx-vals='([^']+)'", body)]
    fields = {v["field"]: v for v in found}
    assert set(fields) == {"doc_number", "phone"}
    resp = c.post(reverse("core:reveal"), {**fields["doc_number"], "reason": "入户核实"})
    assert resp.status_code == 200 and r.doc_number in resp.content.decode()
    entry = ChangeLogEntry.objects.get(action=Action.REVEAL, object_id=str(r.pk))
    assert "入户核实" in entry.note and entry.changed == ["doc_number"]
    # Department staff may not open the form at all.
    dept = world.client(world.users["department"]).get(reverse("people:resident-edit", args=[r.pk]))
    assert dept.status_code == 404
