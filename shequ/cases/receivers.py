"""A visit marked 需要跟进 becomes a request in its community's queue; its number is written back
to the visit (people.signals.visit_needs_follow_up)."""

from django.dispatch import receiver

from shequ.people.signals import visit_needs_follow_up

FOLLOW_UP_CATEGORY = "0711"  # 社区服务 / 其他社区事项; the dispatcher may re-class it at 立案


@receiver(visit_needs_follow_up, dispatch_uid="cases.visit_follow_up")
def raise_request_from_visit(sender, visit, actor, **kwargs):
    from shequ.cases.models import Channel
    from shequ.cases.services import submit_request
    from shequ.people.models import Visit

    resident = visit.resident
    case, _created = submit_request(
        actor,
        channel=Channel.VISIT,
        category=FOLLOW_UP_CATEGORY,
        title=f"走访跟进：{visit.follow_up_note[:40]}",
        description=visit.follow_up_note or visit.findings or "走访发现需要跟进的事项",
        community=resident.community,
        resident=resident,
        external_id=f"visit-{visit.pk}",
    )
    Visit.objects.filter(pk=visit.pk).update(follow_up_ref=case.number)
