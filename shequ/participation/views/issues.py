"""Staff pages of issues: the list, an issue with its supporters (community staff only) and
history, entering one, accepting and refusing; the community's threshold setting."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.services import get_visible
from shequ.participation import services
from shequ.participation.filters import IssueFilter
from shequ.participation.forms import IssueForm, NoteForm, ReasonForm, ThresholdForm
from shequ.participation.models import (
    CONFIGURE,
    MANAGE,
    VIEW_SUPPORTERS,
    Issue,
    IssueStatus,
    Resolution,
    Support,
)
from shequ.participation.workflow import IssueAction, target


class HeldAnywhere:
    """A form whose act needs `perm` somewhere in the user's scope (the service checks where)."""

    def _check_perm(self):
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None


class IssueList(ScopedListView):
    model = Issue
    filterset_class = IssueFilter
    title = _l("议题")
    default_sort = "-raised_on"
    select_related = ("community", "category")
    actions_template = "participation/_issue_actions.html"
    columns = [
        Column(_l("议题"), "title", sort="title", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("类别"), "category.name"),
        Column(_l("来源"), "source", sort="source"),
        Column(_l("附议人数"), "support_count", sort="support_count"),
        Column(_l("状态"), "status", sort="status"),
        Column(_l("提出日期"), "raised_on", sort="raised_on"),
    ]

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class IssueDetail(ScopedDetailView):
    model = Issue
    template_name = "participation/issue_detail.html"
    select_related = ("community", "category", "building")

    def extra_context(self, obj) -> dict:
        user = self.request.user
        manage = scope.covers(user, obj.scope_code, MANAGE)
        supporters = (
            list(Support.objects.visible_to(user).filter(issue=obj)[:500])
            if scope.covers(user, obj.scope_code, VIEW_SUPPORTERS)
            else None
        )
        return {
            "issue": obj,
            "events": list(obj.events.all()),
            "supporters": supporters,
            "threshold": services.threshold_of(obj.community),
            "can_manage": manage,
            "can_accept": manage and target(obj.status, IssueAction.QUALIFY) is not None,
            "can_reject": manage and target(obj.status, IssueAction.REJECT) is not None,
            "resolutions": Resolution.objects.visible_to(user).filter(issue=obj).select_related("meeting"),
            "agenda": obj.agenda_items.select_related("meeting"),
            "case": _case(user, obj),
            "public_url": reverse("participation:public-issue", args=[obj.pk]),
        }


def _case(user, issue):
    from shequ.core import registry

    if not issue.case_id:
        return None
    return registry.resolve_reference("case", user, issue.case_number) or {
        "number": issue.case_number,
        "url": "",
    }


class IssueCreate(HeldAnywhere, ServiceFormView):
    form_class = IssueForm
    title = _l("登记议题")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        case = self.request.GET.get("case", "")[:20]
        return {"source": "case", "case": case} if case else {"source": "box"}

    def context(self):
        return {"parent_url": reverse("participation:issue-list"), "parent_title": _("议题")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.raise_issue(self.request.user, d.pop("community"), **d)


class _IssueAct(ServiceFormView):
    perm = MANAGE
    submit_label = _l("确定")

    def setup_objects(self):
        self.issue = get_visible(Issue, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.issue.scope_code

    def context(self):
        return {"parent_url": self.issue.get_absolute_url(), "parent_title": self.issue.title}

    def success_url(self, obj):
        return self.issue.get_absolute_url()


class IssueAccept(_IssueAct):
    form_class = NoteForm
    title = _l("列入待上会")

    def context(self):
        return {
            **super().context(),
            "intro": _("不等附议人数达到门槛，直接列入待上会议题，可在组织会议时列入议程。"),
        }

    def perform(self, form):
        return services.accept_issue(self.request.user, self.issue.pk, **form.cleaned_data)


class IssueReject(_IssueAct):
    form_class = ReasonForm
    title = _l("不予受理")

    def perform(self, form):
        return services.reject_issue(self.request.user, self.issue.pk, **form.cleaned_data)


class ThresholdSet(HeldAnywhere, ServiceFormView):
    form_class = ThresholdForm
    title = _l("议事设置")
    perm = CONFIGURE
    submit_label = _l("保存")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        from shequ.participation.forms import community_choices

        choices = community_choices(self.request.user, CONFIGURE)
        code = choices[0][0] if choices else ""
        return {"community": code, "support_threshold": services.threshold_of(code) if code else 10}

    def context(self):
        return {
            "parent_url": reverse("participation:issue-list"),
            "parent_title": _("议题"),
            "intro": _("居民提出的议题，附议人数达到本社区设定的人数后自动列入“待上会”。"),
        }

    def perform(self, form):
        d = form.cleaned_data
        return services.set_threshold(
            self.request.user, d["community"], support_threshold=d["support_threshold"]
        )

    def success_url(self, obj):
        return reverse("participation:issue-list") + f"?status={IssueStatus.PROPOSED}"
