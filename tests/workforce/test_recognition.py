"""Recognition (honours, 两代表一委员, promotions, the way up) and linking a worker's login account."""

import datetime as dt

import pytest

from shequ.core.errors import Conflict, NotFound, ValidationFailed
from shequ.core.models import ChangeLogEntry
from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.workforce import services
from shequ.workforce.models import Worker
from shequ.workforce.services.recognition import ways_up
from tests.workforce.factories import make_worker

pytestmark = pytest.mark.django_db


def test_honours_seats_and_promotions(world):
    w = make_worker(world, "a")
    street = world.users["street"]
    a = services.add_award(street, w.pk, title="十佳社区干部", level="区级", awarded_on=dt.date(2025, 12, 28),
                           body="中共江夏区委组织部")  # fmt: skip
    assert (
        a.level == "district" and ChangeLogEntry.objects.filter(object_id=str(a.pk), action="create").exists()
    )
    seat = services.add_representative(
        street, w.pk, kind="人大代表", level="区级", term="第十届", start=dt.date(2021, 12, 1)
    )
    assert seat.kind == "npc"
    with pytest.raises(Conflict, match="已登记为第十届区级人大代表"):
        services.add_representative(
            street, w.pk, kind="npc", level="district", term="第十届", start=dt.date(2021, 12, 1)
        )
    with pytest.raises(ValidationFailed, match="届满日期应晚于当选日期"):
        services.add_representative(street, w.pk, kind="cppcc", level="district", term="第十届",
                                    start=dt.date(2022, 1, 1), end=dt.date(2021, 1, 1))  # fmt: skip
    with pytest.raises(ValidationFailed, match="不能早于参加社区工作时间"):
        services.add_promotion(street, w.pk, on=dt.date(2015, 1, 1), post="社区居委会副主任")
    with pytest.raises(ValidationFailed, match="请填写荣誉名称"):
        services.add_award(
            street, w.pk, title=" ", level="区级", awarded_on=dt.date(2025, 1, 1), body="区民政局"
        )
    with pytest.raises(ValidationFailed, match="级别"):
        services.add_award(
            street, w.pk, title="优秀", level="乡级", awarded_on=dt.date(2025, 1, 1), body="区民政局"
        )


def test_recognition_is_entered_by_managers_of_the_worker_only(world):
    w = make_worker(world, "b")
    with pytest.raises(NotFound):
        services.add_award(world.users["community_lead"], w.pk, title="十佳", level="区级",
                           awarded_on=dt.date(2025, 1, 1), body="区委组织部")  # fmt: skip


def test_the_way_up_joins_promotions_and_upward_exits(world):
    up = make_worker(world, "a", name="向上")
    stay = make_worker(world, "a", name="留任")
    gone = make_worker(world, "b", name="辞职者")
    street = world.users["street"]
    services.record_exit(
        street, up.pk, on=dt.date(2024, 9, 1), reason="招录为公务员或事业编", note="区民政局"
    )
    services.record_exit(street, gone.pk, on=dt.date(2024, 5, 1), reason="辞职")
    services.add_promotion(street, stay.pk, on=dt.date(2023, 7, 1), post="社区党委副书记")
    rows = ways_up(street, world.street.code)
    assert [(r["worker"].name, r["out"]) for r in rows] == [("向上", True), ("留任", False)]
    assert rows[0]["post"] == "区民政局" and "招录为公务员或事业编" in rows[0]["kind"]
    assert ways_up(world.users["community_lead"], world.b.code) == []  # the lead of a does not see b
    page = world.client(world.users["community_worker"]).get("/workforce/recognition/").content.decode()
    assert "向上" in page and "社区党委副书记" in page and "辞职者" not in page


def test_a_worker_account_is_linked_where_the_worker_works(world):
    w = make_worker(world, "a")
    lead = world.users["community_lead"]
    with pytest.raises(ValidationFailed, match="没有在宁安社区任职的授权"):
        services.link_account(lead, w.pk, username="t_worker_b")  # a worker of 郭岭
    with pytest.raises(ValidationFailed, match="没有名为"):
        services.link_account(lead, w.pk, username="nobody")
    resident = make_user("r_link", Role.RESIDENT, world.a)
    with pytest.raises(ValidationFailed, match="授权"):
        services.link_account(lead, w.pk, username=resident.username)
    services.link_account(lead, w.pk, username="t_worker_a")
    assert Worker.objects.get(pk=w.pk).user == world.users["community_worker"]
    other = make_worker(world, "a")
    with pytest.raises(Conflict, match="已关联"):
        services.link_account(lead, other.pk, username="t_worker_a")
    services.link_account(lead, w.pk, username="")
    assert Worker.objects.get(pk=w.pk).user is None
