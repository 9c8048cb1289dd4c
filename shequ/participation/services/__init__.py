"""Every act of the participation module, each in one transaction with its change-log entry."""

# --- self-government: charters, representatives, groups, property, elections ----------------------
from shequ.participation.services.bodies import (  # noqa: F401, E402
    add_group_member,
    add_property_company,
    add_property_contract,
    add_representative,
    create_group,
    end_representative,
)
from shequ.participation.services.charters import (  # noqa: F401, E402
    create_charter,
    discuss_version,
    draft_version,
    in_force,
    publish_version,
    vote_version,
)
from shequ.participation.services.elections import (  # noqa: F401, E402
    add_candidate,
    count_ballots,
    create_election,
    declare_elected,
    register_voters,
)

# --- ratings, hearings, consultations ---------------------------------------------------------------
from shequ.participation.services.hearings import (  # noqa: E402, F401
    end_consultation,
    hold_hearing,
    open_consultation,
    record_statement,
    register_speaker,
    schedule_hearing,
    submit_view,
    summarise_consultation,
)
from shequ.participation.services.identity import by_phone_digits, identify, resident_of  # noqa: F401
from shequ.participation.services.issues import (  # noqa: F401
    accept_issue,
    community_of,
    issue_scope,  # noqa: E402, F401
    move,
    propose_issue,
    raise_issue,
    reject_issue,
    set_threshold,
    support_issue,
    threshold_of,
)
from shequ.participation.services.meetings import (  # noqa: F401
    add_follow_up,
    add_to_agenda,
    complete_resolution,
    create_meeting,
    meeting_for_token,
    publish_resolution,
    record_attendance,
    record_minutes,
    remove_from_agenda,
    review_outcome,
    sign_in_by_qr,
    sign_in_open,
    sign_in_token,
    vote_resolution,
)
from shequ.participation.services.ratings import close_round, create_round  # noqa: E402, F401
