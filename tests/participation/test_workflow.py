"""The issue workflow table: every allowed transition leads where the table says, every other
(status, action) pair is refused with a Conflict naming both."""

import pytest

from shequ.core.errors import Conflict
from shequ.participation import workflow
from shequ.participation.workflow import IssueAction, IssueStatus

S, A = IssueStatus, IssueAction
ALLOWED = {
    (S.PROPOSED, A.QUALIFY): S.READY,
    (S.PROPOSED, A.REJECT): S.REJECTED,
    (S.READY, A.REJECT): S.REJECTED,
    (S.READY, A.SCHEDULE): S.ON_AGENDA,
    (S.ON_AGENDA, A.UNSCHEDULE): S.READY,
    (S.ON_AGENDA, A.RETURN): S.READY,
    (S.ON_AGENDA, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.IMPLEMENT): S.IMPLEMENTING,
    (S.RESOLVED, A.COMPLETE): S.DONE,
    (S.IMPLEMENTING, A.COMPLETE): S.DONE,
}
EVERY = [(s, a) for s in S for a in A]


def test_the_table_is_exactly_the_allowed_moves():
    assert workflow.TRANSITIONS == ALLOWED


@pytest.mark.parametrize(("status", "action"), list(ALLOWED), ids=lambda v: str(v))
def test_allowed(status, action):
    assert workflow.advance(status, action) == ALLOWED[(status, action)]


@pytest.mark.parametrize(("status", "action"), [p for p in EVERY if p not in ALLOWED], ids=lambda v: str(v))
def test_forbidden(status, action):
    with pytest.raises(Conflict) as exc:
        workflow.advance(status, action)
    assert exc.value.code == "transition"
    assert str(S(status).label) in exc.value.message and str(A(action).label) in exc.value.message


def test_finished_states_lead_nowhere():
    for final in (S.DONE, S.REJECTED):
        assert not [a for a in A if workflow.target(final, a)]
