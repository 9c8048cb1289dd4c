"""The indicator page says what its rates are out of (“结案率 80.4%” after “立案 97 件，结案 37 件”
reads as 37 of 97) and never cuts a unit's name in its chart (“宁安社区 · 宁安社…”)."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.cases.models import Case
from shequ.cases.views.indicators import unit_chart
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


def test_headline_says_what_the_rates_are_out_of(world):
    closed = make_case(world, "a", "closed")
    make_case(world, "a", "filed")  # filed, not yet due: counts in 立案 but not in 应结案
    open_due = make_case(world, "a", "processing")
    Case.objects.filter(pk=open_due.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    assert closed.status == "closed"
    body = world.client(world.users["community_lead"]).get(reverse("cases:indicators")).content.decode()
    summary = re.search(r'<p class="mb-1" id="indicator-summary">(.*?)</p>', body, re.S).group(1)
    # 3 filed, 2 due (the closed one and the overdue one), 1 closed: the rate is 1 of 2, and says so.
    assert "立案 3 件" in summary and "应结案 2 件" in summary
    assert "结案率 50.0%（1 ÷ 2）" in summary


def test_unit_chart_never_cuts_a_name():
    long_name = "江夏区城市管理执法局纸坊中队"
    rows = [
        {"key": "grid:1", "label": "宁安社区第一网格", "close_rate": 1.0, "on_time_rate": 1.0},
        {"key": "department:x", "label": long_name, "close_rate": 0.5, "on_time_rate": 0.5},
    ]
    label = unit_chart(rows)["yAxis"]["axisLabel"]
    assert label["overflow"] != "truncate"
    # Wide enough for a community and grid name on one line; a longer one wraps, it is not cut.
    assert label["width"] >= 13 * len("宁安社区第一网格")
    assert label["overflow"] in ("break", "breakAll")
    assert unit_chart(rows)["yAxis"]["data"] == [long_name, "宁安社区第一网格"]
    json.dumps(unit_chart(rows))  # the page embeds it as JSON: no functions
