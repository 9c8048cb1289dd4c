"""The demo street's pay: every record's base is what the services compute from its placements
and tables, and the pages have something on each side of the floor to show."""

import pytest

from shequ.workforce import services
from shequ.workforce.models import Contract, GradePlacement, PayRecord


@pytest.mark.django_db
def test_demo_pay_agrees_with_the_services():
    from shequ.core.models import User
    from shequ.org import demo

    demo.load(echo=lambda *a: None)
    records = list(PayRecord.objects.select_related("worker"))
    assert len(records) > 150
    for r in records:
        base = services.compute_base(r.worker, r.year)
        assert (base.amount, base.months, base.grade.pk, base.step) == (
            r.base,
            r.base_months,
            r.grade_id,
            r.step,
        )
    street = User.objects.get(username="street")
    year = max(r.year for r in records) - 1
    report = services.pay_report(street, "420115001", year)
    assert report["below_floor"] and 50 < report["share"] < 100 and report["parity"]
    assert services.step_advice(street, "420115001")  # some wait for their appraisal
    assert services.contracts(street, "420115001", due_within=365).exists()
    assert all(c.renews is None or c.renews.end < c.start for c in Contract.objects.select_related("renews"))
    rates = services.insurance_rates(street, "420115001", year)
    assert 90 < {k["key"]: k["rate"] for k in rates["kinds"]}["pension"] <= 100
    assert GradePlacement.objects.exists()
