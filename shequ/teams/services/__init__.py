"""Writes and figures of the teams module; pages, API and the demo call these.

Rules: every read starts from visible_to; a write checks `teams.manage` over the row's place; a
volunteer's hours come only from an activity they checked in to, confirmed by the organiser; sign-up,
check-in and rating are once per person (unique constraints stand behind the checks); a full or
cancelled activity admits nobody."""

from shequ.teams.services.activities import (  # noqa: F401
    CHECK_IN_EARLY,
    activity_for_staff,
    add_shift,
    cancel_activity,
    cancel_signup,
    check_in_by_pass,
    check_in_by_qr,
    check_in_from_list,
    confirm_hours,
    create_activity,
    door_token,
    pass_code,
    rate,
    read_door_token,
    record_report,
    sign_up,
    signable,
    sync_scans,
    take_shift,
    volunteer_of,
    waiting_position,
)
from shequ.teams.services.cobuilding import (  # noqa: F401, E402
    add_body_member,
    create_body,
    record_contribution,
    record_meeting,
    remove_body_member,
    sign_agreement,
)
from shequ.teams.services.figures import appraisal, report, set_weights, weights_for  # noqa: F401
from shequ.teams.services.teams import (  # noqa: F401
    add_member,
    appoint_instructor,
    create_team,
    register_self,
    register_talent,
    register_volunteer,
    remove_member,
    set_volunteer_status,
    talent_search,
    update_team,
)
