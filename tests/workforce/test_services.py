"""The roster's acts and the bad input each refuses with a reason, leaving nothing half-written."""

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry
from shequ.workforce import services
from shequ.workforce.models import Movement, Office, Population, Status, Worker
from tests.workforce.factories import id_number, make_worker

pytestmark = pytest.mark.django_db
D = dt.date


def test_add_derives_gender_and_birth_from_the_id_and_logs(world):
    number = id_number(D(1988, 8, 8), female=True)
    w = services.add_worker(world.users["street"], world.a.code, name=" 李红 ", id_number=number,
                            education="本科", source="聘用", hired_on=D(2015, 1, 1))  # fmt: skip
    assert (w.name, w.gender, w.birth_date, w.scope_code) == ("李红", "female", D(1988, 8, 8), world.a.code)
    assert Movement.objects.get(worker=w).kind == "hire"
    entry = ChangeLogEntry.objects.get(object_id=str(w.pk), action="create")
    assert entry.after["id_number"] == "***"  # sensitive: redacted in the change log
    assert Worker.objects.get(pk=w.pk).id_number == number  # decrypted for code, encrypted at rest


@pytest.mark.parametrize(
    "change, field, text",
    [
        ({"id_number": "42011519900101123"}, "id_number", "18 位"),
        ({"gender": "女"}, "gender", "不符"),
        ({"birth_date": D(1991, 1, 1)}, "birth_date", "不符"),
        ({"education": "博士后"}, "education", "不在可选范围内"),
        ({"source": "抽调"}, "source", "不在可选范围内"),
        ({"hired_on": D(2000, 1, 1)}, "hired_on", "16 周岁"),
        ({"hired_on": dt.date.today() + dt.timedelta(days=3)}, "hired_on", "不能晚于今天"),
        ({"name": "  "}, "name", "姓名"),
        ({"phone": "12345"}, "phone", ""),
    ],
)
def test_bad_fields_are_refused_with_the_reason(world, change, field, text):
    data = {"name": "张三", "id_number": id_number(D(1990, 1, 1)), "education": "本科", "source": "聘用",
            "hired_on": D(2015, 1, 1), **change}  # fmt: skip
    with pytest.raises(ValidationFailed) as e:
        services.add_worker(world.users["street"], world.a.code, **data)
    assert field in e.value.details and text in e.value.message
    assert not Worker.objects.exists() and not Movement.objects.exists()


def test_one_person_in_two_full_time_posts_is_refused(world):
    w = make_worker(world, "a")
    with pytest.raises(Conflict) as e:
        services.add_worker(world.users["street"], world.b.code, name=w.name, id_number=w.id_number,
                            education="本科", source="聘用", hired_on=D(2019, 1, 1))  # fmt: skip
    assert "两个专职岗位" in e.value.message and e.value.code == "duplicate"
    assert Worker.objects.count() == 1
    # Part-time in a second place is allowed; after leaving, a new full-time post is too.
    services.add_worker(world.users["street"], world.b.code, name=w.name, id_number=w.id_number, education="本科",
                        source="聘用", hired_on=D(2019, 1, 1), full_time=False)  # fmt: skip
    services.record_exit(world.users["street"], w.pk, on=D(2024, 1, 1), reason="辞职")
    services.add_worker(world.users["street"], world.b.code, name=w.name, id_number=w.id_number, education="本科",
                        source="聘用", hired_on=D(2024, 2, 1))  # fmt: skip


def test_exit_return_and_their_rules(world):
    street = world.users["street"]
    w = make_worker(world, "a", hired=D(2018, 1, 1))
    services.assign_office(street, w.pk, body="committee", title="委员", start=D(2021, 1, 1))
    with pytest.raises(ValidationFailed):
        services.record_exit(street, w.pk, on=D(2017, 1, 1), reason="辞职")  # before the hire
    with pytest.raises(ValidationFailed):
        services.record_exit(street, w.pk, on=D(2024, 1, 1), reason="不干了")
    services.record_exit(street, w.pk, on=D(2024, 1, 1), reason="retired", interview="身体原因")
    w.refresh_from_db()
    assert (w.status, w.left_on, w.exit_reason) == (Status.LEFT, D(2024, 1, 1), "retired")
    assert Office.objects.get(worker=w).end == D(2024, 1, 1)  # offices end with the service
    with pytest.raises(Conflict):
        services.record_exit(street, w.pk, on=D(2024, 2, 1), reason="辞职")  # twice
    with pytest.raises(ValidationFailed):
        services.record_return(street, w.pk, on=D(2023, 12, 1))  # before the exit
    services.record_return(street, w.pk, on=D(2025, 1, 1))
    w.refresh_from_db()
    assert w.status == Status.ACTIVE and w.left_on is None
    assert list(w.movements.order_by("on").values_list("kind", flat=True)) == ["hire", "exit", "return"]


def test_a_chair_has_one_holder(world):
    street = world.users["street"]
    a, b = make_worker(world, "a"), make_worker(world, "a")
    services.assign_office(street, a.pk, body="party", title="书记", start=D(2021, 1, 1))
    with pytest.raises(Conflict) as e:
        services.assign_office(street, b.pk, body="party", title="书记", start=D(2022, 1, 1))
    assert a.name in e.value.message
    # 一肩挑 and 交叉任职 are allowed: the same person may chair both bodies.
    services.assign_office(street, a.pk, body="committee", title="主任", start=D(2021, 1, 1))
    with pytest.raises(Conflict):
        services.assign_office(street, a.pk, body="committee", title="主任", start=D(2021, 1, 1))
    with pytest.raises(ValidationFailed):
        services.assign_office(street, b.pk, body="committee", title="秘书长", start=D(2021, 1, 1))
    with pytest.raises(ValidationFailed) as e:  # specialist posts are the district's list
        services.assign_office(street, b.pk, body="specialist", title="保安", start=D(2021, 1, 1))
    assert "社保专干" in e.value.message
    services.assign_office(street, b.pk, body="specialist", title="社保专干", start=D(2021, 1, 1))
    office = Office.objects.get(worker=a, body="party")
    services.end_office(street, office.pk, end=D(2023, 1, 1))
    services.assign_office(street, b.pk, body="party", title="书记", start=D(2023, 1, 2))


def test_transfer_moves_the_scope(world):
    w = make_worker(world, "a")
    services.transfer_worker(world.users["street"], w.pk, to_org=world.b.code, on=D(2025, 5, 1))
    w.refresh_from_db()
    assert w.scope_code == world.b.code
    m = w.movements.get(kind="transfer")
    assert (m.from_org.code, m.to_org.code) == (world.a.code, world.b.code)
    # The community lead of a no longer sees them.
    with pytest.raises(NotFound):
        services.record_exit(world.users["community_lead"], w.pk, on=D(2025, 6, 1), reason="辞职")


def test_who_may_act(world):
    with pytest.raises(Forbidden):
        make_worker(world, "a", who="community_worker")
    with pytest.raises(NotFound):
        make_worker(world, "b", who="community_lead")
    w = make_worker(world, "a", who="community_lead")
    with pytest.raises(Forbidden):
        services.set_population(world.users["community_lead"], world.a.code, year=2025, residents=100)
    with pytest.raises(NotFound):
        services.record_exit(world.users["department"], w.pk, on=D(2025, 1, 1), reason="辞职")


def test_population_is_one_figure_per_year(world):
    street = world.users["street"]
    services.set_population(street, world.a.code, year=2025, residents=9000)
    services.set_population(street, world.a.code, year=2025, residents=9100, source="区统计局")
    p = Population.objects.get()
    assert (p.residents, p.source, p.version) == (9100, "区统计局", 2)
    for bad in ({"year": 1990}, {"residents": 0}, {"residents": -5}):
        with pytest.raises(ValidationFailed):
            services.set_population(street, world.a.code, **({"year": 2025, "residents": 10} | bad))
    with pytest.raises(ValidationFailed):
        services.set_ratio(world.users["district"], "420115", per_10k="十八")
    with pytest.raises(ValidationFailed):
        services.set_ratio(world.users["district"], "420115", per_10k=0)


def test_population_from_the_registry(world):
    from tests.people.factories import make_resident

    make_resident(world, "a")
    make_resident(world, "a", residence_type="floating")
    p = services.population_from_registry(world.users["street"], world.a.code, year=2025,
                                          residence_types=["户籍在住"])  # fmt: skip
    assert p.residents == 1 and "户籍在住" in p.source


def test_the_specialist_list_is_changed_by_the_operator(world, capsys):
    from shequ.cli import build_parser

    parser = build_parser()

    def run(*argv):
        args = parser.parse_args(["workforce", "posts", *argv])
        args.func(args)
        return capsys.readouterr().out

    assert "社保专干" in run()
    run("--add", "物业专干")
    services.assign_office(world.users["street"], make_worker(world, "a").pk, body="specialist", title="物业专干",
                           start=D(2023, 1, 1))  # fmt: skip
    assert "× 物业专干" in run("--retire", "物业专干")
    with pytest.raises(ValidationFailed):
        services.assign_office(world.users["street"], make_worker(world, "a").pk, body="specialist",
                               title="物业专干", start=D(2023, 1, 1))  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.set_specialist_post(None, "没有这个", active=False)
    with pytest.raises(Forbidden):
        services.set_specialist_post(world.users["street"], "物业专干", active=True)


def test_certificates_and_the_certificate_rate(world):
    from shequ.workforce import reports

    street = world.users["street"]
    a, b = make_worker(world, "a", birth=D(1990, 1, 1)), make_worker(world, "a")
    services.add_qualification(
        street, a.pk, kind="社会工作师", number="S2020-001", obtained_on=D(2020, 6, 1), reward=2000
    )
    with pytest.raises(Conflict):  # the same certificate twice
        services.add_qualification(
            street, a.pk, kind="social_worker", number="S2020-009", obtained_on=D(2021, 6, 1)
        )
    with pytest.raises(Conflict) as e:  # a number already on someone else
        services.add_qualification(
            street, b.pk, kind="社会工作师", number="S2020-001", obtained_on=D(2021, 6, 1)
        )
    assert a.name in e.value.message
    with pytest.raises(ValidationFailed):
        services.add_qualification(
            street, b.pk, kind="other", number="X1", obtained_on=D(2021, 6, 1)
        )  # no name
    with pytest.raises(ValidationFailed):
        services.add_qualification(
            street, b.pk, kind="社会工作师", number="S9", obtained_on=D(2005, 1, 1)
        )  # aged 15
    roles = {r["key"]: r for r in reports.structure(street, world.a.code, D(2026, 1, 1))["roles"]}
    assert (roles["certified"]["count"], roles["certified"]["percent"]) == (1, Decimal("50.0"))
    before = {r["key"]: r for r in reports.structure(street, world.a.code, D(2020, 1, 1))["roles"]}
    assert before["certified"]["count"] == 0  # counted from the day it was obtained


def test_training_sign_in_coverage_and_minimum_days(world):
    from shequ.workforce import reports

    street = world.users["street"]
    head, member, idle = (make_worker(world, "a", hired=D(2015, 1, 1)) for _i in range(3))
    services.assign_office(street, head.pk, body="party", title="书记", start=D(2021, 1, 1))
    year = dt.date.today().year
    t1 = services.create_training(street, world.street.code, title="社区书记轮训", organiser="党校", kind="岗中培训",
                                  start=D(year, 1, 5), end=D(year, 1, 9), days=5)  # fmt: skip
    t2 = services.create_training(street, world.a.code, title="政策解读", organiser="民政局", kind="岗中培训",
                                  start=D(year, 1, 12), end=D(year, 1, 12), days="0.5")  # fmt: skip
    services.sign_in(street, t1.pk, head.pk, passed=True)
    services.sign_in(street, t1.pk, member.pk)
    services.sign_in(street, t2.pk, member.pk)
    with pytest.raises(Conflict):  # a second sign-in is refused, not counted twice
        services.sign_in(street, t1.pk, head.pk)
    with pytest.raises(ValidationFailed):  # days beyond the training's span
        services.create_training(street, world.a.code, title="x", organiser="党校", kind="岗前培训",
                                 start=D(year, 1, 1), end=D(year, 1, 1), days=2)  # fmt: skip
    r = reports.training(street, world.a.code, year)
    assert (r["in_post"], r["trained"], r["person_times"]) == (3, 2, 3)
    assert r["coverage"] == Decimal("66.7") and r["average_days"] == Decimal("3.5")  # (5 + 5.5) / 3
    short = {x["name"]: (x["days"], x["minimum"]) for x in r["below_minimum"]}
    assert short == {head.name: (Decimal("5.0"), 7), idle.name: (Decimal("0"), 3)}  # the secretary needs 7
