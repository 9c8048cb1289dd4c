"""社区矫正公益活动 pages: the people, one person's sessions and grades."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.errors import DomainError
from shequ.core.generic import error_page
from shequ.ledgers import services
from shequ.ledgers.models import MANAGE_CORRECTION, VIEW_CORRECTION, CorrectionSubject, Grade, PeriodKind
from shequ.ledgers.views.common import act, focus_code, post_or_405, refused


@login_required
def subject_list(request):
    if (no := refused(request, VIEW_CORRECTION)) is not None:
        return no
    qs = CorrectionSubject.objects.visible_to(request.user).within(focus_code(request) or None)
    rows = []
    for s in qs.select_related("community")[:300]:
        rows.append({"s": s, **services.summary(s)})
    return render(request, "ledgers/correction_list.html", {
        "rows": rows, "can_manage": scope.holds(request.user, MANAGE_CORRECTION),
    })  # fmt: skip


@login_required
def subject_create(request):
    if (no := refused(request, MANAGE_CORRECTION)) is not None:
        return no
    ctx = {"data": request.POST or {"resident": request.GET.get("resident", ""),
                                    "start_date": timezone.localdate().isoformat(), "monthly_hours": "8"}}  # fmt: skip
    if request.method == "POST":
        p = request.POST
        try:
            s = services.enrol(request.user, resident_id=p.get("resident"), start_date=p.get("start_date"),
                               end_date=p.get("end_date") or None, monthly_hours=p.get("monthly_hours") or "8")  # fmt: skip
        except DomainError as exc:
            if exc.status == 403:
                return error_page(request, 403, exc.message)
            ctx["error"], ctx["details"] = exc.message, exc.details
            return render(request, "ledgers/correction_form.html", ctx, status=exc.status)
        return redirect(s.get_absolute_url())
    return render(request, "ledgers/correction_form.html", ctx)


def _subject(request, pk):
    if (no := refused(request, VIEW_CORRECTION)) is not None:
        return None, no
    qs = CorrectionSubject.objects.visible_to(request.user).select_related("community")
    return get_object_or_404(qs, pk=pk), None


@login_required
def subject_detail(request, pk):
    s, no = _subject(request, pk)
    if no is not None:
        return no
    today = timezone.localdate()
    return render(request, "ledgers/correction_detail.html", {
        "object": s, **services.summary(s), "sessions_list": list(s.sessions.all()[:60]),
        "can_manage": scope.covers(request.user, s.scope_code, MANAGE_CORRECTION),
        "can_reveal": scope.covers(request.user, s.scope_code, "core.reveal_pii"),
        "grades_scale": Grade.choices, "kinds": PeriodKind.choices, "today": today.isoformat(), "year": today.year,
        "rule": services.RULE,
    })  # fmt: skip


@login_required
def subject_session(request, pk):
    s, no = _subject(request, pk)
    if no is not None:
        return no
    if (bad := post_or_405(request)) is not None:
        return bad
    p, url = request.POST, s.get_absolute_url()
    return act(request, lambda: services.sign_in(request.user, s.pk, on=p.get("on"), hours=p.get("hours"),
               task=p.get("task", "")), done=url, back=url, ok=_("签到已登记。"))  # fmt: skip


@login_required
def subject_grade(request, pk):
    s, no = _subject(request, pk)
    if no is not None:
        return no
    if (bad := post_or_405(request)) is not None:
        return bad
    p, url = request.POST, s.get_absolute_url()
    return act(request, lambda: services.grade(request.user, s.pk, kind=p.get("kind"), year=p.get("year"),
               period=p.get("period"), value=p.get("grade"), reason=p.get("reason", "")),
               done=url, back=url, ok=_("等次已评定。"))  # fmt: skip
