"""Hooks other modules connect to.

`visit_needs_follow_up(sender=Visit, visit=..., actor=...)` is sent after a visit marked 需要跟进
is committed. The cases module connects a receiver that raises a request from it and writes the
request's number back into `visit.follow_up_ref`; without that module the visit simply shows its
follow-up note on the resident's page.
"""

from django.dispatch import Signal

visit_needs_follow_up = Signal()
