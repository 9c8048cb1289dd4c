"""Data scope: a membership's org code is the root of a subtree; scoped rows carry the code of
the node they hang under, so `visible_to` is a prefix match on one indexed column."""

from django.db import models
from django.db.models import Q

from shequ.core.roles import Role, duty_of, membership_holds, roles_with

FOCUS_SESSION_KEY = "shequ_focus"


def memberships(user) -> list:
    """The user's active memberships, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_shequ_memberships", None)
    if cached is None:
        from shequ.core.models import Membership

        cached = list(Membership.objects.active().filter(user=user).select_related("org", "grid"))
        user._shequ_memberships = cached
    return cached


def holds(user, perm: str) -> bool:
    """Does the user hold `perm` in any of their memberships (anywhere)?"""
    return any(membership_holds(m, perm) for m in memberships(user))


def is_global(user) -> bool:
    return any(m.role == Role.SYSADMIN for m in memberships(user))


def scope_codes(user, roles=None) -> list[str] | None:
    """Roots of the user's scope (None means everything); residents hold no staff scope."""
    return _roots([m for m in memberships(user) if roles is None or m.role in roles])


def perm_codes(user, perm: str | None) -> list[str] | None:
    """Roots of the part of the user's scope where they hold `perm` (a duty permission counts only
    the memberships carrying the duty); without `perm`, the whole scope."""
    if perm is None:
        return scope_codes(user)
    if duty_of(perm) is None:
        return scope_codes(user, roles_with(perm))
    return _roots([m for m in memberships(user) if membership_holds(m, perm)])


def _roots(ms) -> list[str] | None:
    if any(m.role == Role.SYSADMIN for m in ms):
        return None
    codes = sorted({m.scope_code for m in ms if m.role != Role.RESIDENT})
    # Drop codes already covered by a shorter one: fewer OR terms in every query.
    return [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]


def read_roots(user, model) -> list[str] | None:
    """Roots under which the user may read rows of `model` (None = everything). A model may declare
    `view_perm`, the permission its rows are read with; then only the memberships whose role holds
    it count (department staff hold a district scope for their own work, not for the resident
    registry). Pages, exports, the API and every helper that starts from `visible_to` share it."""
    return perm_codes(user, getattr(model, "view_perm", None))


def may_read(user, model) -> bool:
    """May the user read rows of `model` anywhere? A page listing a model answers 403 when not,
    rather than an empty page that looks as if there were nothing to see."""
    if not user or not user.is_authenticated:
        return False
    roots = read_roots(user, model)
    return roots is None or bool(roots)


def covers(user, code: str, perm: str | None = None) -> bool:
    """Does the user's scope (or the part of it where they hold `perm`) include this code?"""
    roots = perm_codes(user, perm)
    if roots is None:
        return True
    return any(code.startswith(r) for r in roots)


def covers_all(user, codes, perm: str | None = None) -> bool:
    """covers() of many codes, the user's roots read once."""
    roots = perm_codes(user, perm)
    if roots is None:
        return True
    return all(any(code.startswith(r) for r in roots) for code in codes)


def subtree_q(field: str, code: str) -> Q:
    """Rows whose code starts with `code`, written as a range so that both SQLite and PostgreSQL
    use the plain index (SQLite never uses an index for LIKE 'x%'). The upper bound is the next
    code of the same length (…019 → …020), which sorts after the whole subtree under any collation
    that orders digits as digits ('9' → ':' would not: ICU puts ':' before '0')."""
    if not code.isdigit():
        return Q(**{f"{field}__startswith": code})
    upper = str(int(code) + 1).zfill(len(code))
    if len(upper) > len(code):  # all nines: nothing sorts above the subtree
        return Q(**{f"{field}__gte": code})
    return Q(**{f"{field}__gte": code, f"{field}__lt": upper})


def prefix_q(field: str, roots) -> Q:
    if roots is None:
        return Q()
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for r in roots:
        q |= subtree_q(field, r)
    return q


class ScopedQuerySet(models.QuerySet):
    """The one door for reads of scoped data: the user's scope (narrowed to the roles holding the
    model's `view_perm`, if it declares one), plus the rows they own (`owned_by_q`)."""

    def visible_to(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        own = self.model.owned_by_q(user) if hasattr(self.model, "owned_by_q") else None
        roots = read_roots(user, self.model)
        if roots is None:
            return self.all()
        q = prefix_q(self.model.scope_field, roots)
        if not roots:
            return self.filter(own) if own is not None else self.none()
        return self.filter(q | own) if own is not None else self.filter(q)

    def where_held(self, user, perm: str):
        """Narrow to the part of the user's scope where they hold `perm` (all for a sysadmin)."""
        return self.filter(prefix_q(self.model.scope_field, perm_codes(user, perm)))

    def within(self, code: str | None):
        """Narrow to one subtree (the page's focus)."""
        if not code:
            return self
        return self.filter(subtree_q(self.model.scope_field, code))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def focus_of(request):
    """The org node the user has narrowed their pages to, if any (must lie inside their scope)."""
    code = request.session.get(FOCUS_SESSION_KEY) if hasattr(request, "session") else None
    if not code:
        return None
    from shequ.core import registry

    node = registry.resolve_node(code)
    if node is None or not covers(request.user, code):
        return None
    return node
