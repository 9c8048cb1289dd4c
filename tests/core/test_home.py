"""Menus and home pages by role: a grid worker's menu leads with 巡查上报, 待办案件, 待走访; a
department's home shows its requests, tasks and cases, not grid coverage; a resident's home shows
their requests and the public services, with no scope to switch and no org-authorisation error."""

import re

import pytest
from django.urls import reverse

from shequ.core import registry
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


def home(world, role) -> str:
    resp = world.client(world.users[role]).get(reverse("core:home"))
    assert resp.status_code == 200
    return resp.content.decode()


def menu_labels(body: str) -> list[str]:
    """The sidebar's entries, in order (icons and whitespace dropped)."""
    nav = body[body.index('id="sq-nav-list"') : body.index("</nav>", body.index('id="sq-nav-list"'))]
    return [
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(r'class="nav-link[^"]*"[^>]*>\s*<i[^>]*></i>([^<]+)</a>', nav)
    ]


def test_grid_worker_menu_leads_with_patrol_todo_and_visits(world):
    labels = menu_labels(home(world, "grid_worker"))
    assert labels[:3] == ["巡查上报", "待办案件", "待走访"]
    assert labels.count("巡查上报") == 1 and labels.count("待走访") == 1  # said once, not again below


def test_grid_worker_home_leads_with_the_same_entries(world):
    body = home(world, "grid_worker")
    lead = body[body.index('id="home-lead"') : body.index("</nav>", body.index('id="home-lead"'))]
    assert [s.strip() for s in re.findall(r"</i>([^<]+)</a>", lead)] == ["巡查上报", "待办案件", "待走访"]
    assert body.index('id="home-lead"') < body.index('id="cases-card"')


def test_a_manager_menu_has_no_leading_group(world):
    labels = menu_labels(home(world, "street"))
    assert labels[0] == "首页"
    assert 'id="home-lead"' not in home(world, "street")


def test_leading_entries_keep_their_permissions(world, monkeypatch):
    """A leading entry the role may not open is not shown, whatever the table says."""
    monkeypatch.setitem(registry.LEADING_NAV, Role.GRID_WORKER, ("cases:category-list", "cases:patrol"))
    labels = menu_labels(home(world, "grid_worker"))
    assert labels[0] == "巡查上报" and "案件类别" not in labels


def test_department_home_shows_its_requests_tasks_and_cases_not_coverage(world):
    body = home(world, "department")
    assert 'id="cases-card"' in body and 'id="duties-card"' in body
    duties = body[body.index('id="duties-card"') :]
    assert "本部门审核中的申请" in duties and "本部门下派在办任务" in duties
    main = body[body.index("<main") :]
    for overview in ("网格责任覆盖", "网格分布", "社区/村", "驻区单位"):
        assert overview not in main
    assert '<h1 class="h4 mb-0 me-auto">区民政局</h1>' in body  # its department, not 我的管辖范围
    assert menu_labels(body)[:3] == ["待办案件", "准入申请", "下派任务"]


def test_resident_home_shows_their_cases_and_public_services(world):
    from tests.cases.factories import make_case

    resident = world.users["resident"]
    case = make_case(world, "a", "received")
    type(case).objects.filter(pk=case.pk).update(requester_user=resident, title="楼道灯不亮")
    body = home(world, "resident")
    assert "我的管辖范围" not in body and "组织授权" not in body
    assert 'id="scope-switcher"' not in body and reverse("org:tree") not in body
    mine = body[body.index('id="mine-card"') :]
    assert "楼道灯不亮" in mine and reverse("cases:track", args=[case.tracking_token]) in mine
    assert 'id="services-card"' in body
    for url in ("cases:report", "cases:lookup", "duties:public-lists"):
        assert reverse(url) in body
    assert menu_labels(body)[:4] == ["我要反映", "我的诉求", "查询办理进度", "事项清单"]
    assert "t_resident_a，您好" in body


def test_staff_keep_their_scope_overview(world):
    body = home(world, "community_lead")
    assert "我的管辖范围" in body and 'id="scope-switcher"' in body
    assert "网格责任覆盖" in body and 'id="cases-card"' in body


def _user_with(role):
    """A stand-in user holding one role (scope.memberships reads the cached list)."""
    membership = type("M", (), {"role": role})()
    return type("U", (), {"is_authenticated": True, "_shequ_memberships": [membership]})()


def test_cards_are_offered_by_role():
    def card_names(role):
        return {fn.__name__ for fn in registry.dashboard_cards(_user_with(role))}

    assert "coverage_card" not in card_names(Role.DEPARTMENT)
    assert "map_card" not in card_names(Role.DEPARTMENT)
    assert card_names(Role.RESIDENT) == {"mine_card", "services_card", "activities_card"}
    assert {"todo_card", "admission_card", "coverage_card"} <= card_names(Role.STREET)
    # What waits on the user comes before the overviews.
    order = [fn.__name__ for fn in registry.dashboard_cards(_user_with(Role.GRID_WORKER))]
    assert order.index("todo_card") < order.index("map_card")


def test_menu_folds_each_module_and_opens_the_one_being_shown(world):
    """A street manager's menu has every module: each is a folded group, except the module of the
    page being shown."""
    client = world.client(world.users["street"])
    body = client.get(reverse("core:home")).content.decode()
    groups = re.findall(r"<details class=\"sq-nav-group\"( open)?>", body)
    assert len(groups) > 3 and not any(groups)
    body = client.get(reverse("org:grid-list")).content.decode()
    opened = re.findall(r"<details class=\"sq-nav-group\" open>\s*<summary>([^<]+)</summary>", body)
    assert (
        len(opened) == 1
        and 'href="/org/grids/"' in body.split(f"<summary>{opened[0]}</summary>")[1].split("</details>")[0]
    )
