"""活动统计: one scope and period, with charts (ECharts) and the xlsx of the figures; the weights."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.generic import ServiceFormView, error_page
from shequ.core.models import Action
from shequ.teams import services
from shequ.teams.forms import WeightsForm
from shequ.teams.models import CONFIGURE, VIEW, Activity


def _day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _scope_label(code: str) -> str:
    from shequ.org.models import node_names

    return node_names([code]).get(code, code) if code else _("全部")


def _bars(labels, values, name) -> dict:
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 28, "top": 8, "bottom": 8, "containLabel": True},
        "yAxis": {"type": "category", "inverse": True, "data": labels},
        "xAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": name, "type": "bar", "data": values, "label": {"show": True, "position": "right"}}
        ],
    }


@login_required
def report(request):
    user = request.user
    if not scope.may_read(user, Activity):
        return error_page(request, 403)
    focus = scope.focus_of(request)
    code = request.GET.get("scope") or (focus.code if focus else "")
    try:
        data = services.report(user, code, _day(request.GET.get("start")), _day(request.GET.get("end")))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("队伍"),
            _("类别"),
            _("活动场次"),
            _("参与人次"),
            _("居民评分"),
            _("评价数"),
            _("考评得分"),
        ]
        rows = [[r["name"], r["kind"], r["activities"], r["person_times"], float(r["rating"]) if r["rating"] is not None else "",
                 r["ratings"], float(r["score"])] for r in data["appraisal"]]  # fmt: skip
        w = data["weights"]
        note = _("%(s)s，%(a)s 至 %(b)s；权重：参与人次 %(p)d%%、活动场次 %(n)d%%、居民评价 %(r)d%%。导出人：%(u)s") % {
            "s": _scope_label(data["scope"]), "a": data["start"], "b": data["end"], "p": w[0], "n": w[1], "r": w[2], "u": user}  # fmt: skip
        changelog.record(user, Action.EXPORT, None, scope_code=data["scope"], note=_("队伍考评"))
        return xlsx_response(_("队伍考评"), workbook_bytes(_("队伍考评"), headers, rows, note))
    charts = [
        ("opt-kinds", _("各类活动场次"), _bars([k["label"] for k in data["by_kind"]], [k["activities"] for k in data["by_kind"]], _("场次"))),
        ("opt-organisers", _("组织方活动场次（前 10）"), _bars([o["name"] for o in data["by_organiser"][:10]], [o["activities"] for o in data["by_organiser"][:10]], _("场次"))),
        ("opt-ages", _("参与居民年龄段"), _bars([b["band"] for b in data["age_bands"]], [b["residents"] for b in data["age_bands"]], _("人"))),
    ]  # fmt: skip
    ctx = {"data": data, "charts": charts, "scope_label": _scope_label(data["scope"])}
    return render(request, "teams/report.html", ctx)


class WeightsEdit(ServiceFormView):
    form_class = WeightsForm
    title = _l("队伍考评权重")

    def _check_perm(self):
        if not scope.holds(self.request.user, CONFIGURE):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        from shequ.org.models import Level, OrgUnit

        unit = (
            OrgUnit.objects.where_held(self.request.user, CONFIGURE)
            .filter(level__in=(Level.STREET, Level.DISTRICT))
            .order_by("-code")
            .first()
        )
        p, a, r = services.weights_for(unit.code if unit else "")
        return {"org": unit.code if unit else "", "participation": p, "activities": a, "rating": r}

    def perform(self, form):
        d = form.cleaned_data
        return services.set_weights(self.request.user, d["org"], participation=d["participation"],
                                    activities=d["activities"], rating=d["rating"])  # fmt: skip

    def success_url(self, obj):
        from django.urls import reverse

        return reverse("teams:report") + f"?scope={obj.org.code}"


__all__ = ["VIEW"]
