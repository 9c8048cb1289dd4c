"""Scope cases for the kernel's own pages and API."""

import itertools

from django.contrib.contenttypes.models import ContentType

from shequ.core import services
from shequ.core.testing.scope import HIDDEN, SEES, cases
from shequ.org.models import Assignment, Grid, Post

_seq = itertools.count(500)


def logged_grid(world, side):
    """A grid created through services, so the change log has a row for it in that community."""
    n = next(_seq)
    c = world.community(side)
    g = Grid(community=c, code=f"{c.code}{n:03d}", name=f"{'甲乙'[side == 'b']}日志网格{n}")
    return services.create(world.users["sysadmin"], g, perm="org.manage_grid")


def assignment(world, side):
    n = next(_seq)
    return Assignment.objects.create(
        grid=world.grid(side), post=Post.GRID_LEAD, person_name=f"长{n}", phone=f"1370000{n:04d}"
    )


cases.public("core:login", "sign-in form")
cases.public("core:totp", "second factor of the signed-in user")
cases.public("core:logout", "ends the user's own session")
cases.public("core:account", "the user's own account and tokens")
cases.public("core:token-revoke", "only the user's own tokens (tests/core/test_accounts.py)")
cases.public("healthz", "service health, no data")
cases.public(
    "metrics",
    "operations metrics (counts and timings, no personal data); a token or an internal address only",
)
cases.public("robots", "robots.txt")
cases.public("set_language", "language preference")
# Everyone's home page: department staff see the map of the grids in their district; a resident's
# page has no grid on it.
cases.listing(
    "core:home", make=lambda w, s: w.grid(s), marker=lambda g: g.code, department=HIDDEN, resident=HIDDEN
)
cases.action(
    "core:focus",
    make=lambda w, s: w.community(s),
    kwargs=None,
    data=lambda c: {"code": c.code},
    roles=("community_lead", "community_worker"),
    department=SEES,  # a community inside the department's district
)
cases.action(
    "core:reveal",
    make=assignment,
    kwargs=None,
    data=lambda a: {
        "ct": ContentType.objects.get_for_model(a).pk,
        "pk": a.pk,
        "field": "phone",
        "reason": "电话回访",
    },
    expect=200,  # the revealed value, swapped into the page by htmx
)
cases.listing("core:changelog", make=logged_grid, marker=lambda g: g.name, roles=("community_lead",))
cases.detail(
    "core:history",
    make=lambda w, s: w.grid(s),
    kwargs=lambda g: {"ct": ContentType.objects.get_for_model(g).pk, "pk": g.pk},
    department=SEES,  # the history of what the role may see (here a grid)
)

cases.public("POST /api/v1/auth/token", "exchanges the caller's own credentials")
cases.public("DELETE /api/v1/auth/token", "revokes the caller's own token")
cases.public("GET /api/v1/auth/me", "the caller's own memberships")
cases.api(
    "POST",
    "/api/v1/core/reveal",
    make=assignment,
    path_params=lambda a: {},
    data=lambda a: {"model": "org.assignment", "id": a.pk, "field": "phone", "reason": "入户核实"},
)
cases.api_list(
    "GET", "/api/v1/core/changelog", make=logged_grid, marker=lambda g: g.name, roles=("community_lead",)
)
cases.public(
    "core:calendar", "the working-time calendar is the same for everyone; edits need core.manage_calendar"
)


def picker_house(world, side):
    """A house in community a or b whose address shares 共同 with the other side's: an unscoped
    search would find both."""
    from shequ.org.models import Building, BuildingUnit, House

    n = next(_seq)
    b = Building.objects.create(
        grid=world.grid(side), compound=f"共同{'甲乙'[side == 'b']}苑", number=f"{n}栋"
    )
    u = BuildingUnit.objects.create(building=b, number="1单元")
    return House.objects.create(unit=u, number=f"{n}01")


# The house picker: a typed address is searched in the user's scope only (the path walk and the
# refusals of another community's records are tested in tests/core/test_picker.py).
cases.listing(
    "core:picker",
    make=picker_house,
    marker=lambda h: h.address,
    kwargs=lambda h: {"name": "house"},
    query={"field": "house", "q": "共同"},
)


# --- import synonyms: a platform setting (every community's imports), for system and district
# administrators; everyone else is refused, and a refused add or delete writes nothing.
SYNONYM_ADMINS = ("sysadmin", "district")


def _synonym_post(_obj=None):
    """A value synonym for the first choice field of the first registered importer."""
    from shequ.core.importing import registered_importers

    cls = next(c for c in registered_importers().values() if any(x.kind == "choice" for x in c.columns))
    col = next(x for x in cls.columns if x.kind == "choice")
    return {
        "kind": cls.kind,
        "field": col.key,
        "what": "value",
        "source": "范围测试写法",
        "target": col.labels()[0],
    }


def admin_synonym(world, side):
    from shequ.core.mapping import add_synonym

    d = _synonym_post()
    return add_synonym(
        world.users["sysadmin"], d["kind"], d["field"], "value", f"范围测试{next(_seq)}", d["target"]
    )


cases.page("core:import-synonyms", roles=SYNONYM_ADMINS)
cases.page("core:import-synonyms", expect=403)
cases.page("core:import-synonym-add", method="POST", data=_synonym_post, roles=SYNONYM_ADMINS, expect=302)
cases.page("core:import-synonym-add", method="POST", data=_synonym_post, expect=403)
cases.page(
    "core:import-synonym-delete",
    method="POST",
    make=admin_synonym,
    kwargs=lambda s: {"pk": s.pk},
    data=lambda s: {"kind": s.kind},
    roles=SYNONYM_ADMINS,
    expect=302,
)
cases.page(
    "core:import-synonym-delete",
    method="POST",
    make=admin_synonym,
    kwargs=lambda s: {"pk": s.pk},
    data=lambda s: {"kind": s.kind},
    expect=403,
)


# --- surveys: a community's own surveys are read by its staff (community workers included) and run
# by its lead; a module's surveys by that module's permissions (tests/workforce/scope_cases.py).
SURVEY_READERS = ("community_lead", "community_worker")


def survey(world, side):
    import datetime as dt

    from django.utils import timezone

    from shequ.core import surveys

    today = timezone.localdate()
    n = next(_seq)
    return surveys.create_survey(
        world.users["street"], world.community(side).code, title=f"{'甲乙'[side == 'b']}满意度问卷{n}",
        opens_on=today, closes_on=today + dt.timedelta(days=7), verify="code",
        questions=[{"kind": "rating", "text": "总体满意度"}],
    )  # fmt: skip


def _survey_pk(s):
    return {"pk": s.pk}


cases.listing("core:survey-list", make=survey, marker=lambda s: s.title, roles=SURVEY_READERS)
cases.detail("core:survey-detail", make=survey, kwargs=_survey_pk, roles=SURVEY_READERS)
cases.page("core:survey-create", roles=("community_lead",))
cases.page("core:survey-create", roles=("community_worker",), expect=403)
for _name, _data, _expect in (
    ("core:survey-question-add", {"kind": "text", "text": "意见建议"}, 302),
    ("core:survey-codes", {"count": "3"}, 200),  # the printed sheet
    ("core:survey-close", {}, 302),
):
    cases.detail(_name, make=survey, kwargs=_survey_pk, roles=("community_lead",))
    cases.action(_name, make=survey, kwargs=_survey_pk, data=_data, roles=("community_lead",), expect=_expect)
cases.public(
    "core:survey-answer", "the residents' phone page: answers by a code or as the signed-in resident"
)
cases.api_list("GET", "/api/v1/core/surveys", make=survey, marker=lambda s: s.title, roles=SURVEY_READERS)
cases.api("GET", "/api/v1/core/surveys/{int:survey_id}/results", make=survey,
          path_params=lambda s: {"survey_id": s.pk}, roles=SURVEY_READERS)  # fmt: skip
cases.public(
    "GET /api/v1/core/surveys/public/{token}",
    "a survey's questions, for the phone (tests/core/test_surveys.py)",
)
cases.public(
    "POST /api/v1/core/surveys/public/{token}/responses",
    "answering with a code or a resident's token (test_surveys.py)",
)


# --- the indicator catalogue: a community's figures are its staff's; another's are not found ------
def _community(world, side):
    return world.community(side)


def _key(c):
    return {"key": "people.residents"}


cases.page("core:indicator-list", roles=("community_lead", "street"), department=SEES)
cases.page("core:indicator-detail", kwargs=lambda _o: {"key": "people.residents"}, roles=("community_lead",))
cases.detail("core:indicator-scope", make=_community, kwargs=lambda c: {"key": "people.residents", "code": c.code},
             roles=("community_lead", "community_worker"))  # fmt: skip
# Snapshots are taken by district and street roles only: a community's lead is refused on their own.
cases.action("core:indicator-snapshot", make=_community, kwargs=_key,
             data=lambda c: {"scope": c.code, "period": "2026"}, roles=("community_lead",), expect=403)  # fmt: skip
cases.public("GET /api/v1/indicators", "the catalogue's definitions, no community's data")
cases.public("GET /api/v1/indicators/{key}", "one indicator's definition, no community's data")
cases.api("GET", "/api/v1/indicators/{key}/values", make=_community, path_params=_key,
          query=lambda c: {"scope": c.code, "period": "2026"}, roles=("community_lead", "community_worker"))  # fmt: skip
cases.api("GET", "/api/v1/indicators/{key}/snapshots", make=_community, path_params=_key,
          query=lambda c: {"scope": c.code, "period": "2026"}, roles=("community_lead",))  # fmt: skip
cases.api("POST", "/api/v1/indicators/{key}/snapshots", make=_community, path_params=_key,
          data=lambda c: {"period": "2026", "scopes": [c.code]},
          roles=("community_lead",), expect=403)  # fmt: skip


def _surveyed(world, side):
    from tests.people.factories import make_resident

    make_resident(world, side)
    return survey(world, side)


cases.api("POST", "/api/v1/core/surveys/{int:survey_id}/sample", make=_surveyed,
          path_params=lambda s: {"survey_id": s.pk}, data={"size": 1}, roles=("community_lead",), expect=201)  # fmt: skip
cases.api("PUT", "/api/v1/core/surveys/{int:survey_id}/feeds", make=survey,
          path_params=lambda s: {"survey_id": s.pk}, data={"feeds": "core.satisfaction"}, roles=("community_lead",))  # fmt: skip
