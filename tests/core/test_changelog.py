import pytest
from django.contrib.contenttypes.models import ContentType

from shequ.core import services
from shequ.core.errors import Conflict, Forbidden, NotFound
from shequ.core.models import Action, ChangeLogEntry
from shequ.org import services as org
from shequ.org.models import Assignment, Grid, Post


@pytest.mark.django_db
def test_create_update_delete_are_logged_with_before_after_and_redaction(world, client):
    worker = world.users["community_worker"]
    a = org.assign(worker, world.grid_a.pk, post=Post.FULL_TIME, person_name="王五", phone="13812345678")
    created = ChangeLogEntry.objects.get(action=Action.CREATE, object_id=str(a.pk))
    assert created.after["person_name"] == "王五"
    assert created.after["phone"] == "***"
    assert "13812345678" not in str(created.after)
    assert created.scope_code == world.grid_a.code and created.username == "t_worker_a"

    services.update(
        worker,
        Assignment,
        a.pk,
        {"phone": "13900001111", "person_name": "王六"},
        perm="org.manage_assignment",
    )
    upd = ChangeLogEntry.objects.get(action=Action.UPDATE, object_id=str(a.pk))
    assert upd.before["person_name"] == "王五" and upd.after["person_name"] == "王六"
    assert set(upd.changed) >= {"person_name", "phone"}
    assert "13900001111" not in str(upd.after)

    services.delete(worker, Assignment, a.pk, perm="org.manage_assignment")
    gone = ChangeLogEntry.objects.get(action=Action.DELETE, object_id=str(a.pk))
    assert gone.before["person_name"] == "王六"


@pytest.mark.django_db
def test_request_id_and_ip_recorded_from_web(world):
    c = world.client(world.users["community_worker"])
    r = c.post(
        f"/org/grids/{world.grid_a.pk}/buildings/new/",
        {"compound": "幸福园", "number": "1栋"},
        HTTP_X_REQUEST_ID="req-test-000001",
        REMOTE_ADDR="10.1.2.3",
    )
    assert r.status_code == 302
    e = ChangeLogEntry.objects.get(action=Action.CREATE, request_id="req-test-000001")
    assert e.ip == "10.1.2.3" and e.channel == "web"
    assert e.object_repr == "幸福园1栋"


@pytest.mark.django_db
def test_stale_version_is_a_conflict_and_changes_nothing(world):
    worker = world.users["community_worker"]
    g = world.grid_a
    org.update_grid(worker, g.pk, expected_version=1, name="新名")
    with pytest.raises(Conflict):
        org.update_grid(worker, g.pk, expected_version=1, name="另一个名")
    assert Grid.objects.get(pk=g.pk).name == "新名"


@pytest.mark.django_db
def test_write_outside_scope_is_not_found_and_out_of_permission_forbidden(world):
    with pytest.raises(NotFound):
        org.update_grid(world.users["community_worker"], world.grid_b.pk, name="x")
    with pytest.raises(Forbidden):
        org.update_grid(world.users["grid_worker"], world.grid_a.pk, name="x")  # no manage_grid
    with pytest.raises(Forbidden):
        org.update_grid(world.users["department"], world.grid_a.pk, name="x")  # read-only role
    assert ChangeLogEntry.objects.filter(action=Action.UPDATE).count() == 0


@pytest.mark.django_db
def test_moving_a_building_out_of_own_scope_is_refused_and_rolled_back(world):
    gw = world.users["grid_worker"]
    other = Grid.objects.create(community=world.a, code=world.a.code + "002", name="宁安第二网格")
    b = org.create_building(gw, world.grid_a.pk, compound="园", number="1栋")
    with pytest.raises(Forbidden):
        services.update(gw, type(b), b.pk, {"grid": other}, perm="org.manage_building")
    b.refresh_from_db()
    assert b.grid_id == world.grid_a.pk


@pytest.mark.django_db
def test_reveal_needs_reason_and_is_logged(world):
    a = Assignment.objects.create(
        grid=world.grid_a, post=Post.GRID_LEAD, person_name="李四", phone="13700001234"
    )
    c = world.client(world.users["community_worker"])
    ct = ContentType.objects.get_for_model(a).pk
    r = c.post("/reveal/", {"ct": ct, "pk": a.pk, "field": "phone", "reason": ""})
    assert r.status_code == 400 and "事由" in r.content.decode()
    assert not ChangeLogEntry.objects.filter(action=Action.REVEAL).exists()
    r = c.post("/reveal/", {"ct": ct, "pk": a.pk, "field": "phone", "reason": "电话回访"})
    assert r.status_code == 200 and "13700001234" in r.content.decode()
    e = ChangeLogEntry.objects.get(action=Action.REVEAL)
    assert "电话回访" in e.note and e.changed == ["phone"] and "13700001234" not in e.note
    # A non-sensitive field cannot be "revealed" through this door.
    assert (
        c.post("/reveal/", {"ct": ct, "pk": a.pk, "field": "person_name", "reason": "x x"}).status_code == 404
    )


@pytest.mark.django_db
def test_masked_on_pages_by_default(world):
    Assignment.objects.create(grid=world.grid_a, post=Post.GRID_LEAD, person_name="李四", phone="13700001234")
    c = world.client(world.users["community_worker"])
    body = c.get(f"/org/grids/{world.grid_a.pk}/").content.decode()
    assert "137****1234" in body and "13700001234" not in body
    body = c.get("/org/assignments/").content.decode()
    assert "137****1234" in body and "13700001234" not in body


@pytest.mark.django_db
def test_export_masked_unless_revealed_with_reason(world):
    import io

    from python_calamine import CalamineWorkbook

    Assignment.objects.create(grid=world.grid_a, post=Post.GRID_LEAD, person_name="李四", phone="13700001234")
    c = world.client(world.users["community_worker"])

    def cells(resp):
        wb = CalamineWorkbook.from_filelike(io.BytesIO(resp.content))
        return str(wb.get_sheet_by_index(0).to_python())

    assert "13700001234" not in cells(c.get("/org/assignments/", {"export": "xlsx"}))
    # A GET (a link from anywhere) never unmasks, whatever it asks for.
    assert "13700001234" not in cells(
        c.get("/org/assignments/", {"export": "xlsx", "reveal": "1", "reason": "xx"})
    )
    assert c.post("/org/assignments/", {"reason": ""}).status_code == 403
    full = c.post("/org/assignments/?post=grid_lead", {"reason": "民政局核对"})
    assert "13700001234" in cells(full)
    log = ChangeLogEntry.objects.filter(action=Action.EXPORT).order_by("-id").first()
    assert "民政局核对" in log.note


@pytest.mark.django_db
def test_history_tab_and_global_log(world):
    lead = world.users["community_lead"]
    org.update_grid(lead, world.grid_a.pk, name="宁安一格")
    c = world.client(lead)
    ct = ContentType.objects.get_for_model(Grid).pk
    body = c.get(f"/history/{ct}/{world.grid_a.pk}/").content.decode()
    assert "修改" in body and "网格名称" in body
    log = c.get("/changelog/", {"action": "update"}).content.decode()
    assert "宁安一格" in log
    # Community workers hold no change-log permission: the page refuses them (its rows' view_perm).
    assert world.client(world.users["community_worker"]).get("/changelog/").status_code == 403


@pytest.mark.django_db
def test_export_says_when_it_is_cut_short(world, monkeypatch):
    import io

    from python_calamine import CalamineWorkbook

    from shequ.org.views import GridList

    for n in range(3):
        Grid.objects.create(community=world.a, code=f"{world.a.code}{n + 10:03d}", name=f"格{n}")
    monkeypatch.setattr(GridList, "export_limit", 2)
    r = world.client(world.users["community_worker"]).get("/org/grids/", {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert len([row for row in rows[1:] if row[0]]) == 3  # 2 data rows + the note row
    assert "共 4 行，仅导出前 2 行" in str(rows)
    assert ChangeLogEntry.objects.filter(action=Action.EXPORT).latest("id").note.endswith("2/4 行")


@pytest.mark.django_db
def test_change_log_follows_only_the_memberships_that_grant_it(world):
    from shequ.core import accounts
    from shequ.core.roles import Role

    org.update_grid(world.users["street"], world.grid_b.pk, name="郭岭改名")
    lead = world.users["community_lead"]  # lead of 宁安, may read 宁安's log
    accounts.grant(None, lead.username, role=Role.DEPARTMENT, org=world.district)  # read-only, district-wide
    body = world.client(lead).get("/changelog/").content.decode()
    assert "郭岭改名" not in body


@pytest.mark.django_db
def test_forwarded_for_takes_the_proxy_appended_address(world, settings):
    settings.BEHIND_PROXY = True
    c = world.client(world.users["community_worker"])
    c.post(
        f"/org/grids/{world.grid_a.pk}/buildings/new/",
        {"compound": "园", "number": "7栋"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    assert ChangeLogEntry.objects.get(action=Action.CREATE, object_repr="园7栋").ip == "203.0.113.7"
