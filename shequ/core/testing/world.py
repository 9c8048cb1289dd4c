"""A small two-community world for tests: 江夏区 → 纸坊街道 → 宁安 (a) and 郭岭 (b), one grid
each, and a user for every role. Later modules build their objects on top of it."""

from dataclasses import dataclass, field

from django.test import Client

from shequ.core.middleware import OTP_SESSION_KEY
from shequ.core.models import ApiToken, Membership, User
from shequ.core.roles import Role
from shequ.org.models import Grid, OrgUnit

PASSWORD = "Test-pass-2026!"


def square(lng, lat, d=0.002):
    ring = [[lng, lat], [lng + d, lat], [lng + d, lat + d], [lng, lat + d], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class World:
    district: OrgUnit
    street: OrgUnit
    a: OrgUnit
    b: OrgUnit
    grid_a: Grid
    grid_b: Grid
    users: dict = field(default_factory=dict)

    def community(self, side: str) -> OrgUnit:
        return self.a if side == "a" else self.b

    def grid(self, side: str) -> Grid:
        return self.grid_a if side == "a" else self.grid_b

    def client(self, user) -> Client:
        """A signed-in client that has passed the second factor."""
        c = Client()
        c.force_login(user)
        s = c.session
        s[OTP_SESSION_KEY] = True
        s.save()
        return c

    def token(self, user) -> str:
        return ApiToken.issue(user, 1)[1]


def make_user(username, role, org=None, grid=None, **kw) -> User:
    u = User.objects.create_user(
        username=username, password=PASSWORD, display_name=kw.pop("display_name", username)
    )
    Membership.objects.create(user=u, role=role, org=org if not grid else grid.community, grid=grid, **kw)
    return u


def build_world() -> World:
    unit = OrgUnit.objects.update_or_create
    district, _ = unit(code="420115", defaults={"name": "江夏区", "level": "district"})
    street, _ = unit(code="420115001", defaults={"name": "纸坊街道", "level": "street", "parent": district})
    a, _ = unit(
        code="420115001001",
        defaults={"name": "宁安社区居委会", "level": "community", "kind": "residents", "parent": street},
    )
    b, _ = unit(
        code="420115001002",
        defaults={"name": "郭岭社区居委会", "level": "community", "kind": "residents", "parent": street},
    )
    grid_a = Grid.objects.create(
        community=a,
        code="420115001001001",
        name="宁安第一网格",
        boundary=square(114.31, 30.35),
        center_lat=30.351,
        center_lng=114.311,
        area_m2=48000,
    )
    grid_b = Grid.objects.create(
        community=b,
        code="420115001002001",
        name="郭岭第一网格",
        boundary=square(114.33, 30.35),
        center_lat=30.351,
        center_lng=114.331,
        area_m2=48000,
    )
    w = World(district, street, a, b, grid_a, grid_b)
    w.users = {
        "sysadmin": make_user("t_admin", Role.SYSADMIN),
        "district": make_user("t_district", Role.DISTRICT, district),
        "street": make_user("t_street", Role.STREET, street),
        "community_lead": make_user("t_lead_a", Role.COMMUNITY_LEAD, a),
        "community_worker": make_user("t_worker_a", Role.COMMUNITY_WORKER, a),
        "community_worker_b": make_user("t_worker_b", Role.COMMUNITY_WORKER, b),
        "grid_worker": make_user("t_grid_a", Role.GRID_WORKER, grid=grid_a),
        "department": make_user("t_dept", Role.DEPARTMENT, district, department="区民政局"),
        "resident": make_user("t_resident_a", Role.RESIDENT, a),
    }
    return w
