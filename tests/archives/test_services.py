import threading

import pytest
from django.db import connection
from django.utils import timezone

from shequ.archives import checks, services
from shequ.archives.models import (
    FileCheck,
    Item,
    ItemFile,
    Proposal,
    RegisterEntry,
    RequestStatus,
    ScheduleEntry,
    UseLog,
)
from shequ.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.archives.factories import (
    YEAR,
    charge,
    fonds,
    keeper,
    make_disposal,
    make_item,
    make_request,
    pdf,
    png,
)


@pytest.mark.django_db
def test_schedule_is_seeded_and_awaits_bureau():
    assert ScheduleEntry.objects.count() >= 15
    assert not ScheduleEntry.objects.filter(confirmed_by_bureau=True).exists()
    assert set(ScheduleEntry.objects.values_list("archive_class__code", flat=True)) == {"WS", "KJ", "KU"}


def test_reference_by_da_t_22_and_gap_free_numbers(world):
    a1 = make_item(world, "a")
    a2 = make_item(world, "a")
    f = a1.fonds
    assert a1.reference == f"{f.number}-WS·{YEAR}-D30-PA-0001"
    assert a2.number == 2 and a2.reference.endswith("-0002")
    # another retention runs its own numbers
    y = make_item(world, "a", entry="WS-01")
    assert y.reference == f"{f.number}-WS·{YEAR}-Y-ZZ-0001"


def test_number_gap_and_reused_number_refused(world):
    make_item(world, "a")
    with pytest.raises(Conflict) as gap:
        make_item(world, "a", number=5)
    assert gap.value.code == "number_gap" and "0002" in gap.value.message
    with pytest.raises(Conflict) as reused:
        make_item(world, "a", number=1)
    assert reused.value.code == "reference_taken"
    assert make_item(world, "a", number=2).number == 2


def test_retention_outside_schedule_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        make_item(world, "a", retention="D10")
    assert "保管期限表规定" in exc.value.message
    assert not Item.objects.exists()


def test_item_never_deleted(world):
    item = make_item(world, "a")
    with pytest.raises(Conflict) as exc:
        services.delete_item(keeper(world, "a"), item.pk)
    assert "不能删除" in exc.value.message
    with pytest.raises(Conflict):
        item.delete()
    with pytest.raises(Conflict):
        Item.objects.all().delete()
    assert Item.objects.filter(pk=item.pk).exists()


def test_only_archivist_files_and_only_in_scope(world):
    f = fonds(world, "a")
    with pytest.raises((Forbidden, NotFound)):
        services.register_item(world.users["grid_worker"], fonds=f,
                               entry="WS-12", year=YEAR, title="x", responsible="y", date=f"{YEAR}-01-01", box="1")  # fmt: skip
    with pytest.raises(NotFound):
        services.register_item(keeper(world, "b"), fonds=f, entry="WS-12", year=YEAR, title="x", responsible="y",
                               date=f"{YEAR}-01-01", box="1")  # fmt: skip


def test_closed_items_hidden_outside_the_archive_role(world):
    closed = make_item(world, "a", openness="closed")
    lead = world.users["community_lead"]
    # the lead is charged in factories; a plain community lead without the duty does not see it
    from shequ.core.models import Membership

    Membership.objects.filter(user=lead).update(duties=[])
    lead.__dict__.pop("_shequ_memberships", None)
    assert not Item.objects.visible_to(lead).filter(pk=closed.pk).exists()
    assert Item.objects.visible_to(keeper(world, "a")).filter(pk=closed.pk).exists()
    assert not Item.objects.visible_to(keeper(world, "b")).filter(pk=closed.pk).exists()


def test_formats_identified_by_content():
    assert checks.identify(pdf()).format == "pdf"
    assert checks.identify(pdf() + b"<pdfaid:part>1</pdfaid:part>").format == "pdfa"
    assert checks.identify(png()).format == "png"
    assert checks.identify('<?xml version="1.0"?><a>纪要</a>'.encode()).format == "xml"
    assert checks.identify("调解协议".encode()).format == "txt"
    docx = checks.identify(b"PK\x03\x04" + b"\x00" * 60)
    assert not docx.long_term


def test_capture_checks_and_periodic_fixity(world):
    charge(world)
    item = make_item(
        world,
        "a",
        carrier="electronic",
        files=[("协议.pdf", pdf()), ("协议.docx", b"PK\x03\x04" + b"\x00" * 60)],
    )
    good, odd = item.files.order_by("pk")
    assert good.long_term and good.sha256 == checks.sha256(pdf())
    assert FileCheck.objects.get(file=good).ok
    flagged = FileCheck.objects.get(file=odd)
    assert not flagged.ok and not flagged.usability and "长期保存格式" in flagged.problems[0]
    # someone alters the stored bytes: the periodic check finds it and tells the archive staff
    ItemFile.objects.filter(pk=good.pk).update(data=pdf("tampered"))
    result = services.verify_files()
    assert result["checked"] == 2 and result["failed"] == 2
    last = FileCheck.objects.filter(file=good).order_by("-pk").first()
    assert not last.authenticity and any("SHA-256" in p for p in last.problems)
    from shequ.core.models import Notification

    assert Notification.objects.filter(template="archives.check_failed").exists()


def test_capture_proposes_confirms_and_links_source(world):
    from shequ.core import registry
    from shequ.core.registry import ArchiveCandidate

    f = fonds(world, "a")
    rows = {
        "7": ArchiveCandidate(
            "7", "M-7", "居民议事会会议纪要", "宁安社区", timezone.datetime(YEAR, 3, 2).date(), f.org.code
        )
    }
    registry.register_archive_source("test.minutes", label="测试纪要", archive_class="WS", retention="Y", topic="ZZ",
                                     entry="WS-01", candidates=lambda code, y: list(rows.values()),
                                     render=lambda sid: ("m.xml", registry.archive_document("纪要", [("编号", sid)])))  # fmt: skip
    try:
        made = [p for p in services.propose(keeper(world, "a"), f, YEAR) if p.rule == "test.minutes"]
        assert len(made) == 1
        assert services.propose(keeper(world, "a"), f, YEAR) == [] or all(
            p.rule != "test.minutes" for p in services.propose(keeper(world, "a"), f, YEAR)
        )
        items = services.confirm(keeper(world, "a"), [made[0].pk])
        item = items[0]
        assert item.reference == f"{f.number}-WS·{YEAR}-Y-ZZ-0001"
        assert (item.source_rule, item.source_id) == ("test.minutes", "7")
        assert item.files.get().format == "xml"
        assert Proposal.objects.get(pk=made[0].pk).item == item
        with pytest.raises(Conflict):
            services.confirm(keeper(world, "a"), [made[0].pk])
    finally:
        registry._archive_sources.pop("test.minutes")


def test_rule_outside_schedule_refused(world):
    from shequ.core import registry

    f = fonds(world, "a")
    registry.register_archive_source("test.bad", label="错误规则", archive_class="WS", retention="D10", topic="ZZ",
                                     entry="WS-01", candidates=lambda c, y: [], render=lambda s: None)  # fmt: skip
    try:
        with pytest.raises(Conflict) as exc:
            services.propose(keeper(world, "a"), f, YEAR)
        assert exc.value.code == "rule_outside_schedule"
    finally:
        registry._archive_sources.pop("test.bad")


def test_filing_round_lists_missing_with_deadline(world):
    f = fonds(world, "a")
    r = services.open_round(keeper(world, "a"), f, YEAR)
    assert r.deadline.isoformat() == f"{YEAR + 1}-06-30"
    make_item(world, "a")  # WS-12 调解 is expected every year
    state = services.round_state(r)
    codes = {x["entry"].code for x in state["missing"]}
    assert "WS-12" not in codes and "WS-01" in codes
    with pytest.raises(ValidationFailed):
        services.close_round(keeper(world, "a"), r.pk, note="")
    assert services.close_round(keeper(world, "a"), r.pk, note="部分材料在街道").closed_at


@pytest.mark.parametrize(
    ("status", "act", "ok"),
    [
        (RequestStatus.REQUESTED, "approve", True), (RequestStatus.REQUESTED, "refuse", True),
        (RequestStatus.REQUESTED, "lend", False), (RequestStatus.REQUESTED, "return", False),
        (RequestStatus.REQUESTED, "serve", False),
        (RequestStatus.APPROVED, "lend", True), (RequestStatus.APPROVED, "approve", False),
        (RequestStatus.APPROVED, "return", False), (RequestStatus.APPROVED, "refuse", False),
        (RequestStatus.LENT, "return", True), (RequestStatus.LENT, "lend", False), (RequestStatus.LENT, "approve", False),
        (RequestStatus.RETURNED, "lend", False), (RequestStatus.RETURNED, "return", False),
        (RequestStatus.REFUSED, "approve", False), (RequestStatus.DONE, "lend", False),
    ],
)  # fmt: skip
def test_request_transitions(world, status, act, ok):
    req = make_request(world, "a")
    type(req).objects.filter(pk=req.pk).update(status=status)
    due = timezone.localdate() + timezone.timedelta(days=7)
    if ok:
        services.move_request(keeper(world, "a"), req.pk, act, note="同意", due_on=due)
    else:
        with pytest.raises(Conflict):
            services.move_request(keeper(world, "a"), req.pk, act, note="同意", due_on=due)


def test_lending_logged_and_double_lending_refused(world):
    item = make_item(world, "a", openness="restricted")
    req = make_request(world, "a", item=item)
    k = keeper(world, "a")
    due = timezone.localdate() + timezone.timedelta(days=7)
    services.move_request(k, req.pk, "approve")
    services.move_request(k, req.pk, "lend", due_on=due)
    other = make_request(world, "a", item=item)
    services.move_request(k, other.pk, "approve")
    with pytest.raises(Conflict) as exc:
        services.move_request(k, other.pk, "lend", due_on=due)
    assert exc.value.code == "already_lent"
    services.move_request(k, req.pk, "return")
    assert list(UseLog.objects.filter(item=item).order_by("pk").values_list("action", flat=True)) == [
        "lend",
        "return",
    ]


def test_disposal_needs_the_group_and_ends_in_register(world):
    r = make_disposal(world, "a")
    k = keeper(world, "a")
    entry = r.entries.get()
    with pytest.raises(Conflict) as exc:
        services.decide_disposal(k, r.pk, method="碎纸机销毁")
    assert exc.value.code == "no_group_decision" and "居民代表" in exc.value.message
    services.record_opinion(k, r.pk, member="李档案", kind="archive")
    services.record_opinion(k, r.pk, member="王主任", kind="community")
    services.record_opinion(k, r.pk, member="赵居民", kind="resident", note="同意销毁")
    services.decide_disposal(k, r.pk, method="碎纸机销毁")
    item = Item.objects.get(pk=entry.item_id)
    assert item.status == "destroyed"
    reg = RegisterEntry.objects.get(item=item)
    assert reg.reference == item.reference and "赵居民（居民代表）" in reg.group
    with pytest.raises(Conflict):
        reg.delete()
    with pytest.raises(Conflict):
        RegisterEntry.objects.all().delete()


def test_kept_items_need_new_retention_and_reason(world):
    r = make_disposal(world, "a")
    k = keeper(world, "a")
    item_id = r.entries.get().item_id
    for name, kind in (("李档案", "archive"), ("王主任", "community"), ("赵居民", "resident")):
        services.record_opinion(k, r.pk, member=name, kind=kind, keep=[item_id], note="仍有查考价值")
    with pytest.raises(ValidationFailed):
        services.decide_disposal(k, r.pk, method="碎纸机销毁")
    services.decide_disposal(
        k, r.pk, method="碎纸机销毁", keep={item_id: {"retention": "D30", "reason": "涉及遗留纠纷"}}
    )
    item = Item.objects.get(pk=item_id)
    assert item.status == "filed" and item.current_retention == "D30" and item.kept_reason == "涉及遗留纠纷"
    assert not RegisterEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_clerks_never_share_a_number(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the PostgreSQL pass runs this")
    f = fonds(world, "a")
    got, errors = [], []

    def clerk():
        try:
            got.append(make_item(world, "a").number)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == [1, 2, 3, 4]
    assert f.items.count() == 4


def test_platform_rules_list_and_render_their_records(world):
    """The registered rules of duties and participation find the year's records and render XML."""
    from shequ.core import registry
    from tests.duties.factories import make_certificate
    from tests.participation.factories import make_meeting

    cert = make_certificate(world, "a")
    meeting = make_meeting(world, "a")
    type(meeting).objects.filter(pk=meeting.pk).update(held=True, minutes="议定加装电梯意见征集方案")
    sources = registry.archive_sources()
    assert {"cases.closed_case", "duties.admission_letter", "duties.certificate",
            "participation.meeting_minutes"} <= set(sources)  # fmt: skip
    code = world.a.code
    found = sources["duties.certificate"].candidates(code, cert.issued_on.year)
    assert [c.source_id for c in found] == [str(cert.pk)]
    name, data = sources["duties.certificate"].render(str(cert.pk))
    assert checks.identify(data).format == "xml" and cert.number.encode() in data
    year = timezone.localtime(meeting.starts_at).year
    found = sources["participation.meeting_minutes"].candidates(code, year)
    assert [c.source_id for c in found] == [str(meeting.pk)]
    assert "加装电梯".encode() in sources["participation.meeting_minutes"].render(str(meeting.pk))[1]
    assert sources["duties.certificate"].candidates(world.b.code, cert.issued_on.year) == []
