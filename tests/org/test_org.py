import json

import pytest
from stdnum.cn import uscc

from shequ.core.errors import NotFound, ValidationFailed
from shequ.core.testing.world import square
from shequ.org import dashboard, services
from shequ.org.geo import BoundaryError
from shequ.org.models import Assignment, OrgUnit, Post, ResidentOrganization


def good_uscc(body="91420115MA4K0000A"):
    return body + uscc.calc_check_digit(body)


@pytest.mark.django_db
def test_bundled_divisions_import_is_idempotent():
    r1 = services.import_divisions(None, "420115")
    assert r1.created == 1 + 20 + 458
    residents = OrgUnit.objects.filter(level="community", kind="residents")
    assert residents.count() == 117  # NBS codes 001–199
    assert residents.filter(name__contains="社区").count() == 116  # one is spelt 二道堤社会居委会
    assert OrgUnit.objects.filter(level="community", kind="village").count() == 338
    assert OrgUnit.objects.get(code="420115001001").parent.code == "420115001"
    r2 = services.import_divisions(None, "420115")
    assert (r2.created, r2.updated, r2.unchanged) == (0, 0, 479)
    OrgUnit.objects.filter(code="420115001001").update(name="旧名称")
    r3 = services.import_divisions(None, "420115001")
    assert r3.updated == 1 and OrgUnit.objects.get(code="420115001001").name == "宁安社区居委会"
    assert OrgUnit.objects.count() == 479


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["110101", "abc", "4201159"])
def test_unknown_or_malformed_prefix_imports_nothing(prefix):
    with pytest.raises(services.DivisionImportError) as exc:
        services.import_divisions(None, prefix)
    assert exc.value.message
    assert OrgUnit.objects.count() == 0


@pytest.mark.django_db
def test_missing_source_directory(tmp_path):
    with pytest.raises(services.DivisionImportError) as exc:
        services.import_divisions(None, "42", str(tmp_path / "nope"))
    assert "不存在" in exc.value.message
    (tmp_path / "provinces.csv").write_text("code,name\n")
    with pytest.raises(services.DivisionImportError) as exc:
        services.import_divisions(None, "42", str(tmp_path))
    assert "villages.csv" in exc.value.message
    assert OrgUnit.objects.count() == 0


@pytest.mark.django_db
def test_import_from_npm_layout(tmp_path):
    files = {
        "provinces.csv": 'code,name\n42,"湖北省"\n43,"湖南省"\n',
        "cities.csv": 'code,name,provinceCode\n4201,"武汉市",42\n',
        "areas.csv": 'code,name,cityCode,provinceCode\n420102,"江岸区",4201,42\n',
        "streets.csv": 'code,name,areaCode,provinceCode,cityCode\n420102001,"大智街道",420102,42,4201\n',
        "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        '420102001001,"天一社区居委会",420102001,42,4201,420102\n'
        '420102001200,"某村村委会",420102001,42,4201,420102\n',
    }
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    r = services.import_divisions(None, "420102", str(tmp_path))
    assert r.created == 6  # 省、市 ancestors + district, street, two villages; 湖南 is not under the prefix
    assert OrgUnit.objects.get(code="420102001001").parent.code == "420102001"
    assert OrgUnit.objects.get(code="420102").parent.code == "4201"
    assert OrgUnit.objects.get(code="420102001200").kind == "village"
    assert not OrgUnit.objects.filter(code="43").exists()


@pytest.mark.django_db
def test_grid_codes_follow_the_community_code(world):
    lead = world.users["community_lead"]
    g = services.create_grid(lead, world.a, name="新网格", grid_type="building")
    assert g.code == world.a.code + "002" and g.scope_code == g.code
    g2 = services.create_grid(lead, world.a.code, name="再一个", grid_type="area")
    assert g2.code.endswith("003")
    with pytest.raises(ValidationFailed):
        services.create_grid(lead, world.a, name="新网格", grid_type="area")  # duplicate name


@pytest.mark.django_db
def test_grid_only_in_a_community(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create_grid(world.users["street"], world.street, name="x", grid_type="area")
    assert "社区" in exc.value.message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        ({"type": "Point", "coordinates": [114.3, 30.3]}, "Polygon"),
        ({"type": "LineString", "coordinates": [[114.3, 30.3], [114.31, 30.31]]}, "Polygon"),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[114.30, 30.30], [114.31, 30.31], [114.31, 30.30], [114.30, 30.31], [114.30, 30.30]]
                ],
            },
            "自相交",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[30.30, 114.30], [30.31, 114.30], [30.31, 114.31], [30.30, 114.30]]],
            },
            "经度",
        ),
        ("{not json", "JSON"),
    ],
)
def test_bad_boundaries_are_rejected_with_reason(world, geometry, words):
    with pytest.raises(BoundaryError) as exc:
        services.set_grid_boundary(world.users["community_worker"], world.grid_a.pk, geometry)
    assert words in exc.value.message
    world.grid_a.refresh_from_db()
    assert world.grid_a.version == 1


@pytest.mark.django_db
def test_overlap_with_sibling_grid_rejected_but_edge_touch_allowed(world):
    worker = world.users["community_worker"]
    sibling = services.create_grid(worker, world.a, name="二格", grid_type="area")
    # grid_a is the square at (114.31, 30.35) with side 0.002
    with pytest.raises(BoundaryError) as exc:
        services.set_grid_boundary(worker, sibling.pk, square(114.311, 30.351))
    assert "宁安第一网格" in exc.value.message and "重叠" in exc.value.message
    g = services.set_grid_boundary(worker, sibling.pk, square(114.312, 30.35))  # shares an edge
    assert g.area_m2 == pytest.approx(0.002 * 111320 * 0.8623 * 0.002 * 110540, rel=0.02)
    # Overlapping a grid of another community is not this rule's business.
    services.set_grid_boundary(world.users["street"], world.grid_b.pk, square(114.3105, 30.3505))


@pytest.mark.django_db
def test_boundary_upload_page_and_json(world):
    c = world.client(world.users["community_worker"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    feature = {"type": "Feature", "properties": {}, "geometry": square(114.40, 30.40)}
    up = SimpleUploadedFile("g.geojson", json.dumps(feature).encode(), content_type="application/geo+json")
    r = c.post(f"/org/grids/{world.grid_a.pk}/boundary/", {"geojson": up})
    assert r.status_code == 302
    world.grid_a.refresh_from_db()
    assert world.grid_a.boundary["coordinates"][0][0] == [114.40, 30.40]
    r = c.post(
        f"/org/grids/{world.grid_a.pk}/boundary/",
        json.dumps({"geometry": {"type": "Point", "coordinates": [1, 2]}}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "Polygon" in r.json()["message"]
    bad = SimpleUploadedFile("g.geojson", b"\xff\xfe garbage", content_type="application/json")
    r = c.post(f"/org/grids/{world.grid_a.pk}/boundary/", {"geojson": bad})
    assert r.status_code == 400 and "UTF-8" in r.content.decode()


@pytest.mark.django_db
def test_point_resolves_to_its_grid(world):
    assert services.locate_grid(114.311, 30.351).pk == world.grid_a.pk
    assert services.locate_grid(114.331, 30.351).pk == world.grid_b.pk
    assert services.locate_grid(114.0, 30.0) is None


@pytest.mark.django_db
def test_resident_org_uscc_checked_and_unique(world):
    worker = world.users["community_worker"]
    code = good_uscc()
    o = services.create_resident_org(worker, world.a, name="某物业", uscc=code.lower(), org_type="property")
    assert o.uscc == code
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        services.create_resident_org(worker, world.a, name="错码", uscc=bad, org_type="enterprise")
    assert "校验位" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.create_resident_org(
            world.users["community_worker_b"], world.b, name="重复", uscc=code, org_type="enterprise"
        )
    assert "已登记" in exc.value.message
    assert ResidentOrganization.objects.count() == 1


@pytest.mark.django_db
def test_resident_org_form_shows_field_error(world):
    c = world.client(world.users["community_worker"])
    r = c.post(
        f"/org/units/{world.a.code}/resident-orgs/new/",
        {"name": "错码单位", "uscc": "91420115MA4K0000A0", "org_type": "enterprise"},
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "统一社会信用代码校验位错误" in body and "is-invalid" in body
    assert not ResidentOrganization.objects.exists()


@pytest.mark.django_db
def test_assignment_rules(world):
    worker = world.users["community_worker"]
    b = services.create_building(worker, world.grid_a.pk, compound="园", number="1栋")
    with pytest.raises(ValidationFailed):
        services.assign(
            worker, world.grid_a.pk, post=Post.BUILDING_LEAD, person_name="甲", phone="13800000001"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.assign(worker, world.grid_a.pk, post=Post.FULL_TIME, person_name="乙", phone="12345")
    assert "电话" in exc.value.message
    with pytest.raises(NotFound):
        services.assign(
            worker,
            world.grid_a.pk,
            post=Post.BUILDING_LEAD,
            person_name="丙",
            phone="13800000001",
            building_pk=services.create_building(
                world.users["street"], world.grid_b.pk, compound="外", number="9栋"
            ).pk,
        )
    a = services.assign(
        worker,
        world.grid_a.pk,
        post=Post.BUILDING_LEAD,
        person_name="丁",
        phone="13800000002",
        building_pk=b.pk,
    )
    assert a.is_current
    services.end_assignment(worker, a.pk)
    assert not Assignment.objects.current().filter(pk=a.pk).exists()


@pytest.mark.django_db
def test_coverage_figures(world):
    worker = world.users["community_worker"]
    b1 = services.create_building(worker, world.grid_a.pk, compound="园", number="1栋")
    services.create_building(worker, world.grid_a.pk, compound="园", number="2栋")
    services.create_grid(worker, world.a, name="二格", grid_type="area")
    services.assign(worker, world.grid_a.pk, post=Post.FULL_TIME, person_name="甲", phone="13800000001")
    services.assign(
        worker,
        world.grid_a.pk,
        post=Post.BUILDING_LEAD,
        person_name="乙",
        phone="13800000002",
        building_pk=b1.pk,
    )
    old = services.assign(
        worker,
        world.grid_a.pk,
        post=Post.BUILDING_LEAD,
        person_name="丙",
        phone="13800000003",
        building_pk=b1.pk,
    )
    services.end_assignment(worker, old.pk)
    cov = dashboard.coverage(world.users["street"])
    row = next(r for r in cov["communities"] if r["code"] == world.a.code)
    assert (row["grids"], row["grids_covered"], row["grid_coverage"]) == (2, 1, 0.5)
    assert (row["buildings"], row["buildings_covered"], row["building_coverage"]) == (2, 1, 0.5)
    assert cov["totals"]["grids"] == 3  # 郭岭's grid counts in the street's scope


@pytest.mark.django_db
def test_double_submit_of_building_form_creates_one(world):
    c = world.client(world.users["community_worker"])
    url = f"/org/grids/{world.grid_a.pk}/buildings/new/"
    assert c.post(url, {"compound": "园", "number": "1栋"}).status_code == 302
    r = c.post(url, {"compound": "园", "number": "1栋"})
    assert r.status_code == 400 and "请勿重复添加" in r.content.decode()
    assert world.grid_a.buildings.count() == 1


@pytest.mark.django_db
def test_address_text_is_derived(world):
    worker = world.users["community_worker"]
    b = services.create_building(worker, world.grid_a.pk, compound="幸福家园", number="3栋")
    u = services.create_unit(worker, b.pk, number="1单元")
    h = services.create_house(worker, u.pk, number="1201")
    assert h.address == "幸福家园3栋1单元1201室" and h.scope_code == world.grid_a.code


@pytest.mark.django_db
def test_htmx_form_validation_returns_only_the_form(world):
    c = world.client(world.users["community_worker"])
    url = f"/org/units/{world.a.code}/resident-orgs/new/"
    r = c.post(url, {"name": "", "org_type": "enterprise", "contact_phone": "123"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 400
    assert body.lstrip().startswith("<form") and "<html" not in body
    assert "电话号码格式不正确" in body
    ok = c.post(url, {"name": "新单位", "org_type": "enterprise"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 204 and ok["HX-Redirect"].startswith("/org/resident-orgs/")


@pytest.mark.django_db
def test_concurrent_edit_of_grid_page_reports_conflict(world):
    c1 = world.client(world.users["community_worker"])
    c2 = world.client(world.users["community_lead"])
    url = f"/org/grids/{world.grid_a.pk}/edit/"
    assert c1.post(url, {"name": "甲改", "grid_type": "area", "version": 1}).status_code == 302
    r = c2.post(url, {"name": "乙改", "grid_type": "area", "version": 1})
    assert r.status_code == 409 and "已被他人修改" in r.content.decode()
    world.grid_a.refresh_from_db()
    assert world.grid_a.name == "甲改"


@pytest.mark.django_db
def test_edit_form_never_shows_the_full_phone_and_keeps_it_when_untouched(world):
    worker = world.users["community_worker"]
    o = services.create_resident_org(
        worker, world.a, name="某单位", org_type="other", contact_phone="13912345678"
    )
    c = world.client(worker)
    url = f"/org/resident-orgs/{o.pk}/edit/"
    page = c.get(url).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    r = c.post(
        url, {"name": "某单位改", "org_type": "other", "contact_phone": "139****5678", "version": o.version}
    )
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.name == "某单位改" and o.contact_phone == "13912345678"
    # Read-only roles do not get the form at all.
    assert world.client(world.users["department"]).get(url).status_code == 403


@pytest.mark.django_db
def test_password_hash_never_reaches_the_change_log(world):
    from shequ.core import accounts
    from shequ.core.models import ChangeLogEntry

    accounts.create_user(
        None, username="new_worker", password="Long-enough-pass-2026", role="community_worker", org=world.a
    )
    entry = ChangeLogEntry.objects.get(object_repr="new_worker")
    assert entry.after["password"] == "***"
    assert "argon2" not in str(entry.after) and "md5" not in str(entry.after)


@pytest.mark.django_db
def test_grid_worker_registers_an_organisation_in_their_grid(world):
    gw = world.users["grid_worker"]
    o = services.create_resident_org(
        gw, world.a.code, grid=world.grid_a, name="网格内小店", org_type="enterprise"
    )
    assert o.scope_code == world.grid_a.code and o.community_id == world.a.pk
    with pytest.raises(NotFound):
        services.create_resident_org(gw, world.b.code, grid=world.grid_a, name="错配", org_type="enterprise")
    with pytest.raises(NotFound):
        services.create_resident_org(gw, world.a.code, name="无网格", org_type="enterprise")
