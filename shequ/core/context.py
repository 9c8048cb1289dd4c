"""Per-request context (request id, client IP) for the change log, and the page-shell context."""

import contextvars
import uuid
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None
    channel: str  # web, api, cli, task


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "shequ_request", default=None
)


def current() -> RequestContext:
    """The active request context; outside a request, a fresh one for the process (CLI, task)."""
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext(request_id=f"proc-{uuid.uuid4().hex[:12]}", ip=None, channel="cli")
        _current.set(ctx)
    return ctx


def activate(ctx: RequestContext):
    return _current.set(ctx)


def deactivate(token) -> None:
    _current.reset(token)


def shell(request):
    """Template context for the page shell: navigation and the user's scope."""
    from shequ.core import registry, scope

    user = getattr(request, "user", None)
    maps = {"map_tile_url": settings.MAP_TILE_URL, "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION}
    if not user or not user.is_authenticated:
        return {"site_name": settings.SHEQU_ORG_NAME, **maps}  # the public request form has a map too
    return {
        "site_name": settings.SHEQU_ORG_NAME,
        **maps,
        "nav": registry.nav_for(user),
        "memberships": scope.memberships(user),
        # A resident holds no scope: no switcher to narrow it (its org-tree link would only say
        # that the account has no org authorisation).
        "has_scope": scope.scope_codes(user) != [],
        "focus": scope.focus_of(request),
        "request_id": current().request_id,
    }
