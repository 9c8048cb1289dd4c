"""What modules register with the kernel: navigation, the org-node resolver, dashboard cards.

An app joins the platform by listing itself in INSTALLED_APPS and, in its AppConfig:
  - `shequ_module = True`   → its `urls.py` is mounted at /<label>/ and its `api.py` `router`
                              at /api/v1/<label>/ (see shequ/urls.py, shequ/core/api.py);
  - `nav = [NavItem(...)]`  → entries in the page shell's navigation;
  - `ready()` may call register_permission() and register_dashboard_card().
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    perm: str | None = None  # shown only to holders of this permission
    roles: frozenset | None = None  # or only to these roles
    children: tuple = field(default_factory=tuple)


def shequ_apps():
    return [a for a in apps.get_app_configs() if getattr(a, "shequ_module", False)]


def nav_for(user) -> list[dict]:
    from shequ.core import scope
    from shequ.core.roles import roles_with

    held = {m.role for m in scope.memberships(user)}
    out = []
    for app in shequ_apps():
        items = []
        for item in getattr(app, "nav", []):
            if item.perm and not (held & roles_with(item.perm)):
                continue
            if item.roles and not (held & item.roles):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append({"label": item.label, "url": url, "icon": item.icon, "name": item.url_name})
        if items:
            out.append({"label": getattr(app, "nav_label", app.verbose_name), "items": items})
    return out


_node_resolver = None
_dashboard_cards: list = []


def register_node_resolver(fn) -> None:
    """fn(code) -> node with .code/.name/.level or None; the org app provides it."""
    global _node_resolver
    _node_resolver = fn


def resolve_node(code: str):
    return _node_resolver(code) if _node_resolver else None


def register_dashboard_card(fn) -> None:
    """fn(request, focus_code) -> {"template", "context", "width"} or None. The home page renders the
    cards in registration order; "width" is a Bootstrap column class (default "col-12")."""
    _dashboard_cards.append(fn)


def dashboard_cards() -> list:
    return list(_dashboard_cards)
