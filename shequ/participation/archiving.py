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


def charters(org_code: str, year: int) -> list[ArchiveCandidate]:
    """Charter versions adopted (表决通过, then published) in the year: the text as voted."""
    from django.db.models import Q

    from shequ.core.scope import subtree_q
    from shequ.participation.models import CharterVersion, VersionStatus

    adopted = (VersionStatus.ADOPTED, VersionStatus.PUBLISHED)
    qs = CharterVersion.objects.filter(subtree_q("scope_code", org_code), status__in=adopted).filter(
        Q(decided_on__year=year) | Q(decided_on__isnull=True, in_force_from__year=year)
    ).select_related("charter__community")  # fmt: skip
    return [
        ArchiveCandidate(
            source_id=str(v.pk),
            label=f"{v.charter.title}-{v.number}",
            title=f"{v.charter.community.name}{v.charter.title}（第{v.number}版）",
            responsible=v.charter.community.name,
            date=v.decided_on or v.in_force_from,
            org_code=v.scope_code,
        )  # fmt: skip
        for v in qs.order_by("decided_on", "pk")[:2000]
    ]


def render_charter(source_id):
    from shequ.participation.models import CharterVersion, VersionStatus

    v = CharterVersion.objects.filter(pk=source_id).select_related("charter__community", "meeting").first()
    if v is None or v.status not in (VersionStatus.ADOPTED, VersionStatus.PUBLISHED):
        return None
    c = v.charter
    fields = [("社区", c.community.name), ("类别", c.get_kind_display()), ("版本号", v.number),
              ("讨论会议", v.meeting.title if v.meeting_id else ""), ("表决日期", v.decided_on),
              ("出席人数", v.present), ("赞成", v.votes_for), ("反对", v.votes_against), ("弃权", v.votes_abstain),
              ("施行日期", v.in_force_from), ("废止日期", v.in_force_until or "长期有效"),
              ("公布日期", v.published_on), ("修订说明", v.note)]  # fmt: skip
    return f"charter-{c.pk}-v{v.number}.xml", archive_document(f"{c.title}（第{v.number}版）", fields, v.text)


def elections(org_code: str, year: int) -> list[ArchiveCandidate]:
    """Elections of the residents' committee whose result was declared, by the election day's year."""
    from shequ.core.scope import subtree_q
    from shequ.participation.models import Election, ElectionStatus

    qs = Election.objects.filter(subtree_q("scope_code", org_code), status=ElectionStatus.DECLARED,
                                 held_on__year=year).select_related("community")  # fmt: skip
    return [
        ArchiveCandidate(
            source_id=str(e.pk),
            label=f"{e.community.code}-{e.term}",
            title=f"{e.community.name}第{e.term}届居民委员会换届选举结果",
            responsible=e.community.name,
            date=e.held_on,
            org_code=e.scope_code,
        )  # fmt: skip
        for e in qs.order_by("held_on", "pk")[:2000]
    ]


def render_election(source_id):
    """The result as declared: turnout, every candidate's votes, who was elected to which office
    (names only: the voters' list and ID numbers stay in the module)."""
    from shequ.participation.models import Election, ElectionStatus

    e = Election.objects.filter(pk=source_id).select_related("community").first()
    if e is None or e.status != ElectionStatus.DECLARED:
        return None
    fields = [("社区", e.community.name), ("届次", e.term), ("选举方式", e.get_method_display()),
              ("选民资格", e.get_voter_rule_display()), ("选举日期", e.held_on),
              ("登记选民数", e.registered_voters), ("投票人数", e.ballots_cast),
              ("投票率（%）", e.turnout)]  # fmt: skip
    rows = [[c.resident.name, c.votes, "当选" if c.elected else "", c.get_office_display() if c.office else ""]
            for c in e.candidates.select_related("resident").order_by("-votes", "pk")]  # fmt: skip
    elected = [f"{c[3] or '委员'}：{c[0]}" for c in rows if c[2]]
    return f"election-{e.community.code}-{e.term}.xml", archive_document(
        f"{e.community.name}第{e.term}届居民委员会换届选举结果", fields,
        sections=[("当选名单", elected)], tables=[("候选人得票", ["候选人", "得票", "结果", "职务"], rows)])  # fmt: skip
