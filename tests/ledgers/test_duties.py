"""The ledgers are read and kept only by staff charged with the duty: every route refuses every
other role — the same roles without the duty (street manager, community lead, community worker),
grid workers, department staff, residents — with 403 or 404 and nothing written; no nav entry,
no home card, no panel on a resident's or a case's page, no API answer."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from shequ.core import scope
from shequ.core.models import ChangeLogEntry, Membership
from shequ.core.registry import nav_for
from shequ.core.testing.scope import api_operations, cases, page_url_names
from shequ.ledgers.models import CORRECTION, MEDIATION, RELIEF, VIEW_CORRECTION, VIEW_MEDIATION, VIEW_RELIEF
from tests.ledgers import scope_cases  # noqa: F401 - registers the cases
from tests.ledgers.factories import grant

WITHOUT = (
    "street",
    "community_lead",
    "community_worker",
    "grid_worker",
    "department",
    "resident",
    "sysadmin",
)


def _ledger_cases(kinds):
    out = []
    for name, cs in cases.cases.items():
        if name.startswith("ledgers:") or "/api/v1/ledgers" in name:
            c = cs[0]
            if c.kind in kinds and c.make is not None:
                out.append(c)
    return out


def _undo_duties(world):
    Membership.objects.update(duties=[])
    for u in world.users.values():
        u.__dict__.pop("_shequ_memberships", None)


def test_every_ledgers_route_is_covered_here():
    pages = {n for n in page_url_names() if n.startswith("ledgers:")}
    apis = {n for n in api_operations() if "/api/v1/ledgers" in n}
    covered = {c.name for c in _ledger_cases(("detail", "listing", "action", "page", "api", "api_list"))}
    public = {n for n in apis if all(c.kind == "public" for c in cases.cases[n])}
    assert pages <= covered
    assert apis - public <= covered


@pytest.mark.parametrize("role", WITHOUT)
@pytest.mark.parametrize("case", _ledger_cases(("detail", "listing", "action", "page")), ids=lambda c: c.name)
def test_pages_refuse_a_role_without_the_duty(world, case, role):
    obj = case.make(world, "a")
    _undo_duties(world)
    client = world.client(world.users[role])
    before = ChangeLogEntry.objects.count()
    url = reverse(case.name, kwargs=case.kwargs(obj) if case.kwargs else None)
    query = case.extra.get("query")
    query = query(obj) if callable(query) else (query or {})
    if case.kind == "action" or case.method == "POST":
        data = case.data(obj) if callable(case.data) else (case.data or {})
        resp = client.post(url, data)
    else:
        resp = client.get(url, query)
        assert client.get(url, {**query, "export": "xlsx"}).status_code in (403, 404)
    assert resp.status_code in (403, 404), f"{role} got {resp.status_code} from {case.name}"
    assert ChangeLogEntry.objects.count() == before


@pytest.mark.parametrize("role", WITHOUT)
@pytest.mark.parametrize("case", _ledger_cases(("api", "api_list")), ids=lambda c: c.name)
def test_api_refuses_a_role_without_the_duty(world, case, role):
    obj = case.make(world, "a")
    _undo_duties(world)
    headers = {"Authorization": f"Bearer {world.token(world.users[role])}"}
    params = case.kwargs(obj) if case.kwargs else {}
    path = re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: str(params[m.group(1)]), case.name.split(" ", 1)[1])
    before = ChangeLogEntry.objects.count()
    if case.method == "GET":
        resp = Client().get(path, headers=headers)
    else:
        data = case.data(obj) if callable(case.data) else (case.data or {})
        resp = Client().post(path, json.dumps(data), content_type="application/json", headers=headers)
    assert resp.status_code in (403, 404), f"{role} got {resp.status_code} from {case.name}"
    assert ChangeLogEntry.objects.count() == before


def test_one_duty_does_not_open_the_others(world):
    from tests.ledgers.factories import make_mediation, make_payment, make_subject

    pay, med, subj = make_payment(world, "a"), make_mediation(world, "a"), make_subject(world, "a")
    _undo_duties(world)
    worker = grant(world.users["community_worker"], MEDIATION)
    assert scope.holds(worker, VIEW_MEDIATION)
    assert not scope.holds(worker, VIEW_RELIEF) and not scope.holds(worker, VIEW_CORRECTION)
    c = world.client(worker)
    assert c.get(reverse("ledgers:mediation-detail", args=[med.pk])).status_code == 200
    assert c.get(reverse("ledgers:relief-detail", args=[pay.case_id])).status_code == 403
    assert c.get(reverse("ledgers:correction-detail", args=[subj.pk])).status_code == 403
    labels = [i["name"] for g in nav_for(worker) for i in g["items"]]
    assert "ledgers:mediation-list" in labels and "ledgers:relief-list" not in labels


def test_nav_home_card_and_resident_panel_only_for_duty_holders(world):
    from tests.ledgers.factories import make_payment

    pay = make_payment(world, "a")
    resident_url = reverse("people:resident-detail", args=[pay.case.head_id])
    holder = world.users["community_lead"]  # charged by the factory
    c = world.client(holder)
    page = c.get(resident_url).content.decode()
    assert 'id="resident-ledgers"' in page and pay.case.get_absolute_url() in page
    assert 'id="ledgers-card"' in c.get("/").content.decode()
    _undo_duties(world)
    for role in ("street", "community_lead", "community_worker", "grid_worker"):
        user = world.users[role]
        c = world.client(user)
        if c.get(resident_url).status_code == 200:
            assert "resident-ledgers" not in c.get(resident_url).content.decode()
        assert "ledgers-card" not in c.get("/").content.decode()
        assert not any(i["name"].startswith("ledgers:") for g in nav_for(user) for i in g["items"])


def test_case_page_shows_its_mediation_to_duty_holders_only(world):
    from tests.cases.factories import make_case
    from tests.ledgers.factories import make_mediation

    case = make_case(world, "a")
    med = make_mediation(world, "a", case=case.number)
    url = reverse("cases:case-detail", args=[case.pk])
    page = world.client(world.users["community_lead"]).get(url).content.decode()
    assert 'id="case-mediation"' in page and med.number in page
    _undo_duties(world)
    page = world.client(world.users["community_lead"]).get(url).content.decode()
    assert "case-mediation" not in page and med.number not in page


def test_a_duty_is_given_only_to_a_role_that_may_hold_it(world):
    from shequ.core import accounts
    from shequ.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        accounts.set_duty(None, "t_grid_a", role="grid_worker", grid=world.grid_a, duty=RELIEF)
    with pytest.raises(ValidationFailed):
        accounts.set_duty(None, "t_dept", role="department", org=world.district, duty=CORRECTION)
    m = accounts.set_duty(None, "t_worker_a", role="community_worker", org=world.a, duty=RELIEF)
    assert m.duties == [RELIEF]
    m = accounts.set_duty(None, "t_worker_a", role="community_worker", org=world.a, duty=RELIEF, on=False)
    assert m.duties == []
