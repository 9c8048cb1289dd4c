"""The case workflow as one table: each action, the states it may start from, the state it leads
to, the permission it needs and whether only the handling unit may take it.

受理 → 立案 (or 不予立案) → 派遣 → 签收 → 处置 → 反馈 → 核查 (failure → 返工) → 结案 → 回访 → 评价,
with 退单, 延期, 挂账, 督办, 合并 and 转派 beside the main line. `services.transition` is the only
code that changes a case's status, and it consults nothing but this table for what is allowed.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shequ.cases.models import Status as S

SAME = None  # the action leaves the status as it is


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple
    target: str | None  # SAME keeps the status; "parked_from" returns to the state before 挂账
    perm: str
    handler_only: bool = False  # only a member of the case's handling unit may take it
    needs_note: bool = False  # a reason or an account of what was done is required
    requester_may: bool = False  # the person who filed the request may take it (评价)


_OPEN_WORK = (S.FILED, S.DISPATCHED, S.PROCESSING, S.RETURNED, S.HANDLED, S.VERIFIED)

TABLE: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("file", _("立案"), (S.RECEIVED,), S.FILED, "cases.dispatch_case"),
        Transition(
            "reject", _("不予立案"), (S.RECEIVED,), S.REJECTED, "cases.dispatch_case", needs_note=True
        ),
        Transition("dispatch", _("派遣"), (S.FILED, S.RETURNED), S.DISPATCHED, "cases.dispatch_case"),
        Transition(
            "accept", _("签收"), (S.DISPATCHED,), S.PROCESSING, "cases.handle_case", handler_only=True
        ),
        Transition(
            "return",
            _("退单"),
            (S.DISPATCHED, S.PROCESSING),
            S.RETURNED,
            "cases.handle_case",
            handler_only=True,
            needs_note=True,
        ),
        Transition(
            "progress",
            _("处置"),
            (S.PROCESSING,),
            SAME,
            "cases.handle_case",
            handler_only=True,
            needs_note=True,
        ),
        Transition(
            "request_extension",
            _("申请延期"),
            (S.PROCESSING,),
            SAME,
            "cases.handle_case",
            handler_only=True,
            needs_note=True,
        ),
        Transition("grant_extension", _("批准延期"), (S.PROCESSING,), SAME, "cases.dispatch_case"),
        Transition(
            "refuse_extension", _("驳回延期"), (S.PROCESSING,), SAME, "cases.dispatch_case", needs_note=True
        ),
        Transition(
            "feedback",
            _("反馈"),
            (S.PROCESSING,),
            S.HANDLED,
            "cases.handle_case",
            handler_only=True,
            needs_note=True,
        ),
        Transition("verify", _("核查通过"), (S.HANDLED,), S.VERIFIED, "cases.verify_case"),
        Transition(
            "rework", _("核查不通过，返工"), (S.HANDLED,), S.PROCESSING, "cases.verify_case", needs_note=True
        ),
        Transition("close", _("结案"), (S.VERIFIED,), S.CLOSED, "cases.dispatch_case"),
        # A requester may evaluate before the callback comes: the callback still follows.
        Transition("callback", _("回访"), (S.CLOSED, S.EVALUATED), S.CALLED_BACK, "cases.callback_case"),
        Transition(
            "evaluate",
            _("评价"),
            (S.CLOSED, S.CALLED_BACK),
            S.EVALUATED,
            "cases.callback_case",
            requester_may=True,
        ),
        Transition(
            "park",
            _("挂账"),
            (S.FILED, S.DISPATCHED, S.PROCESSING, S.RETURNED),
            S.PARKED,
            "cases.dispatch_case",
            needs_note=True,
        ),
        Transition("unpark", _("解除挂账"), (S.PARKED,), "parked_from", "cases.dispatch_case"),
        Transition("supervise", _("督办"), _OPEN_WORK, SAME, "cases.supervise_case", needs_note=True),
        Transition("merge", _("合并"), (S.RECEIVED, S.FILED), S.MERGED, "cases.dispatch_case"),
        Transition(
            "reassign",
            _("转派"),
            (S.DISPATCHED, S.PROCESSING),
            S.DISPATCHED,
            "cases.dispatch_case",
            needs_note=True,
        ),
    )
}

# Timeline entries that are not transitions a user takes.
OTHER_LABELS = {
    "receive": _("受理"),
    "warn": _("临期预警"),
    "overdue": _("超期"),
    "escalate": _("超期上报"),
    "review_due": _("挂账到期提醒"),
    "merged_into": _("并入本案"),
    "parent_outcome": _("主案办结"),
    "notify": _("通知"),
}


def label_of(action: str) -> str:
    t = TABLE.get(action)
    return str(t.label if t else OTHER_LABELS.get(action, action))


def allowed_from(status: str) -> list[Transition]:
    """The actions the table allows from a status (before role and unit checks)."""
    return [t for t in TABLE.values() if status in t.sources]
