"""A document number already on the registry in a community the clerk does not govern: the clerk
learns that the person is registered elsewhere and is offered the transfer request, never which
community holds them or in what state (API, page and import preview alike)."""

import pytest
from django.urls import reverse

from shequ.core.importing import create_batch, validate_batch
from shequ.people.choices import Status
from shequ.people.models import Resident
from tests.people.conftest import id_number, person, workbook
from tests.people.factories import make_house
from tests.people.test_api import API, api, post, register

pytestmark = pytest.mark.django_db


def in_b(world, doc, status=Status.ACTIVE):
    return Resident.objects.create(community=world.b, name="乙某", doc_number=doc, phone="", status=status)


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.MOVED_OUT, Status.DECEASED])
def test_api_says_only_registered_elsewhere_and_offers_the_transfer(world, status):
    doc = id_number(birth="19600101", seq="201")
    in_b(world, doc, status)
    resp = register(api(world), world, doc=doc)
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "duplicate_resident"
    assert "其他社区" in body["message"] and "迁入申请" in body["message"]
    text = str(body)
    assert "郭岭" not in text and str(Status(status).label) not in text
    assert body["details"]["request_transfer"] == ["POST /api/v1/people/transfers"]
    # The offered request goes through and names the person to the community that holds them.
    t = post(api(world), f"{API}/transfers", {"doc_number": doc, "to_community_code": world.a.code})
    assert t.status_code in (201, 409)  # 409 only for a person registered as deceased
    assert (t.status_code == 409) == (status == Status.DECEASED)


def test_a_community_the_clerk_governs_is_named(world):
    doc = id_number(birth="19600101", seq="202")
    in_b(world, doc)
    street = api(world, "district")  # 区级 sees both communities
    resp = register(street, world, doc=doc)
    assert resp.status_code == 409 and "郭岭" in resp.json()["message"]


def test_page_form_says_the_same(world):
    doc = id_number(birth="19600101", seq="203")
    in_b(world, doc)
    c = world.client(world.users["community_worker"])
    resp = c.post(
        reverse("people:resident-create") + f"?community={world.a.code}",
        {
            "kind": "register",
            "house": make_house(world, "a").pk,
            "name": "甲某",
            "doc_type": "id_card",
            "doc_number": doc,
            "residence_type": "registered",
        },
    )
    body = resp.content.decode()
    assert resp.status_code == 409 and "已在其他社区登记" in body and "郭岭" not in body


def test_import_preview_says_the_same(world):
    row = person(7, 小区="宁安小区")
    in_b(world, row["证件号码"], Status.DECEASED)
    user = world.users["community_worker"]
    batch = create_batch(user, "people.residents", world.a.code, "a.xlsx", workbook([row]))
    validate_batch(batch, user)
    batch.refresh_from_db()
    text = str(batch.errors)
    assert "已在其他社区登记" in text and "郭岭" not in text and "死亡" not in text
