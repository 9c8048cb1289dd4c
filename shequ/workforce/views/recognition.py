"""Recognition pages: a worker's honours, 两代表一委员 seats and promotions (entered from the worker's
page), and one page per scope listing them with the street's way up."""

from collections import Counter

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.forms import DateInput
from shequ.core.generic import error_page
from shequ.workforce.models import VIEW, Award, HonourLevel, Representative, SeatKind, Worker
from shequ.workforce.services import recognition as service
from shequ.workforce.views.roster import _focus_code, _scope_label, _WorkerAct


class AwardForm(forms.Form):
    title = forms.CharField(
        label=_l("荣誉名称"), max_length=60, help_text=_l("如：十佳社区干部、优秀社区工作者")
    )
    level = forms.ChoiceField(label=_l("级别"), choices=HonourLevel.choices)
    awarded_on = forms.DateField(label=_l("授予日期"), widget=DateInput())
    body = forms.CharField(label=_l("授予单位"), max_length=60, help_text=_l("如：江夏区委组织部、区民政局"))
    note = forms.CharField(label=_l("说明"), max_length=200, required=False)


class RepresentativeForm(forms.Form):
    kind = forms.ChoiceField(label=_l("类别"), choices=SeatKind.choices)
    level = forms.ChoiceField(label=_l("级别"), choices=HonourLevel.choices)
    term = forms.CharField(label=_l("届次"), max_length=30, help_text=_l("如：第十五届"))
    start = forms.DateField(label=_l("当选日期"), widget=DateInput())
    end = forms.DateField(label=_l("届满日期"), widget=DateInput(), required=False)


class PromotionForm(forms.Form):
    on = forms.DateField(label=_l("日期"), widget=DateInput())
    post = forms.CharField(
        label=_l("晋升至"), max_length=60, help_text=_l("如：社区党委副书记、社区居委会主任")
    )
    note = forms.CharField(label=_l("说明"), max_length=200, required=False)


class AwardAdd(_WorkerAct):
    form_class = AwardForm
    title = _l("登记表彰奖励")

    def initial(self):
        return {"awarded_on": timezone.localdate(), "level": HonourLevel.DISTRICT}

    def perform(self, form):
        return service.add_award(self.request.user, self.worker.pk, **form.cleaned_data)


class RepresentativeAdd(_WorkerAct):
    form_class = RepresentativeForm
    title = _l("登记两代表一委员")

    def initial(self):
        return {"start": timezone.localdate(), "level": HonourLevel.DISTRICT}

    def perform(self, form):
        return service.add_representative(self.request.user, self.worker.pk, **form.cleaned_data)


class PromotionAdd(_WorkerAct):
    form_class = PromotionForm
    title = _l("登记晋升")

    def perform(self, form):
        return service.add_promotion(self.request.user, self.worker.pk, **form.cleaned_data)


@login_required
def recognition(request):
    """表彰与成长 of a scope: honours, 两代表一委员, and the way up (promotions and exits upward)."""
    user = request.user
    if not scope.holds(user, VIEW):
        return error_page(request, 403)
    code = request.GET.get("scope") or _focus_code(request)
    if code and not scope.covers(user, code):
        raise Http404()
    try:
        workers = Worker.objects.visible_to(user)
        if code:
            workers = workers.within(code)
        ids = workers.values("id")
        awards = list(Award.objects.filter(worker__in=ids).select_related("worker__org")[:500])
        seats = list(Representative.objects.filter(worker__in=ids).select_related("worker__org")[:500])
        ways = service.ways_up(user, code or None)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    today = timezone.localdate()
    by_street = Counter(w["worker"].scope_code[:9] for w in ways)
    from shequ.org.models import node_names

    names = node_names(by_street)
    ctx = {
        "title": _("表彰与成长"),
        "scope_label": _scope_label(code),
        "awards": awards,
        "seats": seats,
        "current_seats": sum(1 for s in seats if s.end is None or s.end >= today),
        "ways": ways,
        "streets": sorted(((names.get(c, c), n) for c, n in by_street.items()), key=lambda x: -x[1]),
        "today": today,
    }
    return render(request, "workforce/recognition.html", ctx)
