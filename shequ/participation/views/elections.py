"""Pages of 换届选举: the list, a new election (its registered voters counted from the registry),
the election's page with its candidates, the electoral roll's snapshot, the count (refused above
the registered voters or a candidate above the ballots cast) and those elected with their offices."""

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView
from shequ.core.services import get_visible
from shequ.participation import services
from shequ.participation.gov_forms import CandidateForm, ConfirmForm, CountForm, DeclareForm, ElectionForm
from shequ.participation.models import Election
from shequ.participation.services.elections import MANAGE_ELECTIONS, term_end
from shequ.participation.views.issues import HeldAnywhere


class ElectionList(ScopedListView):
    model = Election
    title = _l("换届选举")
    default_sort = "-held_on"
    select_related = ("community",)
    actions_template = "participation/gov/_election_actions.html"
    columns = [
        Column(_l("届次"), "term_label", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("选举日期"), "held_on", sort="held_on"),
        Column(_l("选举方式"), "method"),
        Column(_l("登记选民"), "registered_voters"),
        Column(_l("投票人数"), "ballots_cast"),
        Column(_l("投票率（%）"), "turnout"),
        Column(_l("状态"), "status"),
    ]

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE_ELECTIONS)}


class ElectionCreate(HeldAnywhere, ServiceFormView):
    form_class = ElectionForm
    title = _l("登记换届选举")
    perm = MANAGE_ELECTIONS

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def context(self):
        return {"parent_url": reverse("participation:election-list"), "parent_title": _("换届选举")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_election(self.request.user, d.pop("community"), **d)


class ElectionDetail(ScopedDetailView):
    model = Election
    template_name = "participation/gov/election_detail.html"
    select_related = ("community",)

    def extra_context(self, obj) -> dict:
        return {
            "e": obj,
            "candidates": list(obj.candidates.select_related("resident")),
            "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE_ELECTIONS),
            "term_end": term_end(obj),
        }


class _ElectionAct(ServiceFormView):
    perm = MANAGE_ELECTIONS

    def setup_objects(self):
        self.object = get_visible(Election, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def context(self):
        return {"parent_url": self.object.get_absolute_url(), "parent_title": str(self.object)}

    def success_url(self, obj):
        return self.object.get_absolute_url()


class VotersRegister(_ElectionAct):
    form_class = ConfirmForm
    title = _l("登记选民名单")
    submit_label = _l("登记")

    def context(self):
        ctx = super().context()
        ctx["intro"] = _("按“%(r)s”从居民台账生成选民名单（%(d)s 年满 18 周岁的在册居民），名单保存为本次选举的快照。") % {
            "r": self.object.get_voter_rule_display(), "d": self.object.held_on.isoformat()}  # fmt: skip
        return ctx

    def perform(self, form):
        return services.register_voters(self.request.user, self.object.pk)


class CandidateAdd(_ElectionAct):
    form_class = CandidateForm
    title = _l("登记候选人")

    def perform(self, form):
        services.add_candidate(self.request.user, self.object.pk, **form.cleaned_data)
        return self.object


class BallotCount(_ElectionAct):
    form_class = CountForm
    title = _l("计票")
    submit_label = _l("保存计票结果")

    def get_form_kwargs(self):
        return {"candidates": list(self.object.candidates.select_related("resident"))}

    def context(self):
        ctx = super().context()
        ctx["intro"] = _("登记选民 %(v)d 人。投票人数不能超过登记选民，候选人得票不能超过投票人数。") % {
            "v": self.object.registered_voters}  # fmt: skip
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        votes = {k.removeprefix("votes_"): v for k, v in d.items() if k.startswith("votes_")}
        return services.count_ballots(
            self.request.user, self.object.pk, ballots_cast=d["ballots_cast"], votes=votes
        )


class Declare(_ElectionAct):
    form_class = DeclareForm
    title = _l("确认当选")
    submit_label = _l("公布当选结果")

    def get_form_kwargs(self):
        return {"candidates": list(self.object.candidates.select_related("resident"))}

    def context(self):
        ctx = super().context()
        ctx["intro"] = _("投票 %(b)s 人；得票超过投票人数半数的候选人方可当选，须有一名主任。") % {
            "b": self.object.ballots_cast
        }
        return ctx

    def perform(self, form):
        offices = {k.removeprefix("office_"): v for k, v in form.cleaned_data.items() if v}
        e, notes = services.declare_elected(self.request.user, self.object.pk, offices=offices)
        for n in notes:
            messages.success(self.request, n)
        return e
