"""The home-page card: requests waiting on a member's vote, a department's open requests, a
community's tasks with the overdue ones."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.duties.models import Task
from tests.duties import factories as f

pytestmark = pytest.mark.django_db


def card(world, user) -> str:
    body = world.client(user).get(reverse("core:home")).content.decode()
    start = body.find('id="duties-card"')
    return body[start : body.find("</div></div></div>", start)] if start >= 0 else ""


def test_card_counts_what_waits_on_each_role(world):
    f.make_request(world)  # in review
    task = f.make_task(world)
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    chair = f.members(world)[0]
    assert "待我审核的准入申请" in card(world, chair)
    dept = card(world, world.users["department"])
    assert "本部门审核中的申请" in dept and "退回补正待修改" in dept
    lead = card(world, world.users["community_lead"])
    assert "在办下派任务" in lead and 'text-danger">1<' in lead
    assert card(world, world.users["resident"]) == ""
