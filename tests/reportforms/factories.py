"""Forms bound to the sample street monthly report, as the tests and the scope harness need them."""

from shequ.reportforms import samples, services

RATE = "participation.participation_rate"


def make_form(world, side="a", *, bound=True, name=None):
    """A street's form (filled by communities and streets), registered by the street of `side`."""
    user = world.users["street"]
    form = services.create_form(
        user, org_code=world.street.code, name=name or f"社区治理月报表-{side}", asked_by="区民政局",
        asked_level="区", levels=["community", "street"], filename="月报表.xlsx",
        data=samples.street_monthly_form(),
    )  # fmt: skip
    if bound:
        lay = samples.layout()
        services.bind(user, form, sheet="月报表", cell="E13", indicator=RATE)
        services.bind(
            user, form, sheet="月报表", cell=lay["meetings"], kind="manual", label="本月议事协商次数"
        )
    return form


def make_community_form(world, side="a"):
    """A form the community of `side` is asked for, registered at the street: visible to a's and b's
    staff alike (a street's form), its fills per community kept apart."""
    return make_form(world, side)
