"""/api/v1/participation/: issues and support, meetings and attendance, resolutions and their
follow-up, the report."""

from ninja import Router

from shequ.participation.api import issues, meetings

router = Router(tags=["participation"])
for _part in (issues, meetings):
    router.add_router("", _part.router)

# --- self-government: charters, representatives, groups, 四位一体, elections ---
from shequ.participation.api import governance  # noqa: E402

router.add_router("", governance.router)
# --- ratings, hearings, consultations ---------------------------------------------------------------
from shequ.participation.api import ratings  # noqa: E402

router.add_router("", ratings.router)
