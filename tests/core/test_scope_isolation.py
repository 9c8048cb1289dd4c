"""The scope-isolation harness: every page and API route, users scoped to community a, objects in
communities a and b. b's objects never come back (list, detail, export, API); a's do. Every page
route is also tried as department staff and as a resident: refused (403/404) unless its case says
the role uses it."""

import importlib
import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shequ.core.models import ChangeLogEntry
from shequ.core.testing.scope import (
    HIDDEN,
    OUTSIDERS,
    PAGE_KINDS,
    REFUSED,
    SEES,
    api_operations,
    cases,
    expected_status,
    outsider_expectation,
    page_url_names,
)

for _path in sorted(Path(__file__).parents[1].glob("*/scope_cases.py")):
    importlib.import_module(f"tests.{_path.parent.name}.scope_cases")

DEFAULT_ROLES = ("community_lead", "community_worker", "grid_worker")


def _roles(case):
    return case.extra.get("roles", DEFAULT_ROLES)


def _params(case, attr="kind"):
    return [pytest.param(c, r, id=f"{c.name}[{c.kind}]-{r}") for c in cases.of_kind(attr) for r in _roles(c)]


def _call(v, obj):
    return v(obj) if callable(v) else v


def _url(case, obj):
    kwargs = case.kwargs(obj) if case.kwargs else {}
    return reverse(case.name, kwargs=kwargs or None)


def _api_path(case, obj):
    params = case.kwargs(obj) if case.kwargs else {}
    path = re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: str(params[m.group(1)]), case.name.split(" ", 1)[1])
    return path


def test_every_page_route_has_a_case():
    missing = sorted(page_url_names() - set(cases.cases))
    assert not missing, f"routes without a scope case (add them to tests/<app>/scope_cases.py): {missing}"


def test_every_api_operation_has_a_case():
    missing = sorted(api_operations() - set(cases.cases))
    assert not missing, f"API operations without a scope case: {missing}"


def test_cases_name_real_routes():
    known = page_url_names() | api_operations()
    stale = sorted(set(cases.cases) - known)
    assert not stale, f"scope cases for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("case", "role"), _params(None, "detail"))
def test_detail_pages(world, case, role):
    mine, theirs = case.make(world, "a"), case.make(world, "b")
    client = world.client(world.users[role])
    assert client.get(_url(case, theirs)).status_code == 404
    assert client.get(_url(case, mine)).status_code == 200


@pytest.mark.parametrize(("case", "role"), _params(None, "listing"))
def test_list_pages_and_exports(world, case, role):
    mine, theirs = case.make(world, "a"), case.make(world, "b")
    client = world.client(world.users[role])
    query = _call(case.extra.get("query", {}), mine)
    resp = client.get(_url(case, mine), query)
    assert resp.status_code == 200
    body = resp.content.decode()
    assert case.marker(mine) in body
    assert case.marker(theirs) not in body
    if "text/html" in resp["Content-Type"] and "export=xlsx" in body:
        export = client.get(_url(case, mine), {**query, "export": "xlsx"})
        assert export.status_code == 200
        wb = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
        cells = "\n".join(str(c) for row in wb.get_sheet_by_index(0).to_python() for c in row)
        assert case.marker(theirs) not in cells
        assert case.marker(mine) in cells
        # The full (unmasked) export is a POST with a reason: same scope.
        full = client.post(f"{_url(case, mine)}?{urlencode(query)}", {"reason": "范围测试"})
        if full.status_code == 200:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(full.content))
            cells = "\n".join(str(c) for row in wb.get_sheet_by_index(0).to_python() for c in row)
            assert case.marker(theirs) not in cells
            assert case.marker(mine) in cells
        else:
            assert full.status_code == 403  # a role without the reveal permission


@pytest.mark.parametrize(("case", "role"), _params(None, "action"))
def test_actions_on_other_community_are_404_and_change_nothing(world, case, role):
    mine, theirs = case.make(world, "a"), case.make(world, "b")
    client = world.client(world.users[role])
    before = ChangeLogEntry.objects.count()
    kw = {}
    data = _call(case.data, theirs) or {}
    if case.extra.get("content_type") == "application/json":
        kw = {"data": json.dumps(data), "content_type": "application/json"}
    else:
        kw = {"data": data}
    send = getattr(client, case.method.lower())
    resp = send(_url(case, theirs), **kw)
    assert resp.status_code == 404
    assert ChangeLogEntry.objects.count() == before
    # The same act on one's own community answers what the case expects (a redirect after a
    # successful form post, unless the case says otherwise): not any status but 404.
    data = _call(case.data, mine) or {}
    kw["data"] = json.dumps(data) if "content_type" in kw else data
    resp = send(_url(case, mine), **kw)
    assert resp.status_code == expected_status(case, role), resp.content[:500]


@pytest.mark.parametrize(("case", "role"), _params(None, "page"))
def test_pages_without_an_object(world, case, role):
    obj = case.make(world, "a") if case.make else None
    client = world.client(world.users[role])
    before = ChangeLogEntry.objects.count()
    resp = _send(client, case, obj)
    assert resp.status_code == expected_status(case, role, 200)
    if resp.status_code >= 400:
        assert ChangeLogEntry.objects.count() == before  # a refused post writes nothing


@pytest.mark.parametrize(("case", "role"), _params(None, "api"))
def test_api_objects(world, case, role):
    mine, theirs = case.make(world, "a"), case.make(world, "b")
    token = world.token(world.users[role])
    headers = {"Authorization": f"Bearer {token}"}
    from django.test import Client

    client = Client()
    method = case.method.lower()

    def call(obj):
        data = _call(case.data, obj)
        query = _call(case.extra.get("query"), obj)
        path = _api_path(case, obj)
        if method == "get":
            return client.get(path, query or {}, headers=headers)
        return getattr(client, method)(
            path, json.dumps(data or {}), content_type="application/json", headers=headers
        )

    before = ChangeLogEntry.objects.count()
    resp = call(theirs)
    assert resp.status_code == 404, resp.content
    assert resp.json()["code"] == "not_found"
    assert ChangeLogEntry.objects.count() == before
    resp = call(mine)
    assert resp.status_code == case.extra.get("expect", 200), resp.content


@pytest.mark.parametrize(("case", "role"), _params(None, "api_list"))
def test_api_lists(world, case, role):
    mine, theirs = case.make(world, "a"), case.make(world, "b")
    token = world.token(world.users[role])
    from django.test import Client

    resp = Client().get(
        case.name.split(" ", 1)[1], {"limit": 1000}, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 200
    body = json.dumps(resp.json(), ensure_ascii=False)
    assert case.marker(mine) in body
    assert case.marker(theirs) not in body


def _send(client, case, obj):
    """The case's request on `obj`: a GET of a page, or the action's (or a page's) POST with its
    data."""
    url = _url(case, obj)
    if case.kind != "action" and case.method == "GET":
        return client.get(url, _call(case.extra.get("query", {}), obj))
    data = _call(case.data, obj) or {}
    send = getattr(client, case.method.lower())
    if case.extra.get("content_type") == "application/json":
        return send(url, data=json.dumps(data), content_type="application/json")
    return send(url, data=data)


def _outsider_params():
    out = []
    for c in cases.of_kind(*PAGE_KINDS):
        for role in OUTSIDERS:
            expectation = outsider_expectation(c, role)
            if expectation is not None:
                out.append(pytest.param(c, role, expectation, id=f"{c.name}[{c.kind}]-{role}-{expectation}"))
    return out


@pytest.mark.parametrize(("case", "role", "expectation"), _outsider_params())
def test_department_staff_and_residents(world, case, role, expectation):
    """Department staff (district scope) and a resident of community a, on a's object: a route
    the role may not use is refused, never an empty 200; one it uses shows what is theirs."""
    mine = case.make(world, "a") if case.make else None
    client = world.client(world.users[role])
    before = ChangeLogEntry.objects.count()
    resp = _send(client, case, mine)
    status = resp.status_code
    if expectation == REFUSED:
        assert status in (403, 404), f"{role} got {status} from {case.name}"
        assert ChangeLogEntry.objects.count() == before
        return
    if case.kind == "action":
        if expectation == HIDDEN:
            assert status == 404 and ChangeLogEntry.objects.count() == before
        else:
            assert status == expected_status(case, role), resp.content[:500]
        return
    if case.kind == "detail" and expectation == HIDDEN:
        assert status == 404
        return
    assert status == (expected_status(case, role, 200) if case.kind == "page" else 200), resp.content[:500]
    if case.kind == "listing":
        body = resp.content.decode()
        query = _call(case.extra.get("query", {}), mine)
        echoed = any(case.marker(mine) in str(v) for v in query.values())  # the search box repeats it
        if expectation == SEES or not echoed:
            assert (case.marker(mine) in body) == (expectation == SEES)
        if "text/html" in resp["Content-Type"] and "export=xlsx" in body:
            export = client.get(_url(case, mine), {**query, "export": "xlsx"})
            assert export.status_code == 200
            wb = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
            cells = "\n".join(str(c) for row in wb.get_sheet_by_index(0).to_python() for c in row)
            assert (case.marker(mine) in cells) == (expectation == SEES)


def _anonymous_params():
    seen, out = set(), []
    for c in cases.of_kind(*PAGE_KINDS):
        if (c.name, c.kind) not in seen:
            seen.add((c.name, c.kind))
            out.append(pytest.param(c, id=f"{c.name}[{c.kind}]"))
    return out


@pytest.mark.parametrize("case", _anonymous_params())
def test_signed_out_visitors_are_sent_to_sign_in(world, case):
    """Every page route with a case (public ones aside) sends a signed-out visitor to sign in."""
    from django.test import Client

    obj = case.make(world, "a") if case.make else None
    before = ChangeLogEntry.objects.count()
    resp = _send(Client(), case, obj)
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("core:login")), case.name
    assert ChangeLogEntry.objects.count() == before


def test_anonymous_gets_nothing(world):
    """Without a session or token, no scoped route answers with data."""
    from django.test import Client

    c = Client()
    grid = world.grid_a
    for url in [reverse("org:grid-detail", args=[grid.pk]), reverse("org:grid-list"), reverse("core:home")]:
        assert c.get(url).status_code == 302
    assert c.get(f"/api/v1/org/grids/{grid.pk}").status_code == 401
