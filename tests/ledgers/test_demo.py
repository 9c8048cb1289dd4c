"""The demo ledgers: relief cases in every status with a year of payments, mediations (some from
cases, some reaching agreement), a resident under correction with a year of sessions and grades;
the demo accounts charged with the duties, and nobody else sees any of it."""

from django.utils import timezone

from shequ.core import scope
from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.ledgers import demo
from shequ.ledgers.models import (
    VIEW_RELIEF,
    CorrectionSubject,
    LabourGrade,
    Mediation,
    ReliefCase,
    ReliefPayment,
)
from tests.cases.factories import make_case
from tests.people.factories import make_household, make_resident


def test_demo_ledgers(world):
    for _ in range(16):
        make_household(world, "a")
        make_household(world, "b")
    for _ in range(12):
        make_resident(world, "a", birth_date=timezone.localdate().replace(year=1980))
        make_resident(world, "b")
    make_case(world, "a")
    make_case(world, "b")
    clerk = make_user("street_minzheng", Role.STREET, world.street)
    plain = make_user("worker_ningan", Role.COMMUNITY_WORKER, world.a)
    assert not demo.is_loaded()
    counts = demo.load(echo=lambda *a: None)
    assert demo.is_loaded()
    assert set(ReliefCase.objects.values_list("status", flat=True)) == {"active", "suspended", "ended"}
    assert set(ReliefCase.objects.values_list("category", flat=True)) == {"dibao", "tekun", "wubao"}
    assert set(ReliefCase.objects.exclude(care_mode="").values_list("care_mode", flat=True)) == {
        "central",
        "dispersed",
    }
    months = set(ReliefPayment.objects.values_list("month", flat=True))
    assert len(months) == 12 and counts["relief_payments"] > 100
    assert ReliefPayment.objects.filter(status="suspended").exists()
    assert Mediation.objects.filter(case_id__isnull=False).exists()
    assert Mediation.objects.filter(agreement_reached=True).exists()
    assert Mediation.objects.filter(followup_on__isnull=False).exists()
    s = CorrectionSubject.objects.get()
    assert s.sessions.count() >= 30
    assert LabourGrade.objects.filter(subject=s, kind="month").count() == 11
    assert LabourGrade.objects.filter(subject=s, kind="quarter", derived=True).exists()
    clerk.__dict__.pop("_shequ_memberships", None)
    assert scope.holds(clerk, VIEW_RELIEF) and not scope.holds(plain, VIEW_RELIEF)
    assert ReliefCase.objects.visible_to(clerk).count() == ReliefCase.objects.count()
    assert not ReliefCase.objects.visible_to(world.users["street"]).exists()
    demo.reset()
    assert not demo.is_loaded() and not Mediation.objects.exists()
