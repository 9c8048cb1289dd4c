"""Admission decision letters and issued certificates filed in the archives (registered in
DutiesConfig.ready): a street's decision letters in the street's fonds, a community's certificates
(the stub: number, item, purpose, content, issuer) in the community's."""

import datetime as dt

from django.utils import timezone

from shequ.core.registry import ArchiveCandidate, archive_document


def letters(org_code: str, year: int) -> list[ArchiveCandidate]:
    from shequ.core.scope import subtree_q
    from shequ.duties.models import AdmissionRequest

    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    qs = AdmissionRequest.objects.filter(subtree_q("scope_code", org_code), decided_at__gte=start,
                                         decided_at__lt=end).exclude(letter_number="").select_related("org")  # fmt: skip
    return [
        ArchiveCandidate(
            source_id=str(r.pk),
            label=r.letter_number,
            title=f"关于“{r.title}”准入申请的{r.get_status_display()}决定书（{r.letter_number}）",
            responsible=r.org.name,
            date=timezone.localtime(r.decided_at).date(),
            org_code=r.scope_code,
        )  # fmt: skip
        for r in qs.order_by("decided_at", "pk")[:2000]
    ]


def render_letter(source_id):
    from shequ.duties.models import AdmissionRequest

    r = AdmissionRequest.objects.filter(pk=source_id).select_related("org").first()
    if r is None or not r.letter_number:
        return None
    fields = [("决定书文号", r.letter_number), ("申请编号", r.number), ("申请部门", r.department),
              ("审核单位", r.org.name), ("决定", r.get_status_display()),
              ("决定时间", timezone.localtime(r.decided_at).isoformat() if r.decided_at else ""),
              ("法律政策依据", r.basis), ("开始日期", r.start_date), ("结束日期", r.end_date)]  # fmt: skip
    sections = [("决定意见", [r.decision_note or ""]), ("修改意见", [r.conditions or ""])]
    return f"{r.letter_number}.xml", archive_document(r.title, fields, r.description, sections)


def certificates(org_code: str, year: int) -> list[ArchiveCandidate]:
    from shequ.core.scope import subtree_q
    from shequ.duties.models import Certificate

    qs = Certificate.objects.filter(subtree_q("scope_code", org_code), issued_on__year=year)
    return [
        ArchiveCandidate(
            source_id=str(c.pk),
            label=c.number,
            title=f"{c.item.title}（{c.number}）存根",
            responsible=c.community.name,
            date=c.issued_on,
            org_code=c.scope_code,
        )  # fmt: skip
        for c in qs.select_related("item", "community").order_by("issued_on", "pk")[:2000]
    ]


def render_certificate(source_id):
    from shequ.duties.models import Certificate

    c = Certificate.objects.filter(pk=source_id).select_related("item", "community", "issuer").first()
    if c is None:
        return None
    fields = [("证明编号", c.number), ("证明事项", c.item.title), ("出具社区", c.community.name),
              ("申请人", c.requester_name), ("用途", c.purpose), ("经办人", str(c.issuer)),
              ("出具日期", c.issued_on)]  # fmt: skip
    return f"{c.number}.xml", archive_document(f"{c.item.title}存根", fields, c.content)
