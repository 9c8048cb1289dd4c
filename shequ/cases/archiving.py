"""Closed cases filed in the community archives (registered in CasesConfig.ready): the case with its
timeline, rendered as an XML document; the requester's contact details stay out of the file."""

import datetime as dt

from django.utils import timezone

from shequ.core.registry import ArchiveCandidate, archive_document


def candidates(org_code: str, year: int) -> list[ArchiveCandidate]:
    from shequ.cases.models import DONE_STATUSES, Case
    from shequ.core.scope import subtree_q

    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    qs = Case.objects.filter(subtree_q("scope_code", org_code), status__in=DONE_STATUSES,
                             closed_at__gte=start, closed_at__lt=end).order_by("closed_at", "pk")  # fmt: skip
    return [
        ArchiveCandidate(
            source_id=str(c.pk),
            label=c.number,
            title=f"关于{c.title}的诉求办理材料（{c.number}）",
            responsible=c.handler_name or (c.community.name if c.community_id else c.street.name),
            date=timezone.localtime(c.closed_at).date(),
            org_code=c.scope_code[:12],
        )  # fmt: skip
        for c in qs.select_related("community", "street")[:2000]
    ]


def render(source_id):
    from shequ.cases.models import Case

    c = Case.objects.filter(pk=source_id).select_related("category").first()
    if c is None:
        return None
    fields = [("受理编号", c.number), ("类别", c.category.name), ("来源渠道", c.get_channel_display()),
              ("地址", c.address), ("处置单位", c.handler_name), ("状态", c.get_status_display()),
              ("结案时间", timezone.localtime(c.closed_at).isoformat() if c.closed_at else "")]  # fmt: skip
    timeline = [f"{timezone.localtime(e.at):%Y-%m-%d %H:%M} {e.label} {e.actor_label} {e.note}".strip()
                for e in c.events.order_by("at", "pk")]  # fmt: skip
    return f"{c.number}.xml", archive_document(c.title, fields, c.description, [("办理记录", timeline)])
