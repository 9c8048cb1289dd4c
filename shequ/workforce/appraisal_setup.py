"""What the appraisal registers with the kernel: its permission, and its use of the survey engine
(the residents' ratings are read as the appraisal is, by the worker's lead and the managers)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _cycle_url(owner_id: str) -> str:
    return reverse("workforce:appraisal-detail", args=[int(owner_id)])


def register() -> None:
    from shequ.core import surveys
    from shequ.core.roles import MANAGERS, register_permission
    from shequ.workforce.models import MANAGE_APPRAISAL, SURVEY_PURPOSE, VIEW_SENSITIVE

    register_permission(MANAGE_APPRAISAL, MANAGERS, _("组织社区工作者考核、评分"))
    surveys.register_purpose(SURVEY_PURPOSE, label=_("社区工作者考核·群众评议"), view_perm=VIEW_SENSITIVE,
                             manage_perm=MANAGE_APPRAISAL, owner_url=_cycle_url)  # fmt: skip
