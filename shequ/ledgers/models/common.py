"""Permissions and duties of the specialised ledgers (专项台账). Each ledger is read and kept only
by the staff charged with it: a membership must carry the duty (core.roles.register_duty), the
role alone is not enough."""

from django.utils.translation import gettext_lazy as _

RELIEF = "ledgers.relief"
MEDIATION = "ledgers.mediation"
CORRECTION = "ledgers.correction"

VIEW_RELIEF = "ledgers.view_relief"
MANAGE_RELIEF = "ledgers.manage_relief"
VIEW_MEDIATION = "ledgers.view_mediation"
MANAGE_MEDIATION = "ledgers.manage_mediation"
VIEW_CORRECTION = "ledgers.view_correction"
MANAGE_CORRECTION = "ledgers.manage_correction"

DUTY_LABELS = {
    RELIEF: _("低保特困台账"),
    MEDIATION: _("人民调解台账"),
    CORRECTION: _("社区矫正公益活动台账"),
}
VIEW_OF = {RELIEF: VIEW_RELIEF, MEDIATION: VIEW_MEDIATION, CORRECTION: VIEW_CORRECTION}
