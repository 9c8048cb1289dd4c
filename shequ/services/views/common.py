from django.utils.translation import gettext as _

from shequ.core import scope


def focus_code(request) -> str:
    focus = scope.focus_of(request)
    return focus.code if focus else ""


def scope_label(code: str) -> str:
    from shequ.org.models import node_names

    if not code:
        return _("全部")
    return node_names([code]).get(code, code)


class HeldAnywhere:
    """A form whose act needs `perm` somewhere in the user's scope (where exactly, the service
    checks against the unit chosen in the form)."""

    def _check_perm(self):
        from shequ.core.generic import error_page

        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None
