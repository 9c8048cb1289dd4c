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
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass
class Case:
    name: str  # URL name ("org:grid-detail") or "METHOD /api/path"
    kind: str  # detail | listing | action | api | api_list | public
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
