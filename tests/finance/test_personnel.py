"""人随事动: the people an admission request promised per community, the people a department sent,
by department; receipts as photos or PDF, checked by their content."""

from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.duties.models import AdmissionRequest
from shequ.finance import personnel, reports, services
from shequ.finance.models import PersonnelProvision
from tests.finance.factories import make_people_task, make_spending, png

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_request_keeps_the_number_of_people_promised(world):
    t = make_people_task(world, people=2)
    assert t.request.personnel_count == 2 and t.request.personnel
    from tests.duties.factories import make_request

    with pytest.raises(ValidationFailed, match="派驻人数"):
        make_request(world, personnel_count=-1)
    assert AdmissionRequest.objects.count() == 1


def test_people_provided_against_promised_by_department(world):
    t = make_people_task(world, people=2)
    dept = world.users["department"]
    year = t.start_date.year
    league = personnel.league(world.users["district"], None, year)
    assert league == [{"department": "区民政局", "tasks": 1, "promised": 2, "provided": 0, "short_tasks": 1,
                       "missing": 2, "rate": 0.0}]  # fmt: skip
    personnel.record_provision(dept, t.pk, people=1, names="评估员 张某")
    with pytest.raises(ValidationFailed, match="超过"):
        personnel.record_provision(dept, t.pk, people=2)
    with pytest.raises(ValidationFailed, match="原因"):
        personnel.record_provision(dept, t.pk, people=-1)
    personnel.record_provision(dept, t.pk, people=1)
    row = personnel.league(world.users["street"], world.street.code, year)[0]
    assert (row["promised"], row["provided"], row["missing"], row["rate"]) == (2, 2, 0, 100.0)
    personnel.record_provision(dept, t.pk, people=-1, note="评估员调回")
    assert personnel.league(dept, None, year)[0]["missing"] == 1
    assert reports.report(world.users["district"], world.district.code, year)["people"][0]["provided"] == 1
    # Another department's task is not found; a community may not record.
    other = make_people_task(world, "b", people=1)
    with pytest.raises(NotFound):
        personnel.record_provision(dept, other.pk, people=1)
    assert PersonnelProvision.objects.filter(task_id=other.pk).count() == 0
    assert PersonnelProvision.objects.visible_to(world.users["community_lead"]).count() == 3
    assert PersonnelProvision.objects.visible_to(world.users["community_worker_b"]).count() == 0


def test_people_in_a_closed_year_are_refused(world):
    from shequ.duties.models import Task

    t = make_people_task(world, people=1)
    year = timezone.localdate().year - 1
    Task.objects.filter(pk=t.pk).update(start_date=t.start_date.replace(year=year))  # a task of last year
    services.close_year(world.users["district"], world.district.code, year)
    with pytest.raises(Conflict):
        personnel.record_provision(world.users["department"], t.pk, people=1)


def test_receipts_are_photos_or_pdf_by_content(world):
    s = make_spending(world)
    lead = world.users["community_lead"]
    rows = services.add_receipt(lead, s.pk, [("发票.pdf", PDF, "application/pdf")])
    assert rows[0].content_type == "application/pdf"
    rows = services.add_receipt(lead, s.pk, [("票据.jpg", png().getvalue(), "image/jpeg")])
    assert rows[0].content_type == "image/png"  # the content decides, not the name or the browser
    with pytest.raises(ValidationFailed, match="不是图片或 PDF"):
        services.add_receipt(lead, s.pk, [("发票.pdf", b"<html>not a pdf</html>", "application/pdf")])
    with pytest.raises(ValidationFailed, match="不是完整的 PDF"):
        services.add_receipt(lead, s.pk, [("发票.pdf", b"%PDF-1.4 truncated", "application/pdf")])
    with pytest.raises(ValidationFailed, match="8 MB"):
        services.add_receipt(lead, s.pk, [("大.pdf", b"%PDF-" + b"0" * (8 * 1024 * 1024) + b"%%EOF", "")])
    with pytest.raises(ValidationFailed, match="请选择"):
        services.add_receipt(lead, s.pk, [])
    assert Decimal(s.amount) > 0
