"""The login account of a worker: linked so that the worker reads their own record's appraisal
results through it (and nobody else's)."""

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core import services
from shequ.core.errors import Conflict, ValidationFailed
from shequ.core.models import Membership, User
from shequ.core.roles import Role
from shequ.workforce.models import Worker
from shequ.workforce.services.roster import MANAGE, _locked


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, details={"username": [message]})


@transaction.atomic
def link_account(actor, worker_pk, *, username: str) -> Worker:
    """Link (or, with an empty name, unlink) the account the worker signs in with. The account must
    work where the worker works (a staff membership in that community or street, or one of its
    grids) and belong to no other worker."""
    worker = _locked(actor, worker_pk)
    username = (username or "").strip()
    if not username:
        return services.update(
            actor, Worker, worker.pk, {"user": None}, perm=MANAGE, note=_("取消关联登录账号")
        )
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _invalid(_("没有名为“%(u)s”的有效账号。") % {"u": username[:40]})
    here = Membership.objects.active().filter(user=user).exclude(role=Role.RESIDENT)
    if not any(m.scope_code.startswith(worker.scope_code) for m in here.select_related("org", "grid")):
        raise _invalid(
            _("账号“%(u)s”没有在%(o)s任职的授权，不能关联。") % {"u": username, "o": worker.org.display_name}
        )
    other = Worker.objects.filter(user=user).exclude(pk=worker.pk).first()
    if other is not None:
        raise Conflict(_("账号“%(u)s”已关联%(n)s的档案。") % {"u": username, "n": other.name}, code="duplicate",
                       details={"username": [_("已关联其他人员。")]})  # fmt: skip
    return services.update(actor, Worker, worker.pk, {"user": user}, perm=MANAGE, note=_("关联登录账号"))
