"""A visit marked 需要跟进 becomes a request in its community's queue; its number is written back
to the visit (people.signals.visit_needs_follow_up). A resident saved under a new name has the
public copy of the cases about them cut again (the copy cuts the resident's name)."""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from shequ.people.models import Resident
from shequ.people.signals import visit_needs_follow_up

FOLLOW_UP_CATEGORY = "0711"  # 社区服务 / 其他社区事项; the dispatcher may re-class it at 立案
logger = logging.getLogger("shequ.cases")


def _where(resident):
    """(lat, lng, address) of the resident's home: the request hangs in the grid of the house, so
    that a grid worker, whose scope is that grid, may raise it and find it again."""
    house = resident.house if resident.house_id else None
    if house is None:
        return None, None, ""
    building = house.unit.building
    if building.lat is not None and building.lng is not None:
        return building.lat, building.lng, house.address
    grid = building.grid
    return grid.center_lat, grid.center_lng, house.address


@receiver(visit_needs_follow_up, dispatch_uid="cases.visit_follow_up")
def raise_request_from_visit(sender, visit, actor, **kwargs):
    from shequ.cases.models import Channel
    from shequ.cases.services import submit_request
    from shequ.core.errors import DomainError
    from shequ.people.models import Visit

    resident = visit.resident
    lat, lng, address = _where(resident)
    try:
        case, _created = submit_request(
            actor,
            channel=Channel.VISIT,
            category=FOLLOW_UP_CATEGORY,
            title=f"走访跟进：{visit.follow_up_note[:40]}",
            description=visit.follow_up_note or visit.findings or "走访发现需要跟进的事项",
            lat=lat,
            lng=lng,
            address=address,
            community=resident.community,
            resident=resident,
            external_id=f"visit-{visit.pk}",
            within=resident.community.code,
        )
    except DomainError as exc:
        # The visit is already saved (this runs after its commit); its page still shows the
        # follow-up note, and the failure is left for the operators to see.
        logger.warning("visit %s: follow-up request not raised: %s", visit.pk, exc.message)
        return
    Visit.objects.filter(pk=visit.pk).update(follow_up_ref=case.number)


@receiver(post_save, sender=Resident, dispatch_uid="cases.resident_renamed")
def recut_public_copies(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and "name" not in update_fields):
        return
    from shequ.cases.models import Case
    from shequ.cases.services import refresh_public_copies

    refresh_public_copies(Case.objects.filter(resident_id=instance.pk))
