"""The committee an election returns, taken into the roster: the kernel's election hook
(core.registry.register_election_receiver) calls `take_in` when a community's election result is
declared. The committee's open offices end the day before the new term; each person elected is
found in the roster (by the registry's resident, then by ID number) or entered (来源：选举产生,
换届选举), and holds their office from the election day with the term (届次)."""

import datetime as dt

from django.utils.translation import gettext as _

from shequ.core import changelog, crypto
from shequ.core.models import Action
from shequ.workforce.models import Body, Office, Status, Worker

# The registry's codes (GB/T 4658, GB/T 4762) in the roster's coarser choices.
EDUCATION = {"10": "postgraduate", "20": "bachelor", "30": "junior_college", "40": "secondary"}
POLITICAL = {"01": "party_member", "02": "probationary", "03": "league", "04": "democratic"}


def _worker_for(code: str, member) -> Worker | None:
    qs = Worker.objects.filter(org__code=code, status=Status.ACTIVE)
    found = qs.filter(resident_id=member.resident_id).first()
    if found is None and member.id_number:
        found = Worker.objects.filter(
            **crypto.lookup(Worker, "id_number", member.id_number), status=Status.ACTIVE
        ).first()
    return found


def take_in(actor, community_code: str, term_label: str, start: dt.date, members) -> str:
    """End the committee's open offices, then give each member elected their office."""
    from shequ.workforce import services

    ended = 0
    for office in (
        Office.objects.select_for_update()
        .filter(worker__org__code=community_code, body=Body.COMMITTEE, end__isnull=True)
        .select_related("worker")
    ):
        office.end = max(office.start, start - dt.timedelta(days=1))
        office.save(update_fields=["end"])
        changelog.record(actor, Action.UPDATE, office.worker, after={"office": str(office), "end": office.end.isoformat()},
                         note=_("换届"))  # fmt: skip
        ended += 1
    added = 0
    for m in members:
        worker = _worker_for(community_code, m)
        if worker is None:
            worker = services.add_worker(
                # With an ID number, gender and birth date follow it (the roster's own rule).
                actor, community_code, name=m.name, id_number=m.id_number,
                gender="" if m.id_number or m.gender not in ("male", "female") else m.gender,
                birth_date=None if m.id_number else m.birth_date, education=EDUCATION.get(m.education, "high_school"),
                political_status=POLITICAL.get(m.political_status, "masses"), source="elected",
                source_detail="换届选举", hired_on=start, full_time=True,
            )  # fmt: skip
            added += 1
        if worker.resident_id is None:
            Worker.objects.filter(pk=worker.pk).update(resident_id=m.resident_id)
        services.assign_office(
            actor, worker.pk, body=Body.COMMITTEE, title=m.office, start=start, term=term_label
        )
    return _("社区工作者名册：%(t)s居民委员会 %(n)d 人已任职（新录入 %(a)d 人，上届 %(e)d 项职务已卸任）。") % {
        "t": term_label, "n": len(members), "a": added, "e": ended,
    }  # fmt: skip
