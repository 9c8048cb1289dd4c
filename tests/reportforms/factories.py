"""Forms bound to the sample street monthly report, as the tests and the scope harness need them."""

from shequ.reportforms import samples, services

RATE = "participation.participation_rate"
PERIOD = "2026-07"


def make_street_form(world, side="a", *, bound=True, name=None):
    """A street's form (filled by its communities and by the street), registered by the street."""
    user = world.users["street"]
    form = services.create_form(
        user, org_code=world.street.code, name=name or f"社区治理月报表-{side}", asked_by="区民政局",
        asked_level="区", levels=["community", "street"], filename="月报表.xlsx",
        data=samples.street_monthly_form(),
    )  # fmt: skip
    if bound:
        _bind(user, form)
    return form


def _bind(user, form):
    lay = samples.layout()
    services.bind(user, form, sheet="月报表", cell="E13", indicator=RATE)
    services.bind(user, form, sheet="月报表", cell=lay["meetings"], kind="manual", label="本月议事协商次数")


def make_form(world, side="a"):
    """A form community `side` is asked for, registered at that community: a's staff see it, b's do not."""
    c = world.community(side)
    form = services.create_form(
        world.users["street"], org_code=c.code, name=f"{c.name}居民参与月报", asked_by="街道社区办",
        levels=["community"], filename="月报表.xlsx", data=samples.street_monthly_form(),
    )  # fmt: skip
    _bind(world.users["street"], form)
    return form


def make_binding(world, side="a"):
    return make_form(world, side).bindings.get(kind="manual")


def make_fill(world, side="a"):
    form = make_form(world, side)
    return services.fill(world.users["street"], form, world.community(side).code, PERIOD)
