"""What every ledgers page shares: the refusal of whoever holds no duty, the scope's communities,
a form act whose domain error is shown on the form."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import DomainError
from shequ.core.generic import error_page


def focus_code(request) -> str:
    focus = scope.focus_of(request)
    return focus.code if focus else ""


def communities(user, perm: str):
    """The communities where the user holds `perm`, for a form's choice."""
    from shequ.org.models import OrgUnit

    roots = scope.perm_codes(user, perm)
    qs = OrgUnit.objects.filter(level="community").order_by("code")
    if roots is None:
        return list(qs)
    return [u for u in qs if any(u.code.startswith(r) for r in roots)]


def refused(request, perm: str):
    """403 for whoever does not hold `perm` anywhere (the duty), else None."""
    if not request.user.is_authenticated or not scope.holds(request.user, perm):
        return error_page(request, 403)
    return None


def act(request, fn, *, done: str, ok: str, back: str):
    """Run a form's act: on success a message and a redirect; a refusal of a whole page (403/404)
    becomes its error page; any other domain error returns to the page with the reason."""
    try:
        fn()
    except DomainError as exc:
        if exc.status in (403, 404):
            return error_page(request, exc.status, exc.message if exc.status == 403 else None)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, ok)
    return redirect(done)


def post_or_405(request):
    from django.http import HttpResponseNotAllowed

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], _("请通过页面上的表单提交。"))
    return None
