"""Scope cases of Open311 GeoReport v2 and of the client-application pages.

Open311 reads are public by the specification: they publish only published cases
(Case.objects.public(): accepted, of a publishable category, not withheld, touching no tagged
resident) across the jurisdiction, never a requester's data (name, phone, e-mail, account, device),
and only the public copy of the text and place (tests/cases/test_open311.py and
tests/cases/test_publication.py prove both for every GET).
A POST is authenticated by an application's api_key, not by a user, and files into the
application's own street."""

from shequ.core.testing.scope import cases

_PUBLIC_READ = "Open311 public read: published cases only, their public copy (test_publication.py)"

for prefix in ("", "sandbox-"):
    cases.public(f"open311:{prefix}discovery", "endpoint list, contact and key service; no data")
    cases.public(f"open311:{prefix}services", "the published categories (platform settings)")
    cases.public(f"open311:{prefix}service-definition", "one published category's questions")
    cases.public(
        f"open311:{prefix}requests",
        _PUBLIC_READ + "; POST needs an api_key and files into the application's street",
    )
    cases.public(f"open311:{prefix}request-detail", _PUBLIC_READ)
    cases.public(f"open311:{prefix}token", "maps an application's token to a public service_request_id")
    cases.public(f"open311:{prefix}updates", _PUBLIC_READ + " (public timeline entries)")

cases.public("open311:unknown", "any other path: the specification's 404, no data")

# Applications belong to a street: community roles are refused (403), and the isolation between
# streets (a street manager never sees another street's applications) is tested in
# tests/cases/test_open311.py with a second street, which the two-community world does not have.
STREET = ("street",)
cases.page("cases:client-list", roles=STREET)
cases.page("cases:client-create", roles=STREET)  # the streets offered come from the user's scope
cases.page("cases:client-list", expect=403)  # community roles
cases.page("cases:client-create", expect=403)


def application(world, side):
    """An application of the world's street (a) or of a neighbouring street (b)."""
    from shequ.cases import services
    from shequ.org.models import Level, OrgUnit

    street = world.street
    if side == "b":
        street, _ = OrgUnit.objects.get_or_create(
            code="420115002", defaults={"name": "郑店街道", "level": Level.STREET, "parent": world.district}
        )
    client, _key = services.register_client(
        world.users["sysadmin"], name=f"{street.name}应用", street_code=street.code
    )
    return client


cases.action(
    "cases:client-toggle", make=application, kwargs=lambda c: {"pk": c.pk}, data={"active": "0"}, roles=STREET
)
