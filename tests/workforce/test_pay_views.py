"""The pay pages through the test client: forms that go through the services (refusals shown with
their reason), the report with its workbook, and the pay section of a worker's page shown only to
the worker, their lead and the managers."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from shequ.core.testing.world import make_user
from shequ.workforce import services
from shequ.workforce.models import AverageWage, Contract, GradeScheme, Insurance, PayRecord, PayTable
from tests.workforce.factories import make_worker
from tests.workforce.pay_factories import EXAMPLE, NINE, paid_worker, pay_world, street_scheme

pytestmark = pytest.mark.django_db


def test_street_enters_the_average_wage_and_reads_the_report(world):
    scheme = street_scheme(world)
    services.set_pay_table(world.users["street"], scheme.pk, year=2025, rates=NINE)
    paid_worker(world, "a", name="低于线", amounts={k: "0" for k in EXAMPLE})  # 18,000
    paid_worker(world, "b", name="达标者")  # 24,767
    c = world.client(world.users["street"])
    page = c.get("/workforce/pay/", {"year": 2025})
    assert page.status_code == 200 and "尚未录入该年度的社会平均工资" in page.content.decode()
    r = c.post("/workforce/pay/average-wage/", {"scope": world.street.code, "year": "2025", "amount": "27968",
                                                 "source": "区统计局统计公报", "floor_percent": "85"})  # fmt: skip
    assert r.status_code == 302 and r["Location"] == f"/workforce/pay/?scope={world.street.code}&year=2025"
    assert AverageWage.objects.get().floor == Decimal("23772.80")
    body = c.get(r["Location"]).content.decode()
    assert "27968" in body and "低于线" in body and "64.4%" in body and "50.0%" in body
    export = c.get("/workforce/pay/", {"scope": world.street.code, "year": 2025, "export": "xlsx"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_name("低于底线").to_python()
    )
    assert [r[0] for r in rows[1:]] == ["低于线"]
    bad = c.post("/workforce/pay/average-wage/", {"scope": world.street.code, "year": "2026", "amount": "2330",
                                                   "source": "统计公报", "floor_percent": "100"})  # fmt: skip
    assert bad.status_code == 400 and "月平均工资" in bad.content.decode()


def test_a_lead_reads_their_community_only_and_others_are_refused(world):
    pay_world(world)
    paid_worker(world, "a", name="宁安的人")
    paid_worker(world, "b", name="郭岭的人", amounts={k: "0" for k in EXAMPLE})
    body = world.client(world.users["community_lead"]).get("/workforce/pay/", {"year": 2025}).content.decode()
    assert "宁安的人" not in body and "郭岭的人" not in body  # only the below-floor list names people
    r = world.client(world.users["community_lead"]).get(
        "/workforce/pay/", {"year": 2025, "scope": world.b.code}
    )
    assert r.status_code == 404
    for role in ("community_worker", "grid_worker", "department", "resident"):
        assert world.client(world.users[role]).get("/workforce/pay/").status_code == 403, role
    street = world.client(world.users["street"]).get("/workforce/pay/", {"year": 2025}).content.decode()
    assert "郭岭的人" in street


def test_adopting_a_template_and_entering_its_table(world):
    c = world.client(world.users["street"])
    page = c.get("/workforce/grades/")
    assert (
        page.status_code == 200
        and "三岗十八级" in page.content.decode()
        and "7–18级" in page.content.decode()
    )
    tpl = GradeScheme.objects.get(org__isnull=True, name="三级九档")
    r = c.post("/workforce/grades/new/", {"org": world.street.code, "template": str(tpl.pk), "years_per_step": "3",
                                          "appraisal_count": "3", "appraisal_min": "称职"})  # fmt: skip
    scheme = GradeScheme.objects.get(org=world.street)
    assert r.status_code == 302 and r["Location"] == f"/workforce/grades/{scheme.pk}/table/"
    form = c.get(f"/workforce/grades/{scheme.pk}/table/?year=2025")
    assert form.status_code == 200 and form.content.decode().count('name="r_') == 9
    cells = {f"r_{g.pk}_{s}": str(NINE[(g.name, s)]) for g in scheme.grades.all() for s in g.steps()}
    missing = dict(cells)
    missing.pop(next(iter(missing)))
    r = c.post(f"/workforce/grades/{scheme.pk}/table/", {"year": "2025", "source": "街道文件", **missing})
    assert r.status_code == 400 and not PayTable.objects.exists()
    r = c.post(f"/workforce/grades/{scheme.pk}/table/", {"year": "2025", "source": "街道文件", **cells})
    assert r.status_code == 302 and PayTable.objects.get().rates.count() == 9
    page = c.get("/workforce/grades/?year=2025").content.decode()
    assert "2500" in page and "街道文件" in page
    # Next year's form starts from this year's amounts.
    assert 'value="2500' in c.get(f"/workforce/grades/{scheme.pk}/table/?year=2026").content.decode()
    # A community lead reads the street's scheme but has nothing to adopt or enter.
    lead = world.client(world.users["community_lead"])
    assert "纸坊街道三级九档" in lead.get("/workforce/grades/?year=2025").content.decode()
    assert lead.get("/workforce/grades/new/").status_code == 403
    assert lead.get(f"/workforce/grades/{scheme.pk}/table/").status_code == 404


def test_a_workers_grade_pay_contract_and_insurance_through_their_page(world):
    scheme = pay_world(world)
    w = make_worker(world, "a", name="周敏")
    c = world.client(world.users["community_lead"])
    r = c.post(
        f"/workforce/workers/{w.pk}/grade/", {"grade": f"{scheme.pk}:初级", "step": "4", "on": "2025-01-01"}
    )
    assert r.status_code == 400 and "初级的档应在 1 至 3 之间" in r.content.decode()
    r = c.post(
        f"/workforce/workers/{w.pk}/grade/", {"grade": f"{scheme.pk}:初级", "step": "2", "on": "2025-01-01"}
    )
    assert r.status_code == 302 and r["Location"] == f"/workforce/workers/{w.pk}/#pay"
    r = c.post(f"/workforce/workers/{w.pk}/pay/", {"year": "2024", **EXAMPLE})
    assert r.status_code == 400 and "在 2024 年尚未定级" in r.content.decode()
    r = c.post(f"/workforce/workers/{w.pk}/pay/", {"year": "2025", **EXAMPLE})
    assert r.status_code == 302 and PayRecord.objects.get().base == Decimal("19200.00")  # 1,600 × 12
    assert (
        'value="2567' in c.get(f"/workforce/workers/{w.pk}/pay/?year=2025").content.decode()
    )  # the year's record
    r = c.post(f"/workforce/workers/{w.pk}/pay/", {"year": "2025", **EXAMPLE, "bonus": "2200"})
    log = world.client(world.users["street"]).get("/changelog/").content.decode()
    log = log[log.index('id="list-table"') :]
    assert "年终奖励" in log and "应发工资" in log and "take_home" not in log and "bonus" not in log
    r = c.post(f"/workforce/workers/{w.pk}/contracts/new/", {"employer": "纸坊街道办事处", "start": "2023-01-01",
                                                              "end": "2025-12-31"})  # fmt: skip
    assert r.status_code == 302
    first = Contract.objects.get()
    form = c.get(f"/workforce/workers/{w.pk}/contracts/new/").content.decode()
    assert 'value="2026-01-01"' in form and f'value="{first.pk}" selected' in form  # a renewal is offered
    r = c.post(f"/workforce/workers/{w.pk}/contracts/new/", {"employer": "纸坊街道办事处", "start": "2025-06-01",
                                                              "end": "2027-12-31"})  # fmt: skip
    assert r.status_code == 409 and "期间重叠" in r.content.decode()
    r = c.post(
        f"/workforce/workers/{w.pk}/insurance/", {"year": "2025", "kinds": ["pension", "medical", "injury"]}
    )
    assert r.status_code == 302 and Insurance.objects.filter(worker=w).count() == 3
    page = c.get(f"/workforce/workers/{w.pk}/").content.decode()
    assert 'id="pay"' in page and "初级2档" in page and "24767" not in page  # gross is 26,967 with this base
    assert "26967" in page and "纸坊街道办事处" in page and "待考核结果" not in page


def test_the_pay_section_is_shown_to_the_worker_their_lead_and_managers_only(world):
    pay_world(world)
    record = paid_worker(world, "a", name="本人")
    own = make_user("t_own", "community_worker", world.a)
    record.worker.user = own
    record.worker.save(update_fields=["user"])
    url = f"/workforce/workers/{record.worker_id}/"
    shown = {}
    for role, user in [*world.users.items(), ("own", own)]:
        r = world.client(user).get(url)
        shown[role] = r.status_code if r.status_code != 200 else ('id="pay"' in r.content.decode())
    assert shown == {"sysadmin": True, "district": True, "street": True, "community_lead": True, "own": True,
                     "community_worker": False, "community_worker_b": 404, "grid_worker": 404, "department": 404,
                     "resident": 404}  # fmt: skip
    assert "19566" in world.client(own).get(url).content.decode()  # the worker reads their take-home
    # The worker reads, and does not write.
    assert world.client(own).get(f"{url}pay/").status_code == 403


def test_contracts_due_and_insurance_pages(world):
    w = make_worker(world, "a", name="合同快到期")
    end = dt.date.today() + dt.timedelta(days=20)
    services.add_contract(
        world.users["street"], w.pk, employer="纸坊街道办事处", start=dt.date(2024, 1, 1), end=end
    )
    later = make_worker(world, "a", name="合同还早")
    services.add_contract(world.users["street"], later.pk, employer="纸坊街道办事处", start=dt.date(2024, 1, 1),
                          end=dt.date.today() + dt.timedelta(days=200))  # fmt: skip
    c = world.client(world.users["street"])
    body = c.get("/workforce/contracts/due/").content.decode()
    assert "合同快到期" in body and "合同还早" not in body
    assert "合同还早" in c.get("/workforce/contracts/due/", {"within": 365}).content.decode()
    services.set_insurance(world.users["street"], w.pk, year=2026, kinds=["养老保险"])
    page = c.get("/workforce/insurance/", {"year": 2026}).content.decode()
    assert "50.0%" in page and "养老保险" in page


def test_the_overview_shows_last_years_pay_to_those_who_read_pay_only(world):
    scheme = street_scheme(world)
    services.set_pay_table(world.users["street"], scheme.pk, year=2025, rates=NINE)
    paid_worker(world, "a", name="低于线", amounts={k: "0" for k in EXAMPLE})  # 18,000
    paid_worker(world, "a", name="达标者")  # 24,767
    services.set_average_wage(world.users["street"], world.street.code, year=2025, amount="27968",
                              source="区统计局", floor_percent=85)  # fmt: skip
    page = world.client(world.users["street"]).get(
        "/workforce/", {"scope": world.a.code, "date": "2026-03-01"}
    )
    body = page.content.decode()
    assert 'id="pay-card"' in body and "2025 年薪酬待遇" in body
    assert "76.5%" in body and "50.0%" in body  # (64.4 + 88.6) ÷ 2; one of two at or above 85%
    worker = world.client(world.users["community_worker"]).get("/workforce/", {"date": "2026-03-01"})
    assert worker.status_code == 200 and 'id="pay-card"' not in worker.content.decode()
