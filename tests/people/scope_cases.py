"""Scope cases for every page of the resident registry (API cases: scope_cases_api.py)."""

import contextlib

from shequ.core.testing.scope import cases
from shequ.people.models import TagDefinition
from tests.people.factories import (
    make_batch,
    make_committed_batch,
    make_conflict_batch,
    make_house,
    make_household,
    make_incoming_transfer,
    make_mapping_batch,
    make_photo,
    make_resident,
    make_tagged_resident,
    make_transfer,
)

with contextlib.suppress(ImportError):
    from tests.people.scope_cases_api import *  # noqa: F401,F403

pk = lambda o: {"pk": o.pk}  # noqa: E731
STAFF = ("community_lead", "community_worker", "grid_worker")
COMMUNITY = ("community_lead", "community_worker")  # batches below are the community's, not a grid's
ADMIN = ("street",)

# --- residents ---------------------------------------------------------------------------------
cases.listing("people:resident-list", make=make_resident, marker=lambda r: r.name)
cases.listing(
    "people:resident-list", make=make_resident, marker=lambda r: r.name, query=lambda r: {"q": r.name[:3]}
)
cases.listing(
    "people:resident-list",
    make=make_resident,
    marker=lambda r: r.name,
    query=lambda r: {"q": r.doc_number},
)
cases.detail("people:resident-detail", make=make_resident, kwargs=pk)
cases.detail("people:resident-edit", make=make_resident, kwargs=pk)
cases.action(
    "people:resident-edit",
    make=make_resident,
    kwargs=pk,
    data=lambda r: {
        "name": "越权改名",
        "doc_type": "id_card",
        "doc_number": r.doc_number,
        "version": r.version,
    },
)
cases.detail("people:resident-event", make=make_resident, kwargs=pk)
cases.action(
    "people:resident-event",
    make=make_resident,
    kwargs=pk,
    data=lambda r: {"kind": "move_out", "date": "2026-01-05", "version": r.version},
)
cases.action(
    "people:resident-tag", make=make_resident, kwargs=pk, data={"code": "dibao", "start_date": "2026-01-01"}
)
cases.action(
    "people:resident-tag-end",
    make=make_tagged_resident,
    kwargs=lambda r: {"pk": r.pk, "code": "living_alone"},
)
cases.detail("people:visit-create", make=make_resident, kwargs=pk)
cases.action(
    "people:visit-create",
    make=make_resident,
    kwargs=pk,
    data={"method": "home", "visited_at": "2026-01-05T10:00", "findings": "越权走访"},
)
cases.listing("people:visits-due", make=make_tagged_resident, marker=lambda r: r.name)
cases.page("people:resident-create")  # the community and houses offered come from the user's own scope
# The page shows counts only: b's resident would turn "在册 1 人" into "在册 2 人".
cases.listing(
    "people:structure",
    make=make_resident,
    marker=lambda r: "在册 1 人" if r.community.code.endswith("001") else "在册 2 人",
)

# --- households and houses ---------------------------------------------------------------------
cases.listing("people:household-list", make=make_household, marker=lambda h: h.head.name)
cases.detail("people:household-detail", make=make_household, kwargs=pk)
cases.detail("people:household-edit", make=make_household, kwargs=pk)
cases.action(
    "people:household-edit",
    make=make_household,
    kwargs=pk,
    data=lambda h: {"household_type": "family", "tenure": "rented", "version": h.version},
)
cases.listing("people:house-list", make=make_house, marker=lambda h: h.address)
cases.detail("people:house-detail", make=make_house, kwargs=pk)
cases.detail("people:house-edit", make=make_house, kwargs=pk)
cases.action(
    "people:house-edit", make=make_house, kwargs=pk, data=lambda h: {"use": "rented", "version": h.version}
)
cases.detail("people:household-create", make=make_house, kwargs=lambda h: {"house": h.pk})
cases.action(
    "people:household-create",
    make=make_house,
    kwargs=lambda h: {"house": h.pk},
    data={"household_type": "family", "tenure": "owned"},
)

# --- import and transfers ----------------------------------------------------------------------
cases.page("people:import")  # a batch is created only for communities the user may import into
cases.action(
    "people:transfer-from-import",
    make=make_conflict_batch,
    kwargs=lambda b: {"batch": b.pk, "line": 2},
    roles=COMMUNITY,
)
cases.listing(
    "people:transfer-list", make=make_transfer, marker=lambda t: t.resident.name, roles=("community_lead",)
)
cases.action("people:transfer-decide", make=make_transfer, kwargs=pk, data={"accept": "0"})
cases.action("people:transfer-cancel", make=make_incoming_transfer, kwargs=pk, roles=COMMUNITY)
# Tag definitions are platform settings (no personal data), for administrators.
cases.page("people:tag-list", roles=ADMIN)
cases.page("people:tag-create", roles=ADMIN)
cases.page("people:tag-edit", make=lambda w, s: TagDefinition.objects.first(), kwargs=pk, roles=ADMIN)

# --- the import engine's pages (core), exercised with the residents workbook ------------------------
cases.listing("core:import-list", make=make_batch, marker=lambda b: b.filename, roles=COMMUNITY)
cases.detail("core:import-detail", make=make_batch, kwargs=pk, roles=COMMUNITY)
cases.detail("core:import-errors", make=make_batch, kwargs=pk, roles=COMMUNITY)
cases.action("core:import-commit", make=make_batch, kwargs=pk, data={"mode": "valid_only"}, roles=COMMUNITY)
cases.action("core:import-discard", make=make_batch, kwargs=pk, roles=COMMUNITY)
cases.action(
    "core:import-mapping",
    make=make_mapping_batch,
    kwargs=pk,
    data=lambda b: {f"col-{c['index']}": c["field"] for c in b.options["layout"]["columns"]},
    roles=COMMUNITY,
)
cases.action("core:import-remap", make=make_batch, kwargs=pk, roles=COMMUNITY)
cases.action("core:import-undo", make=make_committed_batch, kwargs=pk, roles=("community_lead",))
cases.public("core:import-template", "a blank workbook, no data")
cases.detail("core:attachment", make=make_photo, kwargs=pk, roles=STAFF)
