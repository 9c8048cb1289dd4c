"""Awards pages: the rounds (xlsx), starting a round, a round's page with its nominations, figures,
review and publishing (xlsx of the nominations), nominating, and the public list of published
winners (households by a masked name, persons by the name they agreed to show)."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.forms import DateInput
from shequ.core.generic import (
    Column,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    error_page,
    hx_redirect,
)
from shequ.core.models import Action
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.teams.filters_party import AwardRoundFilter
from shequ.teams.models import (
    MANAGE,
    AwardKind,
    AwardRound,
    Nomination,
    NominationResult,
    NomineeKind,
    RoundStatus,
)
from shequ.teams.services import awards as services

FIGURE_LABELS = {"activities": _l("参加活动（次）"), "hours": _l("志愿服务（小时）"), "members": _l("家庭人数"),
                 "person_times": _l("参与人次"), "pledges": _l("承诺（项）"), "pledges_kept": _l("已履诺（项）"),
                 "buildings": _l("责任楼栋"), "households": _l("联系户")}  # fmt: skip


def figures_text(figures: dict) -> str:
    return "；".join(f"{FIGURE_LABELS.get(k, k)} {v}" for k, v in (figures or {}).items())


class RoundForm(forms.Form):
    org = forms.ChoiceField(label=_l("社区或街道"))
    kind = forms.ModelChoiceField(label=_l("奖项"), queryset=AwardKind.objects.filter(active=True))
    year = forms.IntegerField(label=_l("年度"), min_value=2000, max_value=2100)
    opens_on = forms.DateField(label=_l("推荐开始"), widget=DateInput())
    closes_on = forms.DateField(label=_l("推荐截止"), widget=DateInput())
    places = forms.IntegerField(label=_l("名额"), min_value=1, max_value=1000, initial=10)
    title = forms.CharField(label=_l("名称（可不填，自动生成）"), max_length=100, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = (
            OrgUnit.objects.where_held(user, MANAGE)
            .filter(level__in=(Level.COMMUNITY, Level.STREET))
            .order_by("code")
        )
        self.fields["org"].choices = [(u.code, u.display_name) for u in qs]


class NominationForm(forms.Form):
    nominee = forms.ChoiceField(label=_l("被推荐对象"))
    reason = forms.CharField(
        label=_l("推荐理由（主要事迹）"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    nominator_name = forms.CharField(label=_l("推荐人（单位）"), max_length=60, required=False,
                                     help_text=_l("不填则为登记人"))  # fmt: skip
    show_name = forms.BooleanField(label=_l("本人同意公示姓名（户始终以脱敏名称公示）"), required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].choices = list(choices)


def _nominee_choices(user, r: AwardRound) -> list:
    from shequ.core.masking import mask
    from shequ.people.models import Household, Resident
    from shequ.teams.models import PartyMember, Team, Volunteer

    code, kind = r.org.code, r.kind.nominee_kind
    if kind == NomineeKind.VOLUNTEER:
        qs = (
            Volunteer.objects.visible_to(user).within(code).filter(status="active").select_related("resident")
        )
        return [(v.pk, v.resident.name) for v in qs.order_by("resident__name")[:500]]
    if kind == NomineeKind.HOUSEHOLD:
        reveal = scope.covers(user, code, "people.view_resident")
        qs = (
            Household.objects.visible_to(user)
            .within(code)
            .select_related("head", "house")
            .order_by("scope_code", "id")
        )
        return [(h.pk, f"{(h.head.name if reveal else mask(h.head.name, 'name')) if h.head_id else '—'}户 · {h.house.address}")
                for h in qs[:500]]  # fmt: skip
    if kind == NomineeKind.RESIDENT:
        qs = Resident.objects.visible_to(user).within(code).filter(status="active").order_by("name")
        return [(x.pk, x.name) for x in qs[:500]]
    if kind == NomineeKind.MEMBER:
        qs = PartyMember.objects.visible_to(user).within(code).filter(status="active").order_by("name")
        return [(m.pk, f"{m.name}（{m.get_kind_display()}）") for m in qs[:500]]
    qs = Team.objects.visible_to(user).within(code).order_by("name")
    return [(t.pk, t.name) for t in qs[:500]]


class RoundList(ScopedListView):
    model = AwardRound
    filterset_class = AwardRoundFilter
    title = _l("评选表彰")
    default_sort = "-year"
    select_related = ("org", "kind")
    actions_template = "teams/award_list_actions.html"
    columns = [
        Column(_l("名称"), "title", sort="title", link=True),
        Column(_l("奖项"), "kind.name", sort="kind__order"),
        Column(_l("年度"), "year", sort="year"),
        Column(_l("社区或街道"), "org.display_name", sort="scope_code"),
        Column(_l("推荐期"), "window", sort="opens_on"),
        Column(_l("名额"), "places"),
        Column(_l("推荐数"), "nominated"),
        Column(_l("当选数"), "awarded"),
        Column(_l("状态"), "status", sort="status"),
    ]

    def prepare_rows(self, objects) -> None:
        from django.db.models import Count, Q

        rows = (Nomination.objects.filter(round__in=objects).values("round")
                .annotate(n=Count("id"), a=Count("id", filter=Q(result=NominationResult.AWARDED))))  # fmt: skip
        self._counts = {r["round"]: (r["n"], r["a"]) for r in rows}

    def col_window(self, obj):
        return f"{obj.opens_on:%Y-%m-%d} ~ {obj.closes_on:%Y-%m-%d}"

    def col_nominated(self, obj):
        return self._counts.get(obj.pk, (0, 0))[0]

    def col_awarded(self, obj):
        return self._counts.get(obj.pk, (0, 0))[1]

    def extra_context(self):
        return {"new_url": reverse("teams:award-round-create"), "new_label": _("发起评选")}


class RoundCreate(ServiceFormView):
    form_class = RoundForm
    title = _l("发起评选")

    def _check_perm(self):
        if not scope.holds(self.request.user, MANAGE):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def context(self):
        return {"parent_url": reverse("teams:award-round-list"), "parent_title": _("评选表彰")}

    def initial(self):
        today = timezone.localdate()
        return {"year": today.year, "opens_on": today, "closes_on": today + dt.timedelta(days=30)}

    def perform(self, form):
        d = dict(form.cleaned_data)
        d["kind"] = d["kind"].pk
        return services.create_round(self.request.user, d.pop("org"), **d)


class RoundDetail(ScopedDetailView):
    model = AwardRound
    template_name = "teams/award_round_detail.html"
    select_related = ("org", "kind")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            r = self.get_object()
            rows = [[n.nominee_name, n.get_nominee_kind_display(), n.nominator_name, n.reason, figures_text(n.figures),
                     n.get_result_display(), n.review_note, n.public_name] for n in r.nominations.order_by("id")]  # fmt: skip
            headers = [_("被推荐对象"), _("类别"), _("推荐人（单位）"), _("推荐理由"), _("事迹数据"), _("评审结果"),
                       _("评审意见"), _("公示名称")]  # fmt: skip
            changelog.record(request.user, Action.EXPORT, r, note=_("评选推荐名单"))
            note = _("%(t)s；状态：%(s)s；导出人：%(u)s") % {
                "t": r.title,
                "s": r.get_status_display(),
                "u": request.user,
            }
            return xlsx_response(r.title, workbook_bytes(r.title, headers, rows, note))
        return super().get(request, *args, **kwargs)

    def extra_context(self, obj):
        noms = list(obj.nominations.order_by("result", "id"))
        for n in noms:
            n.figures_text = figures_text(n.figures)
        awarded = sum(1 for n in noms if n.result == NominationResult.AWARDED)
        return {"r": obj, "nominations": noms, "awarded": awarded,
                "pending": sum(1 for n in noms if n.result == NominationResult.PENDING),
                "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE),
                "moves": [(s, RoundStatus(s).label) for s in services.TRANSITIONS[RoundStatus(obj.status)]]}  # fmt: skip


class Nominate(ServiceFormView):
    form_class = NominationForm
    title = _l("推荐")
    perm = MANAGE

    def setup_objects(self):
        self.round = get_visible(AwardRound, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.round.scope_code

    def get_form_kwargs(self):
        return {"choices": _nominee_choices(self.request.user, self.round)}

    def context(self):
        r = self.round
        return {"parent_url": r.get_absolute_url(), "parent_title": r.title,
                "intro": _("评选对象：%(k)s；推荐期 %(a)s 至 %(b)s。事迹数据（活动、时长、承诺等）由平台按记录自动汇总。")
                % {"k": NomineeKind(r.kind.nominee_kind).label, "a": r.opens_on, "b": r.closes_on}}  # fmt: skip

    def perform(self, form):
        return services.nominate(self.request.user, self.round.pk, **form.cleaned_data)

    def success_url(self, obj):
        return self.round.get_absolute_url()


def _post(request, fn, back):
    try:
        fn()
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=back)
    return hx_redirect(request, back)


@login_required
@require_POST
def review(request, pk):
    """评审 one nomination from the round's page."""
    try:
        n = get_visible(Nomination, request.user, pk)
    except NotFound:
        raise Http404() from None
    back = n.round.get_absolute_url()
    return _post(request, lambda: services.review(request.user, n.pk, result=request.POST.get("result"),
                                                  note=request.POST.get("note", "")), back)  # fmt: skip


@login_required
@require_POST
def move(request, pk):
    try:
        r = get_visible(AwardRound, request.user, pk)
    except NotFound:
        raise Http404() from None
    return _post(
        request,
        lambda: services.move_round(request.user, r.pk, request.POST.get("status")),
        r.get_absolute_url(),
    )


def public(request, code):
    """The published winners of a community or street: public, names as allowed."""
    unit = OrgUnit.objects.filter(code=code[:12], level__in=(Level.COMMUNITY, Level.STREET)).first()
    if unit is None:
        raise Http404()
    rounds = [
        (r, list(services.winners(r)))
        for r in services.published(unit.code).order_by("-year", "kind__order")[:50]
    ]
    return render(request, "teams/award_public.html", {"unit": unit, "rounds": rounds})
