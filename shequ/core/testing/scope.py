"""The scope-isolation harness every module reuses.

Each module describes its routes in `tests/<app>/scope_cases.py`:

    from shequ.core.testing.scope import cases

    cases.detail("org:grid-detail", make=make_grid, kwargs=lambda g: {"pk": g.pk})
    cases.listing("org:grid-list", make=make_grid, marker=lambda g: g.code)
    cases.action("org:grid-boundary", make=make_grid, kwargs=lambda g: {"pk": g.pk}, data={...})
    cases.api("GET", "/api/v1/org/grids/{int:grid_id}", make=make_grid, path_params=lambda g: {"grid_id": g.pk})
    cases.api_list("GET", "/api/v1/org/grids", make=make_grid, marker=lambda g: g.code)
    cases.public("core:login", "sign-in page, no data")

The API path is written exactly as the router declares it (with its converters, `{int:grid_id}`);
`data` and `kwargs`/`path_params` may be values or functions of the object; extra keywords such as
`roles=(...)` (which users to try), `query=`, `expect=201` or `content_type=` refine a case.

`make(world, side)` creates an object in community "a" or "b" of the two-community world. The
harness (tests/core/test_scope_isolation.py) then checks, for users scoped to community a, that
b's objects never come back from a page, an export or the API, and that a's do. Every URL name
and every API operation must be registered; a new route without a case fails the suite.

Every page case is also tried as department staff and as a resident of community a, on a's
object: a route that a role may not use must answer 403 or 404 (an action must also write
nothing), never an empty 200. A route that such a role does use says so:

    cases.listing("org:grid-list", ..., department=SEES)       # 200 with a's marker
    cases.listing("cases:case-list", ..., department=HIDDEN)   # 200, but a's row is not theirs
    cases.page("people:import", resident=REFUSED)             # REFUSED is the default
    cases.page("core:import-synonym-add", method="POST", data={...}, expect=403)  # a setting

An action states the status the act on one's own community answers (`expect=302`, the default
for a form post; a dict per role where roles differ), so that a refusal is never taken for success.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# How a role outside the default ones (department staff, a resident) meets a page route.
REFUSED = "refused"  # 403 or 404; an action writes nothing
SEES = "sees"  # uses the route and a's object is theirs to see: detail 200, listing with the marker
HIDDEN = "hidden"  # uses the route but a's object is not theirs: detail 404, listing without it
OUTSIDERS = ("department", "resident")
PAGE_KINDS = ("detail", "listing", "action", "page")


@dataclass
class Case:
    name: str  # URL name ("org:grid-detail") or "METHOD /api/path"
    kind: str  # detail | listing | action | page | api | api_list | public
    make: Callable | None = None
    kwargs: Callable | None = None
    marker: Callable | None = None
    data: Any = None
    method: str = "GET"
    reason: str = ""
    extra: dict = field(default_factory=dict)


class Registry:
    def __init__(self):
        self.cases: dict[str, list[Case]] = {}

    def _add(self, case: Case) -> None:
        self.cases.setdefault(case.name, []).append(case)

    def detail(self, name, *, make, kwargs, **extra):
        """A page that shows one object: b's object must be 404, a's 200."""
        self._add(Case(name, "detail", make, kwargs, extra=extra))

    def listing(self, name, *, make, marker, kwargs=None, **extra):
        """A list page (and its ?export=xlsx): a's marker present, b's absent."""
        self._add(Case(name, "listing", make, kwargs, marker, extra=extra))

    def action(self, name, *, make, kwargs, data=None, method="POST", **extra):
        """A write against one object: on b's object it must be 404 and change nothing."""
        self._add(Case(name, "action", make, kwargs, data=data, method=method, extra=extra))

    def api(self, method, path, *, make, path_params, data=None, **extra):
        self._add(Case(f"{method} {path}", "api", make, path_params, data=data, method=method, extra=extra))

    def api_list(self, method, path, *, make, marker, **extra):
        self._add(Case(f"{method} {path}", "api_list", make, None, marker, method=method, extra=extra))

    def public(self, name, reason: str):
        """A route that serves no scoped data (sign-in, health, the user's own account)."""
        self._add(Case(name, "public", reason=reason))

    def page(self, name, *, kwargs=None, make=None, expect=200, method="GET", data=None, **extra):
        """A page that shows no scoped object of its own (a form whose choices come from the
        user's scope, a settings page): GET answers `expect` to the case's roles; department staff
        and residents are checked as declared (REFUSED unless said otherwise). A write to a
        platform setting (no community to keep apart) is a page case with method="POST" and its
        `data`: a refusal must then write nothing."""
        self._add(
            Case(name, "page", make, kwargs, data=data, method=method, extra={"expect": expect, **extra})
        )

    def of_kind(self, *kinds):
        return [c for cs in self.cases.values() for c in cs if c.kind in kinds]


cases = Registry()


def page_url_names() -> set[str]:
    """Every named URL of the site except the API (enumerated separately)."""
    names = set()

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                sub = f"{ns}{p.namespace}:" if p.namespace else ns
                walk(p.url_patterns, sub)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def api_operations() -> set[str]:
    """Every "METHOD /api/v1/path" the django-ninja API serves."""
    from shequ.urls import api

    ops = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                for method in op.methods:
                    full = "/api/v1" + ("/" + "/".join(s for s in (prefix.strip("/"), path.strip("/")) if s))
                    ops.add(f"{method} {full}")
    return ops


def outsider_expectation(case: Case, role: str) -> str | None:
    """What `role` (department or resident) must meet on a page case; None when the case already
    counts the role among its own (then the main checks cover it)."""
    if case.kind not in PAGE_KINDS or role in case.extra.get("roles", ()):
        return None
    found = case.extra.get(role, REFUSED)
    if found not in (REFUSED, SEES, HIDDEN):
        raise ValueError(f"{case.name}: {role}={found!r}; use REFUSED, SEES or HIDDEN")
    return found


def expected_status(case: Case, role: str, default: int = 302) -> int:
    """The status an action (or page) on one's own community answers for `role`."""
    expect = case.extra.get("expect", default)
    if isinstance(expect, dict):
        return expect.get(role, expect.get("*", default))
    return expect
