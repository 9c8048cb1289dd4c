"""The people registry's ledgers as the platform prints them for 一表通 (人口台账, 特殊人群台账, 走访台账):
the resident list's own masked export, per care group, and the visits of the period."""

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.masking import mask


def residents(user, code, start, end):
    """人口台账: the registered residents of `code`, as the resident list exports them."""
    from shequ.people.views import ResidentListView

    return ResidentListView.ledger_rows(user, code)


def special_groups(user, code, start, end):
    """特殊人群台账: residents of each care group (a tag with a visiting interval), one line per group
    and resident; groups the user may not see are left out."""
    from shequ.people.tags import visible_tags
    from shequ.people.views import ResidentListView

    headers, out = [_("人群")], []
    for tag in visible_tags(user):
        if not tag.visit_interval_days or tag.derived:
            continue
        cols, rows = ResidentListView.ledger_rows(user, code, {"tag": tag.code})
        headers = [_("人群"), *cols]
        out.extend([tag.name, *r] for r in rows)
    return headers, out


def visits(user, code, start, end, limit: int = 5000):
    """走访台账: the visits of the period in `code` (the findings stay in the registry)."""
    from shequ.people.models import Visit

    qs = (
        Visit.objects.visible_to(user)
        .within(code)
        .filter(visited_at__date__gte=start, visited_at__date__lte=end)
        .select_related("resident")
        .order_by("visited_at", "pk")
    )
    headers = [_("走访时间"), _("居民"), _("走访人"), _("走访方式"), _("需要跟进"), _("跟进事项")]
    rows = [
        [timezone.localtime(v.visited_at).strftime("%Y-%m-%d %H:%M"), mask(v.resident.name, "name"),
         v.visitor_name, v.get_method_display(), _("是") if v.follow_up else _("否"), v.follow_up_note]
        for v in qs[:limit]
    ]  # fmt: skip
    return headers, rows
