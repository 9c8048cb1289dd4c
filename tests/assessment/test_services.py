"""The assessment services against a real database: weights, bindings, rules, caps, computing,
evidence, self-assessment, publication, objections, creation rounds and titles."""

from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.assessment.models import Entry, ItemScore, ObjectionStatus, Rule, SchemeItem
from shequ.assessment.services import creation, descriptors, rounds, scoring
from shequ.core import indicators, registry
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shequ.duties.models import BurdenEntry, DutyPolicy
from tests.assessment.factories import (
    GRADES,
    PERIOD,
    RATE,
    application,
    computed_round,
    creation_round,
    dims,
    entry,
    make_round,
    make_scheme,
    photo,
    published_round,
)

pytestmark = pytest.mark.django_db


def test_weights_must_add_to_exactly_100(world):
    with pytest.raises(ValidationFailed) as e:
        make_scheme(world, dimensions=dims("60", "39.5"))
    assert "99.5" in e.value.message and "还差 0.5 分" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        make_scheme(world, dimensions=dims("60", "40.01"))
    assert "多出 0.01 分" in e.value.message
    with pytest.raises(ValidationFailed) as e:  # whole numbers read as such, never as 9E+1
        make_scheme(world, dimensions=dims("60", "30"))
    assert "合计为 90 分" in e.value.message and "还差 10 分" in e.value.message
    assert make_scheme(world).items.count() == 2


def test_binding_to_an_unknown_or_inapplicable_indicator_is_refused(world, monkeypatch):
    bad = dims()
    bad[0]["items"][0]["indicator"] = "cases.nonexistent"
    with pytest.raises(ValidationFailed, match="不在指标目录中"):
        make_scheme(world, dimensions=bad)
    ind = registry.indicator(RATE)
    monkeypatch.setitem(
        registry._indicators, RATE, registry.Indicator(**{**ind.__dict__, "scopes": ("district",)})
    )
    with pytest.raises(ValidationFailed, match="只适用于区县一级"):
        make_scheme(world)


def test_rules_are_checked_and_respect_direction(world):
    bad = dims()
    bad[0]["items"][0]["params"] = {"floor": "50", "target": "10"}
    with pytest.raises(ValidationFailed, match="目标值应大于起评值"):
        make_scheme(world, dimensions=bad)
    bad[0]["items"][0].update(rule="thresholds", params={"bands": [{"from": "0", "to": "50", "points": "30"},
                                                                    {"from": "40", "points": "60"}]})  # fmt: skip
    with pytest.raises(ValidationFailed, match="重叠"):
        make_scheme(world, dimensions=bad)
    bad[0]["items"][0]["params"]["bands"][1]["points"] = "61"
    with pytest.raises(ValidationFailed, match="0 至 60"):
        make_scheme(world, dimensions=bad)

    def item(rule, params, higher=True, weight="10"):
        return SchemeItem(
            rule=rule, params=params, weight=Decimal(weight), higher_is_better=higher, label="x"
        )

    lin = item(Rule.LINEAR, {"floor": "10", "target": "2"}, higher=False)
    assert scoring.points(lin, Decimal("2")) == Decimal("10.00")
    assert scoring.points(lin, Decimal("6")) == Decimal("5.00")
    assert scoring.points(lin, Decimal("12")) == Decimal("0.00")
    th = item(Rule.THRESHOLDS, {"bands": [{"from": "80", "to": None, "points": "10"},
                                          {"from": "60", "to": "80", "points": "6"}]})  # fmt: skip
    assert [scoring.points(th, Decimal(v)) for v in ("85", "60", "59.9")] == [
        Decimal("10.00"),
        Decimal("6.00"),
        0,
    ]
    yn = item(Rule.YESNO, {"pass_at": "0"}, higher=False)
    assert scoring.points(yn, Decimal("0")) == Decimal("10.00") and scoring.points(yn, Decimal("1")) == 0


def test_a_community_may_not_write_a_scheme(world):
    with pytest.raises((Forbidden, NotFound)):
        make_scheme(world, who="community_lead")


def test_round_lists_communities_counts_against_caps_and_refuses_over_cap(world):
    r = make_round(world)
    assert set(r.entries.values_list("unit__code", flat=True)) == {
        world.community("a").code,
        world.community("b").code,
    }
    assert BurdenEntry.objects.filter(appraisals=1, community=world.community("a")).count() == 1
    DutyPolicy.objects.create(org=world.district, caps={"appraisals": 2})
    make_round(world)  # the second appraisal of the year: at the cap
    with pytest.raises(Conflict) as e:
        make_round(world)
    assert e.value.code == "cap_exceeded" and "上限 2 次" in e.value.message and "宁安" in e.value.message
    assert BurdenEntry.objects.filter(appraisals=1, community=world.community("a")).count() == 2


def test_compute_freezes_figures_and_recompute_is_recorded(world, monkeypatch):
    r = computed_round(world)
    sc = ItemScore.objects.get(entry__round=r, entry__unit=world.community("a"), item__indicator=RATE)
    assert sc.taken_at is not None and sc.from_snapshot is False
    with pytest.raises(ValidationFailed, match="写明原因"):
        rounds.compute_round(world.users["district"], r)
    ind = registry.indicator(RATE)
    fake = registry.Indicator(**{**ind.__dict__, "compute_many": None,
                                 "compute": lambda u, c, s, e: {"value": 25, "numerator": 1, "denominator": 4}})  # fmt: skip
    monkeypatch.setitem(registry._indicators, RATE, fake)
    rounds.compute_round(world.users["district"], r, reason="数据已更正")
    r.refresh_from_db()
    assert len(r.computations) == 2 and r.computations[1]["reason"] == "数据已更正"
    sc.refresh_from_db()
    assert sc.value == Decimal("25") and sc.points == Decimal("30.00")  # 25 of 0…50 → half of 60
    published = published_round(world)
    before = ItemScore.objects.get(
        entry__round=published, entry__unit=world.community("a"), item__indicator=RATE
    ).value
    with pytest.raises(Conflict, match="已公布"):
        rounds.compute_round(world.users["district"], published, reason="再算")
    assert (
        ItemScore.objects.get(
            entry__round=published, entry__unit=world.community("a"), item__indicator=RATE
        ).value
        == before
    )


def test_compute_from_snapshots(world):
    r = make_round(world)
    codes = [world.community("a").code, world.community("b").code]
    indicators.take_snapshots(world.users["district"], RATE, codes, r.start, r.end)
    rounds.compute_round(world.users["district"], r, source="snapshots")
    assert ItemScore.objects.filter(entry__round=r, item__indicator=RATE, from_snapshot=True).count() == 2


def test_manual_score_needs_evidence_when_required(world):
    r = computed_round(world)
    sc = ItemScore.objects.get(entry__round=r, entry__unit=world.community("a"), item__rule="manual")
    with pytest.raises(ValidationFailed, match="须附佐证材料"):
        rounds.score_item(world.users["district"], sc.pk, points="30")
    with pytest.raises(ValidationFailed, match="0 至 40"):
        rounds.score_item(world.users["district"], sc.pk, points="41", photos=photo())
    rounds.score_item(world.users["district"], sc.pk, points="38", photos=photo())
    e = Entry.objects.get(pk=sc.entry_id)
    assert e.total >= Decimal("38") and e.rank in (1, 2) and e.grade
    with pytest.raises(Forbidden):
        rounds.score_item(world.users["community_lead"], sc.pk, points="40", photos=photo())


def test_publish_needs_every_manual_item_and_results_are_ranked_and_graded(world):
    r = computed_round(world)
    with pytest.raises(Conflict, match="未评分"):
        rounds.publish(world.users["district"], r)
    r = published_round(world, points="30")
    a, b = r.entries.get(unit=world.community("a")), r.entries.get(unit=world.community("b"))
    assert b.total - a.total == Decimal("5.00") and (b.rank, a.rank) == (1, 2)
    assert a.grade == r.scheme.grade_for(a.total)
    assert r.objection_until == timezone.localdate() + timezone.timedelta(days=7)


def test_self_assessment_beside_the_score(world):
    r = computed_round(world)
    e = r.entries.get(unit=world.community("a"))
    items = {s.item.rule: s.item_id for s in e.scores.select_related("item")}
    rounds.self_assess(world.users["community_lead"], e.pk, scores={items["linear"]: "50", items["manual"]: "40"},
                       note="自评")  # fmt: skip
    e.refresh_from_db()
    assert e.self_total == Decimal("90.00")
    with pytest.raises(NotFound):
        rounds.self_assess(world.users["community_worker_b"], e.pk, scores={items["manual"]: "40"})


def test_objection_window_upheld_and_rejected(world):
    e = entry(world, "a")
    sc = e.scores.get(item__rule="manual")
    with pytest.raises(ValidationFailed, match="异议理由"):
        rounds.file_objection(world.users["community_lead"], e.pk, reason="no")
    o = rounds.file_objection(world.users["community_lead"], e.pk, reason="台账齐全应得满分", score_id=sc.pk)
    with pytest.raises(Conflict, match="待处理"):
        rounds.file_objection(
            world.users["community_worker"], e.pk, reason="台账齐全应得满分", score_id=sc.pk
        )
    with pytest.raises(Forbidden):
        rounds.handle_objection(world.users["community_lead"], o.pk, decision="upheld", points="40")
    rounds.handle_objection(world.users["district"], o.pk, decision="upheld", points="40", reply="复核属实")
    o.refresh_from_db()
    e.refresh_from_db()
    assert o.status == ObjectionStatus.UPHELD and (o.old_points, o.new_points) == (
        Decimal("30.00"),
        Decimal("40.00"),
    )
    assert e.rank == 1
    o2 = rounds.file_objection(world.users["community_lead"], e.pk, reason="总分排名有误")
    with pytest.raises(ValidationFailed, match="理由"):
        rounds.handle_objection(world.users["district"], o2.pk, decision="rejected")
    rounds.handle_objection(world.users["district"], o2.pk, decision="rejected", reply="排名依总分，无误")
    r = e.round
    r.objection_until = timezone.localdate() - timezone.timedelta(days=1)
    r.save()
    with pytest.raises(Conflict, match="截止"):
        rounds.file_objection(world.users["community_lead"], e.pk, reason="再提一次异议")


def test_creation_application_acceptance_and_title(world):
    e = application(world, "a")
    assert e.status == "applied"
    with pytest.raises(Conflict):
        creation.apply(
            world.users["community_lead"], e.round_id, community=world.community("a").code, claim="再次申报"
        )
    manual = e.scores.get(item__rule="manual").item_id
    creation.accept(world.users["district"], e.pk, note="资料齐全，现场查看", scores={manual: "40"})
    e.refresh_from_db()
    assert e.status == "inspected" and e.total is not None
    assert BurdenEntry.objects.filter(community=world.community("a"), evaluations=1).count() == 1
    assert e.grade == "达标"
    creation.decide(world.users["district"], e.pk, grant=True)
    t = e.__class__.objects.get(pk=e.pk).title
    assert t.expires_on.year == timezone.localdate().year + 3 and len(t.rechecks) == 2


def test_unmet_standard_is_shown(world):
    r = creation_round(world)
    e = creation.apply(
        world.users["community_lead"], r.pk, community=world.community("a").code, claim="创建工作扎实"
    )
    manual = e.scores.get(item__rule="manual").item_id
    creation.accept(world.users["district"], e.pk, note="现场查看", scores={manual: "20"})
    rows = {row["item"].label: row for row in rounds.unmet_items(r.scheme)}
    assert rows["党群服务中心规范化"]["unmet"] is True
    e.refresh_from_db()
    assert e.total == Decimal("20.00") and not e.grade
    with pytest.raises(Conflict, match="未达到"):
        creation.decide(world.users["district"], e.pk, grant=True)
    with pytest.raises(ValidationFailed, match="理由"):
        creation.decide(world.users["district"], e.pk, grant=False)
    creation.decide(world.users["district"], e.pk, grant=False, note="阵地面积不达标")


def test_descriptors_and_size_bands(world):
    descriptors.set_profile(world.users["district"], community=world.community("a").code, kind="rural",
                            households="800", residents="2500")  # fmt: skip
    p = descriptors.profiles([world.community("a").code])[world.community("a").code]
    assert p["kind_label"] == "农村" and p["band"] == "小型"
    with pytest.raises(ValidationFailed):
        descriptors.set_profile(world.users["district"], community=world.community("a").code, kind="城堡")
    assert descriptors.matters()["sample"] is True and descriptors.minor_count() > 0


def test_grades_are_named_by_bands(world):
    s = make_scheme(world, grades=[{"name": "全面小康", "min": "90"}, {"name": "基本小康", "min": "75"},
                                   {"name": "初步小康", "min": "60"}])  # fmt: skip
    assert [s.grade_for(v) for v in (95, 80, 60, 59)] == ["全面小康", "基本小康", "初步小康", ""]
    with pytest.raises(ValidationFailed):
        make_scheme(world, grades=[{"name": "优秀", "min": "120"}])
    assert GRADES and PERIOD
