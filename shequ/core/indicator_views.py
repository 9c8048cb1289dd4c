"""The indicator catalogue pages: every indicator the user may read, grouped by module, with its
formula; one indicator computed for a scope and period of the user's choosing, with its snapshot
history (current and corrected); and taking a snapshot (district and street roles)."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core import indicators, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page

# How a breakdown key an indicator offers is named on the page.
BREAKDOWN_LABELS = {"type": _l("居住类型"), "tag": _l("人群标签"), "category": _l("类别"), "kind": _l("类型"),
                    "class": _l("门类"), "major": _l("大类")}  # fmt: skip


def _module_name(label: str) -> str:
    try:
        app = apps.get_app_config(label)
    except LookupError:
        return label
    return str(getattr(app, "nav_label", app.verbose_name))


@login_required
def catalogue(request):
    """The indicators the user may read, by module."""
    found = indicators.catalogue(request.user)
    if not found:
        return error_page(request, 403)
    groups: dict[str, list] = {}
    for ind in found:
        groups.setdefault(ind.module, []).append(ind)
    ctx = {
        "groups": [(m, _module_name(m), rows) for m, rows in groups.items()],
        "levels": indicators.LEVEL_LABELS,
        "periods": indicators.PERIOD_LABELS,
        "count": len(found),
    }
    return render(request, "core/indicator_list.html", ctx)


def _default_period(ind) -> str:
    today = timezone.localdate()
    if "year" in ind.periods:
        return str(today.year)
    if "quarter" in ind.periods:
        return indicators.period_label("quarter", today.replace(day=1))
    return indicators.period_label("month", today.replace(day=1))


def _scope_choices(user, ind) -> list[tuple[str, str]]:
    OrgUnit = apps.get_model("org", "OrgUnit")
    roots = scope.perm_codes(user, ind.perm)
    qs = OrgUnit.objects.filter(level__in=list(ind.scopes)).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:3000]]


@login_required
@require_http_methods(["GET"])
def detail(request, key, code=None):
    """One indicator: its definition, its value for the chosen scope and period, and the snapshots."""
    try:
        ind = indicators.get(key)
    except NotFound:
        raise Http404() from None
    if ind not in indicators.catalogue(request.user):
        return error_page(request, 403)
    choices = _scope_choices(request.user, ind)
    code = (code or request.GET.get("scope") or (choices[0][0] if choices else "")).strip()
    period = (request.GET.get("period") or _default_period(ind)).strip()
    ctx = {"ind": ind, "choices": choices, "code": code, "period": period, "error": "",
           "levels": indicators.LEVEL_LABELS, "periods": indicators.PERIOD_LABELS,
           "module": _module_name(ind.module)}  # fmt: skip
    status = 200
    if code:
        try:
            kind, start, end = indicators.parse_period(period)
            if kind not in ind.periods:
                raise DomainError(
                    _("该指标按%(p)s计算，请改用对应的统计期。")
                    % {"p": "、".join(str(indicators.PERIOD_LABELS[p]) for p in ind.periods)}
                )
            fig = indicators.evaluate(request.user, key, code, start, end)
            history = indicators.history(request.user, key, code, start, end)
        except NotFound:
            return error_page(request, 404)
        except DomainError as exc:
            ctx["error"] = exc.message
            status = 400
        else:
            by = {
                str(BREAKDOWN_LABELS.get(k, k)): v for k, v in ((fig["detail"] or {}).get("by") or {}).items()
            }
            extra = {k: v for k, v in (fig["detail"] or {}).items() if k != "by"}
            ctx.update({
                "fig": fig, "by": by, "extra": extra, "history": history, "start": start, "end": end,
                "name": dict(choices).get(code, code),
                "may_snapshot": indicators.may_snapshot(request.user, key, code),
            })  # fmt: skip
    return render(request, "core/indicator_detail.html", ctx, status=status)


@login_required
@require_POST
def snapshot(request, key):
    """Take (or retake) the snapshot of one scope and period."""
    code = (request.POST.get("scope") or "").strip()
    period = (request.POST.get("period") or "").strip()
    back = reverse("core:indicator-detail", args=[key]) + "?" + urlencode({"scope": code, "period": period})
    try:
        _kind, start, end = indicators.parse_period(period)
        taken = indicators.take_snapshots_checked(request.user, key, [code], start, end)
    except NotFound:
        return error_page(request, 404)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=back)
    _snap, status = taken[code]
    messages.success(request, {"new": _("已存档快照。"), "unchanged": _("数值未变，沿用原快照。"),
                               "corrected": _("数值已变化：已存档新快照，原快照保留并标记为被更正。")}[status])  # fmt: skip
    return redirect(back)
