"""One read rule per model on the API too: a list over a model the role may read nowhere is refused
(403), as its pages and exports are, never an empty 200 that reads as "nothing here"."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

REGISTRY = [
    "/api/v1/people/residents",
    "/api/v1/people/households",
    "/api/v1/people/houses",
    "/api/v1/people/visits/due",
    "/api/v1/people/transfers",
]


def _api(world, role) -> Client:
    return Client(HTTP_AUTHORIZATION="Bearer " + world.token(world.users[role]))


@pytest.mark.parametrize("role", ["department", "resident"])
@pytest.mark.parametrize("path", REGISTRY)
def test_the_registry_is_refused_to_department_staff_and_residents(world, role, path):
    resp = _api(world, role).get(path)
    assert resp.status_code == 403, (role, path, resp.status_code)
    assert resp.json()["code"] == "permission_denied"


def test_a_resident_lists_no_staff_data_through_the_api(world):
    client = _api(world, "resident")
    for path in ("/api/v1/org/grids", "/api/v1/org/units", "/api/v1/duties/tasks"):
        assert client.get(path).status_code == 403, path
    # Their own requests are theirs to list (tests/cases/test_api.py checks which).
    assert client.get("/api/v1/cases/cases").status_code == 200


def test_staff_and_public_lists_still_answer(world):
    assert _api(world, "community_worker").get("/api/v1/people/residents").status_code == 200
    assert _api(world, "department").get("/api/v1/org/grids").json()["count"] == 2  # their district's grids
    for role in ("department", "resident"):
        assert _api(world, role).get("/api/v1/duties/lists").status_code == 200  # public
    assert Client().get("/api/v1/duties/lists").status_code == 200
