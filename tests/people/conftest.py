import io

import pytest
import xlsxwriter

from shequ.core.validators import id_check_char
from shequ.org.models import Building, BuildingUnit, House
from shequ.people.importer import ResidentImporter

HEADERS = [str(c.header) for c in ResidentImporter.columns]


def id_number(region="420115", birth="19800101", seq="001"):
    first = f"{region}{birth}{seq}"
    return first + id_check_char(first)


def workbook(rows: list[dict], headers=None) -> bytes:
    """An xlsx in the template layout; rows are {header: value}."""
    headers = headers or HEADERS
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("居民信息")
    ws.write_row(0, 0, headers)
    for n, row in enumerate(rows, start=1):
        for i, h in enumerate(headers):
            v = row.get(h)
            if v is not None:
                ws.write_string(n, i, v) if isinstance(v, str) else ws.write(n, i, v)
    wb.close()
    return buf.getvalue()


def person(n: int, **over) -> dict:
    row = {
        "姓名": f"测试{n}号",
        "证件号码": id_number(birth=f"19{50 + n % 40:02d}0{1 + n % 9}1{n % 9}", seq=f"{n % 1000:03d}"),
        "居住类型": "户籍在住",
        "小区": "宁安小区",
        "楼栋": "1栋",
        "单元": "1单元",
        "房号": f"{100 + n}",
        "与户主关系": "户主",
        "联系电话": f"1380000{n:04d}",
    }
    row.update(over)
    return {k: v for k, v in row.items() if v is not None}


@pytest.fixture
def house_a(world):
    b = Building.objects.create(grid=world.grid_a, compound="宁安小区", number="1栋")
    u = BuildingUnit.objects.create(building=b, number="1单元")
    return House.objects.create(unit=u, number="101")
