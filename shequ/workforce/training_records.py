"""The roster's training records of a person, offered to other modules by account (registered in
WorkforceConfig.ready): the archives' staff report shows each archivist's training."""

from shequ.core.registry import TrainingRecord


def by_user(user_ids) -> dict:
    """{user id: [TrainingRecord]} for the accounts tied to a worker with attendance, newest first."""
    from shequ.workforce.models import Attendance

    out: dict[int, list] = {}
    rows = (
        Attendance.objects.filter(worker__user_id__in=user_ids)
        .select_related("training", "worker")
        .order_by("-training__start", "-pk")
    )
    for a in rows:
        t = a.training
        out.setdefault(a.worker.user_id, []).append(
            TrainingRecord(
                title=t.title,
                kind=str(t.get_kind_display()),
                start=t.start,
                end=t.end,
                days=t.days,
                passed=a.passed,
            )  # fmt: skip
        )
    return out
