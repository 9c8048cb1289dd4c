"""Meeting minutes and their resolutions filed in the archives (registered in ParticipationConfig.ready)."""

import datetime as dt

from django.utils import timezone

from shequ.core.registry import ArchiveCandidate, archive_document


def minutes(org_code: str, year: int) -> list[ArchiveCandidate]:
    from shequ.core.scope import subtree_q
    from shequ.participation.models import Meeting

    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    qs = Meeting.objects.filter(subtree_q("scope_code", org_code), held=True, starts_at__gte=start,
                                starts_at__lt=end).exclude(minutes="").select_related("community", "kind")  # fmt: skip
    return [
        ArchiveCandidate(
            source_id=str(m.pk),
            label=f"{m.kind.name}-{m.pk}",
            title=f"{m.title}会议纪要",
            responsible=m.community.name,
            date=timezone.localtime(m.starts_at).date(),
            org_code=m.scope_code,
        )  # fmt: skip
        for m in qs.order_by("starts_at", "pk")[:2000]
    ]


def render(source_id):
    from shequ.participation.models import Meeting

    m = Meeting.objects.filter(pk=source_id).select_related("community", "kind").first()
    if m is None:
        return None
    fields = [("会议类型", m.kind.name), ("社区", m.community.name), ("时间", timezone.localtime(m.starts_at).isoformat()),
              ("地点", m.place), ("召集人", m.convener), ("应到人数", m.expected)]  # fmt: skip
    resolutions = [
        f"{r.text}（出席 {r.present}，赞成 {r.votes_for}，反对 {r.votes_against}，弃权 {r.votes_abstain}，"
        f"{'通过' if r.adopted else '未通过'}）"
        for r in m.resolutions.order_by("pk")
    ]
    return f"meeting-{m.pk}.xml", archive_document(m.title, fields, m.minutes, [("决议", resolutions)])
