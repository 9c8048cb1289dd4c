"""The demo register: the uploaded monthly form bound and filled for a community and the street, two
platform ledgers printed for both, forms still typed counted as such."""

import io

import openpyxl

from shequ.core.roles import Role
from shequ.core.testing.world import make_user
from shequ.reportforms import demo, services
from shequ.reportforms.models import ReportFill


def test_demo_forms(world):
    make_user("street", Role.STREET, world.street)
    make_user("lead_ningan", Role.COMMUNITY_LEAD, world.a)
    assert not demo.is_loaded()
    demo.load(echo=lambda *a: None)
    assert demo.is_loaded()
    fills = ReportFill.objects.all()
    assert fills.count() == 6
    assert {f.scope_code for f in fills} == {world.a.code, world.street.code}
    street_fill = fills.get(form__name=demo.NAME, scope_code=world.street.code)
    ws = openpyxl.load_workbook(io.BytesIO(bytes(street_fill.content)))["月报表"]
    assert ws["B5"].value == world.a.name and ws["B6"].value == world.b.name
    assert ws["D16"].value == 23 and ws["D17"].value == "陈晓燕"
    reg = services.register(world.users["street"])
    assert reg["counts"]["form"] == {"total": 4, "generated": 1, "typed": 3}
    assert reg["counts"]["ledger"]["typed"] == 2
