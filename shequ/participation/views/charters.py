"""Pages of charters: the list, a new charter, a charter with its versions (drafting, the meeting
that discusses a version, its vote, publishing), and the residents' public page of the versions in
force with their history (no login, texts and vote totals only)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView
from shequ.core.services import get_visible
from shequ.org.models import Level, OrgUnit
from shequ.participation import services
from shequ.participation.gov_forms import CharterForm, CharterVoteForm, ConfirmForm, DiscussForm, VersionForm
from shequ.participation.models import MANAGE, Charter, CharterVersion, Meeting, VersionStatus
from shequ.participation.views.issues import HeldAnywhere


class CharterList(ScopedListView):
    model = Charter
    title = _l("公约章程")
    default_sort = "scope_code"
    select_related = ("community",)
    actions_template = "participation/gov/_charter_actions.html"
    columns = [
        Column(_l("名称"), "title", sort="title", link=True),
        Column(_l("类别"), "kind", sort="kind"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("现行版本"), "current"),
    ]

    def prepare_rows(self, objects):
        today = timezone.localdate()
        by = {}
        for v in CharterVersion.objects.filter(charter__in=objects, status=VersionStatus.PUBLISHED):
            if v.in_force_on(today):
                by[v.charter_id] = v
        for c in objects:
            c.current_version = by.get(c.pk)

    def col_current(self, c):
        v = getattr(c, "current_version", None)
        return _("第%(n)d版（%(p)s）") % {"n": v.number, "p": v.period_label} if v else _("无")

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class CharterCreate(HeldAnywhere, ServiceFormView):
    form_class = CharterForm
    title = _l("新建公约章程")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def context(self):
        return {"parent_url": reverse("participation:charter-list"), "parent_title": _("公约章程")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.create_charter(self.request.user, d.pop("community"), **d)


class CharterDetail(ScopedDetailView):
    model = Charter
    template_name = "participation/gov/charter_detail.html"
    select_related = ("community",)

    def extra_context(self, obj) -> dict:
        today = timezone.localdate()
        versions = list(obj.versions.select_related("meeting__kind").order_by("-number"))
        return {
            "c": obj,
            "versions": versions,
            "current": next((v for v in versions if v.in_force_on(today)), None),
            "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE),
            "public_url": reverse("participation:public-charters", args=[obj.community.code]),
        }


class _VersionAct(ServiceFormView):
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(CharterVersion, self.request.user, self.kwargs["pk"])
        self.charter = self.object.charter

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def context(self):
        return {"parent_url": self.charter.get_absolute_url(), "parent_title": self.charter.title,
                "intro": str(self.object)}  # fmt: skip

    def success_url(self, obj):
        return self.charter.get_absolute_url()


class VersionDraft(ServiceFormView):
    form_class = VersionForm
    title = _l("起草新版本")
    perm = MANAGE

    def setup_objects(self):
        self.charter = get_visible(Charter, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.charter.scope_code

    def initial(self):
        last = self.charter.versions.order_by("-number").first()
        return {"text": last.text if last else "", "in_force_from": timezone.localdate()}

    def context(self):
        return {"parent_url": self.charter.get_absolute_url(), "parent_title": self.charter.title}

    def perform(self, form):
        return services.draft_version(self.request.user, self.charter.pk, **form.cleaned_data)


class VersionDiscuss(_VersionAct):
    form_class = DiscussForm
    title = _l("提交会议讨论")
    submit_label = _l("提交")

    def get_form_kwargs(self):
        qs = Meeting.objects.filter(community_id=self.charter.community_id).select_related("kind")
        return {"meetings": list(qs.order_by("-starts_at")[:50])}

    def perform(self, form):
        return services.discuss_version(self.request.user, self.object.pk, **form.cleaned_data)


class VersionVote(_VersionAct):
    form_class = CharterVoteForm
    title = _l("表决")
    submit_label = _l("记录表决结果")

    def context(self):
        ctx = super().context()
        m = self.object.meeting
        if m is not None:
            ctx["intro"] = _("%(v)s · %(m)s：签到出席 %(p)d 人，应到 %(e)d 人；%(q)s，%(a)s。") % {
                "v": self.object, "m": m.title, "p": m.attendance.count(), "e": m.expected,
                "q": m.kind.quorum_label, "a": m.kind.adopt_label}  # fmt: skip
        return ctx

    def perform(self, form):
        return services.vote_version(self.request.user, self.object.pk, **form.cleaned_data)


class VersionPublish(_VersionAct):
    form_class = ConfirmForm
    title = _l("公布施行")
    submit_label = _l("公布")

    def context(self):
        ctx = super().context()
        ctx["intro"] = _("%(v)s自 %(p)s 施行；公布后居民可在社区公开页面查阅。此前长期有效的版本将于施行前一日废止。") % {
            "v": self.object, "p": self.object.period_label}  # fmt: skip
        return ctx

    def perform(self, form):
        return services.publish_version(self.request.user, self.object.pk)


def public_charters(request, code):
    """The charters of a community in force today, with each one's history of versions (public)."""
    unit = OrgUnit.objects.filter(code=code, level=Level.COMMUNITY).first()
    if unit is None:
        raise Http404(_("未找到该社区。"))
    today = timezone.localdate()
    charters = list(Charter.objects.filter(community=unit).order_by("kind", "title"))
    versions = CharterVersion.objects.filter(charter__in=charters, status=VersionStatus.PUBLISHED).order_by(
        "-number"
    )
    by = {}
    for v in versions:
        by.setdefault(v.charter_id, []).append(v)
    rows = []
    for c in charters:
        history = by.get(c.pk, [])
        if history:
            rows.append({"charter": c, "current": next((v for v in history if v.in_force_on(today)), None),
                         "history": history})  # fmt: skip
    return render(
        request, "participation/gov/public_charters.html", {"unit": unit, "rows": rows, "today": today}
    )
