"""Pages of the admission review (准入申请与审核): a department files a request, the review group
votes on it, the chair closes an overdue review, the department withdraws or corrects it, and the
decision letter prints. Managers set each district's or street's review group on the settings
pages. Reads start from visible_to; every write is a services function."""

import uuid

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from shequ.core import scope, worktime
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import (
    Column,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    error_page,
    hx_redirect,
)
from shequ.core.roles import Role
from shequ.duties import services
from shequ.duties.forms_requests import (
    CloseForm,
    MemberFormSet,
    PolicyForm,
    RequestForm,
    VoteForm,
    WithdrawForm,
    area_choices,
    community_choices,
    filing_communities,
    item_choices,
    member_candidates,
)
from shequ.duties.models import (
    LIVE_REQUEST,
    METRICS,
    AdmissionRequest,
    DutyItem,
    DutyPolicy,
    FundingCommitment,
    RequestStatus,
    ReviewVote,
    Task,
    Vote,
    member_codes,
)
from shequ.org.models import Level, OrgUnit, node_names

STATUS_TONE = {
    RequestStatus.RETURNED: "warning",
    RequestStatus.REVIEW: "primary",
    RequestStatus.APPROVED: "success",
    RequestStatus.REJECTED: "danger",
    RequestStatus.WITHDRAWN: "secondary",
    RequestStatus.EXPIRED: "secondary",
}
FINDING_TONE = {"reject": "danger", "return": "warning", "warn": "warning", "info": "info"}
FINDING_LABEL = {
    "reject": _l("不予准入"),
    "return": _l("退回补正"),
    "warn": _l("提示审核人"),
    "info": _l("说明"),
}
VOTE_TONE = {Vote.APPROVE: "success", Vote.AMEND: "info", Vote.REJECT: "danger"}
TOKEN_SECONDS = 6 * 3600


def _departments(user) -> list[str]:
    return sorted(
        {m.department for m in scope.memberships(user) if m.role == Role.DEPARTMENT and m.department}
    )


def _place_errors(form, exc: DomainError) -> None:
    placed = False
    for field, msgs in (exc.details or {}).items():
        name = "forms_count" if field == "forms" else field
        if name in form.fields:
            for m in msgs:
                form.add_error(name, m)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- the list -----------------------------------------------------------------------------------
class RequestFilter(django_filters.FilterSet):
    """Shared by the request list, its export and GET /api/v1/duties/requests."""

    q = django_filters.CharFilter(
        label=_l("编号或事项"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(label=_l("状态"), choices=RequestStatus.choices)
    department = django_filters.ChoiceFilter(label=_l("申请部门"), choices=[])
    fast_track = django_filters.BooleanFilter(
        label=_l("仅快速通道"), method="only_true", widget=forms.CheckboxInput
    )
    urgent = django_filters.BooleanFilter(
        label=_l("仅紧急事项"), method="only_true", widget=forms.CheckboxInput
    )

    class Meta:
        model = AdmissionRequest
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        names = self.queryset.order_by().values_list("department", flat=True).distinct()
        self.filters["department"].extra["choices"] = [(n, n) for n in sorted(set(names))]

    def search(self, qs, name, value):
        v = (value or "").strip()
        if not v:
            return qs
        return qs.filter(number__istartswith=v) | qs.filter(title__contains=v)

    def only_true(self, qs, name, value):
        return qs.filter(**{name: True}) if value else qs


TABS = (("todo", _l("待我审核")), ("department", _l("我部门的申请")), ("all", _l("全部")))


def awaiting_vote(qs, user):
    """Requests in review where the user sits in the group and has not voted."""
    voted = ReviewVote.objects.filter(request=OuterRef("pk"), member=user)
    return qs.filter(status=RequestStatus.REVIEW, scope_code__in=member_codes(user)).exclude(Exists(voted))


class RequestListView(ScopedListView):
    model = AdmissionRequest
    filterset_class = RequestFilter
    title = _l("准入申请")
    template_name = "duties/request_list.html"
    table_template = "duties/request_table.html"
    actions_template = "duties/request_actions.html"
    default_sort = "-submitted_at"
    select_related = ("org",)
    defer_fields = ("description", "reason", "findings", "decision_note", "conditions")
    columns = [
        Column(_l("申请编号"), "number", sort="number", link=True),
        Column(_l("事项名称"), "title"),
        Column(_l("申请部门"), "department", sort="department"),
        Column(_l("审核单位"), "org.display_name"),
        Column(_l("社区数"), "n_communities"),
        Column(_l("状态"), "status"),
        Column(_l("标记"), "flags"),
        Column(_l("审核期限"), "deadline_text", sort="review_deadline"),
        Column(_l("提交时间"), "submitted", sort="submitted_at"),
    ]

    def tabs(self):
        user = self.request.user
        keys = []
        if member_codes(user):
            keys.append("todo")
        if _departments(user):
            keys.append("department")
        keys.append("all")
        return [(k, label) for k, label in TABS if k in keys]

    def tab(self):
        keys = [k for k, _label in self.tabs()]
        t = self.request.GET.get("tab")
        return t if t in keys else keys[0]

    def get(self, request, *args, **kwargs):
        if not (scope.holds(request.user, "duties.view_request") or member_codes(request.user)):
            return error_page(request, 403)
        services.maybe_sweep()
        return super().get(request, *args, **kwargs)

    def base_queryset(self):
        qs = super().base_queryset().annotate(n_communities=Count("communities", distinct=True))
        user = self.request.user
        tab = self.tab()
        if tab == "todo":
            qs = awaiting_vote(qs, user)
        elif tab == "department":
            mine = AdmissionRequest.objects.none()
            for m in scope.memberships(user):
                if m.role == Role.DEPARTMENT and m.department:
                    mine = mine | qs.filter(department=m.department, origin_code__startswith=m.scope_code)
            qs = mine
        return qs

    def extra_context(self):
        return {
            "tabs": self.tabs(),
            "tab": self.tab(),
            "may_file": scope.holds(self.request.user, "duties.file_request"),
        }

    def _excel(self) -> bool:
        return self.request.GET.get("export") == "xlsx" or self.request.method == "POST"

    def col_flags(self, obj):
        flags = []
        if obj.fast_track:
            flags.append(_("快速通道"))
        if obj.urgent:
            flags.append(_("紧急"))
        if obj.suspected_negative:
            flags.append(_("疑似负面清单"))
        if obj.duplicate_of:
            flags.append(_("疑似重复"))
        return "、".join(flags)

    def col_deadline_text(self, obj):
        if obj.review_deadline is None or (obj.status != RequestStatus.REVIEW and not self._excel()):
            return ""
        return timezone.localtime(obj.review_deadline).strftime(
            "%Y-%m-%d %H:%M" if self._excel() else "%m-%d %H:%M"
        )

    def col_submitted(self, obj):
        return timezone.localtime(obj.submitted_at).strftime("%Y-%m-%d %H:%M")

    def prepare_rows(self, objects):
        now = timezone.now()
        for o in objects:
            o.tone = STATUS_TONE.get(o.status, "secondary")
            o.overdue = (
                o.status == RequestStatus.REVIEW and o.review_deadline is not None and o.review_deadline < now
            )


# --- filing -------------------------------------------------------------------------------------
def _rule(policy, now) -> dict:
    return {
        "org": policy.org.display_name,
        "group": policy.group_name,
        "days": policy.notice_days,
        "earliest": worktime.add_working_days(now, policy.notice_days).date(),
        "review_days": policy.review_days,
        "fast_track_days": policy.fast_track_days,
        "decision_rule": policy.get_decision_rule_display(),
    }


def review_rules(user, communities) -> dict:
    """The admission rules a request from this user meets. A request over several streets goes to
    the review group at the department's own level (its district); one over a single street goes to
    that street's group where the street has one. So: the rules of the department's own level
    first, then those of the streets that review their own communities, and how many streets have
    no group at all."""
    now = timezone.now()
    origins = sorted(
        {m.scope_code for m in scope.memberships(user) if m.role == Role.DEPARTMENT and m.department}
    ) or sorted({c.code[:6] for c in communities})
    streets = sorted({c.code[:9] for c in communities})
    policies = services.policies_for({*origins, *streets})
    names = node_names(origins)
    own = [
        {
            "org": names.get(o, o),
            "level": len(o),
            "rule": _rule(policies[o], now) if policies[o] else None,
        }
        for o in origins
    ]
    own_codes = {policies[o].org.code for o in origins if policies[o]}
    by_street, missing = [], 0
    for s in streets:
        p = policies[s]
        if p is None:
            missing += 1
        elif p.org.code == s and s not in own_codes:
            by_street.append(_rule(p, now))
    return {"own": own, "streets": by_street, "missing": missing, "street_count": len(streets)}


def _duplicate_rows(user, numbers) -> list[dict]:
    visible = {
        r.number: r
        for r in AdmissionRequest.objects.visible_to(user)
        .filter(number__in=numbers)
        .only("pk", "number", "title", "status")
    }
    rows = []
    for n in numbers:
        r = visible.get(n)
        rows.append(
            {
                "number": n,
                "title": r.title if r else "",
                "status": r.get_status_display() if r else "",
                "url": r.get_absolute_url() if r else "",
            }
        )
    return rows


class _RequestFormView(ServiceFormView):
    form_class = RequestForm
    template_name = "duties/request_form.html"
    perm = "duties.file_request"
    object = None

    def _check_perm(self):
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None

    def setup_objects(self):
        self.communities = list(filing_communities(self.request.user))
        if self.object is not None:
            own = {c.code for c in self.communities}
            self.communities += [
                c for c in self.object.communities.select_related("parent") if c.code not in own
            ]
        self.units = {c.code: c for c in self.communities}
        self.areas = area_choices(self.communities)
        self.duplicates = []

    def get_form_kwargs(self):
        user = self.request.user
        return {
            "communities": community_choices(self.communities),
            "areas": self.areas,
            "items": item_choices(self.communities),
            "ask_department": not _departments(user) and scope.is_global(user),
        }

    def context(self):
        return {
            "object": self.object,
            "rules": review_rules(self.request.user, self.communities),
            "areas": self.areas,
            "duplicates": self.duplicates,
        }

    def render_form(self, form, status=200):
        ctx = {"form": form, "title": self.title, "submit_label": self.submit_label, "view": self}
        ctx.update(self.context())
        return render(self.request, self.template_name, ctx, status=status)

    def fields_of(self, form) -> dict:
        kw = form.service_kwargs(self.units)
        item = kw.pop("item")
        kw["item"] = DutyItem.objects.filter(pk=item).first() if item else None
        return kw

    def post(self, request, *args, **kwargs):
        self._setup()
        denied = self._check_perm()
        if denied:
            return denied
        form = self.form_class(request.POST, **self.get_form_kwargs())
        if not form.is_valid():
            return self.render_form(form, status=400)
        token = form.cleaned_data.get("form_token") or ""
        key = f"shequ:duties:request-form:{request.user.pk}:{token}"
        if token and not cache.add(key, "", TOKEN_SECONDS):
            # The same form sent twice (a double click, a refresh): show what the first one made.
            done = cache.get(key)
            if done:
                return redirect(done)
            form.add_error(None, _("这份申请正在提交，请稍候刷新“我部门的申请”查看，不要重复提交。"))
            return self.render_form(form, status=409)
        try:
            obj = self.perform(form)
        except NotFound:
            cache.delete(key)
            raise Http404() from None
        except DomainError as exc:
            cache.delete(key)
            if exc.code == "duplicate_request":
                self.duplicates = _duplicate_rows(request.user, (exc.details or {}).get("duplicates", []))
            else:
                _place_errors(form, exc)
            return self.render_form(form, status=exc.status if exc.status != 404 else 400)
        url = obj.get_absolute_url()
        if token:
            cache.set(key, url, TOKEN_SECONDS)
        return redirect(url)

    def announce(self, req):
        if req.status == RequestStatus.REJECTED:
            messages.error(self.request, _("预审未通过：该事项不予准入，理由见下方。"))
        elif req.status == RequestStatus.RETURNED:
            messages.warning(self.request, _("预审发现缺项，申请已退回补正，请按提示修改后重新提交。"))
        else:
            messages.success(
                self.request,
                _("申请已提交（%(n)s），进入审核，审核期限 %(d)s。")
                % {"n": req.number, "d": timezone.localtime(req.review_deadline).strftime("%Y-%m-%d")},
            )


class RequestCreateView(_RequestFormView):
    title = _l("提出准入申请")
    submit_label = _l("提交申请")

    def initial(self):
        return {"form_token": uuid.uuid4().hex}

    def perform(self, form):
        req = services.file_request(
            self.request.user,
            confirm_duplicate=bool(form.cleaned_data.get("confirm_duplicate")),
            **self.fields_of(form),
        )
        self.announce(req)
        return req


class RequestEditView(_RequestFormView):
    title = _l("修改后重新提交")
    submit_label = _l("重新提交")

    def setup_objects(self):
        self.object = (
            AdmissionRequest.objects.visible_to(self.request.user).filter(pk=self.kwargs["pk"]).first()
        )
        if self.object is None:
            raise NotFound()
        super().setup_objects()

    def _check_perm(self):
        if self.object.status != RequestStatus.RETURNED:
            return error_page(
                self.request,
                409,
                _("只有“退回补正”的申请可以修改后重新提交。"),
                back=self.object.get_absolute_url(),
            )
        if not (
            self.object.department in _departments(self.request.user) or scope.is_global(self.request.user)
        ):
            return error_page(self.request, 403, _("只有申请部门可以修改并重新提交申请。"))
        return None

    def get_form_kwargs(self):
        kw = super().get_form_kwargs()
        kw["ask_department"] = False
        return kw

    def initial(self):
        return RequestForm.initial_for(self.object)

    def perform(self, form):
        fields = self.fields_of(form)
        fields.pop("department", None)
        req = services.resubmit_request(
            self.request.user,
            self.object.pk,
            fields,
            expected_version=form.cleaned_data.get("expected_version"),
        )
        self.announce(req)
        return req


# --- the request page ---------------------------------------------------------------------------
def request_context(request, req, *, vote_form=None, close_form=None, withdraw_form=None, error=None) -> dict:
    """Everything the request page shows; bound forms carry a refused act back to the page."""
    user = request.user
    state = services.review_state(req, user)
    mine = req.department in _departments(user) and any(
        m.role == Role.DEPARTMENT and req.origin_code.startswith(m.scope_code)
        for m in scope.memberships(user)
    )
    manager = scope.covers(user, req.scope_code, "duties.manage_policy")
    tasks = list(
        Task.objects.visible_to(user)
        .filter(request=req)
        .select_related("community")
        .order_by("community__code")
    )
    commitments = {c.task_id: c for c in FundingCommitment.objects.visible_to(user).filter(task__request=req)}
    for t in tasks:
        t.commitment_row = commitments.get(t.pk)
    findings = [
        {
            **f,
            "tone": FINDING_TONE.get(f.get("level"), "secondary"),
            "label": FINDING_LABEL.get(f.get("level"), ""),
        }
        for f in (req.findings or [])
    ]
    for row in state["members"]:
        row["tone"] = VOTE_TONE.get(row["vote"].choice, "secondary") if row["vote"] else ""
    return {
        "object": req,
        "req": req,
        "tone": STATUS_TONE.get(req.status, "secondary"),
        "findings": findings,
        "state": state,
        "tally_line": services.tally_line(state["tally"]),
        "communities": list(req.communities.select_related("parent").order_by("code")),
        "metrics": [(label, getattr(req, f), yearly) for f, label, yearly in METRICS],
        "tasks": tasks,
        "funding_total": sum((c.amount for c in commitments.values()), start=0),
        "vote_form": vote_form or VoteForm(initial={"expected_version": req.version}),
        "close_form": close_form or CloseForm(),
        "withdraw_form": withdraw_form or WithdrawForm(initial={"expected_version": req.version}),
        "may_withdraw": req.status in LIVE_REQUEST and (mine or manager),
        "may_edit": req.status == RequestStatus.RETURNED and (mine or scope.is_global(user)),
        "has_letter": bool(req.letter_number) or req.status == RequestStatus.REJECTED,
        "error": error,
    }


class RequestDetailView(ScopedDetailView):
    model = AdmissionRequest
    template_name = "duties/request_detail.html"
    select_related = ("org", "item__duty_list", "applicant")

    def extra_context(self, obj):
        return request_context(self.request, obj)


def _visible_request(request, pk) -> AdmissionRequest:
    req = (
        AdmissionRequest.objects.visible_to(request.user)
        .select_related(*RequestDetailView.select_related)
        .filter(pk=pk)
        .first()
    )
    if req is None:
        raise Http404(_("未找到该申请，或它不在您的管辖范围内。"))
    return req


def _back(request, req, *, status=200, **forms_and_error):
    req.refresh_from_db()
    ctx = request_context(request, req, **forms_and_error)
    return render(request, "duties/request_detail.html", ctx, status=status)


def _done(request, req):
    return hx_redirect(request, req.get_absolute_url())


@login_required
@require_POST
def request_vote(request, pk):
    """A member of the review group records 同意 / 不同意 / 修改后同意 with a comment."""
    req = _visible_request(request, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _back(request, req, vote_form=form, error=_("请按提示填写审核意见。"), status=400)
    d = form.cleaned_data
    try:
        v = services.vote(
            request.user,
            req.pk,
            d["choice"],
            d.get("comment") or "",
            expected_version=d.get("expected_version"),
        )
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        _place_errors(form, exc)
        return _back(request, req, vote_form=form, error=exc.message, status=exc.status)
    req.refresh_from_db()
    msg = _("已记录您的审核意见：%(c)s。") % {"c": v.get_choice_display()}
    if v.late:
        msg += _("（已超过审核期限，记为逾期）")
    if req.status != RequestStatus.REVIEW:
        msg += _("审核已作出决定：%(s)s。") % {"s": req.get_status_display()}
    messages.success(request, msg)
    return _done(request, req)


@login_required
@require_POST
def request_close(request, pk):
    """After the deadline the chair or a manager closes the review on the votes cast."""
    req = _visible_request(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _back(request, req, close_form=form, error=_("请按提示填写。"), status=400)
    try:
        req = services.close_review(request.user, req.pk, form.cleaned_data.get("note") or "")
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return _back(request, req, close_form=form, error=exc.message, status=exc.status)
    messages.success(request, _("审核已结束：%(s)s。") % {"s": req.get_status_display()})
    return _done(request, req)


@login_required
@require_POST
def request_withdraw(request, pk):
    """The filing department (or a manager) withdraws the request and any tasks it admitted."""
    req = _visible_request(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _back(request, req, withdraw_form=form, error=_("请写明撤回原因。"), status=400)
    d = form.cleaned_data
    try:
        req = services.withdraw_request(
            request.user, req.pk, d["reason"], expected_version=d.get("expected_version")
        )
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        _place_errors(form, exc)
        return _back(request, req, withdraw_form=form, error=exc.message, status=exc.status)
    messages.success(request, _("申请已撤回。"))
    return _done(request, req)


@login_required
def request_letter(request, pk):
    """准入审核决定书: the printable decision of a decided request."""
    req = _visible_request(request, pk)
    if req.status in (RequestStatus.REVIEW, RequestStatus.RETURNED) or not (
        req.letter_number or req.decided_at
    ):
        return error_page(
            request, 409, _("该申请尚未作出准入决定，暂无决定书。"), back=req.get_absolute_url()
        )
    state = services.review_state(req, None)
    votes = state["votes"]
    rule_reasons = [f for f in (req.findings or []) if f.get("level") == "reject"]
    # A withdrawn or expired request was approved once if it admitted tasks.
    approved = req.status == RequestStatus.APPROVED or (
        req.status in (RequestStatus.WITHDRAWN, RequestStatus.EXPIRED)
        and Task.objects.filter(request=req).exists()
    )
    if approved:
        decision = _("准予准入（附修改意见）") if req.conditions else _("准予准入")
    else:
        decision = _("不予准入")
    policy = DutyPolicy.objects.filter(org_id=req.org_id).first()
    group = str(policy.group_name) if policy else _("社区工作准入审核领导小组")
    org_name = req.org.display_name
    ctx = {
        "issuer": group if group.startswith(org_name) else org_name + group,
        "req": req,
        "object": req,
        "title": _("准入审核决定书"),
        "decision": decision,
        "approved": approved,
        "tally_line": services.tally_line(state["tally"]),
        "voted": len(votes),
        "votes": votes,
        "rule_reasons": rule_reasons,
        "communities": list(req.communities.order_by("code")),
        "decided_on": timezone.localtime(req.decided_at) if req.decided_at else None,
    }
    return render(request, "duties/request_letter.html", ctx)


# --- settings -----------------------------------------------------------------------------------
def policy_orgs(user):
    """Districts and streets where the user may set the review group."""
    # A street manager sets their street; a district manager the district and its streets.
    qs = OrgUnit.objects.filter(level__in=(Level.DISTRICT, Level.STREET))
    return qs.where_held(user, "duties.manage_policy").order_by("code")


@login_required
def policy_index(request):
    """The review groups and settings of every district and street the manager may set."""
    if not scope.holds(request.user, "duties.manage_policy"):
        return error_page(request, 403)
    orgs = list(policy_orgs(request.user)[:300])
    policies = {
        p.org_id: p
        for p in DutyPolicy.objects.visible_to(request.user)
        .filter(org__in=orgs)
        .prefetch_related("members__user")
    }
    rows = []
    for o in orgs:
        p = policies.get(o.pk)
        rows.append({"org": o, "policy": p, "members": list(p.members.all()) if p else []})
    return render(request, "duties/policy_index.html", {"rows": rows, "title": _("准入审核设置")})


class PolicyEditView(ServiceFormView):
    form_class = PolicyForm
    template_name = "duties/policy_form.html"
    title = _l("准入审核与减负设置")

    def setup_objects(self):
        self.org = policy_orgs(self.request.user).filter(code=self.kwargs["code"]).first()
        if self.org is None:
            raise NotFound()
        self.policy = DutyPolicy.objects.filter(org=self.org).first()
        self.users = member_candidates(self.org)

    def _check_perm(self):
        if not scope.covers(self.request.user, self.org.code, "duties.manage_policy"):
            return error_page(self.request, 403)
        return None

    def initial(self):
        return PolicyForm.initial_for(self.policy)

    def _members(self, data=None):
        initial = None
        if data is None and self.policy is not None:
            initial = [
                {"user": str(m.user_id), "title": m.title, "is_chair": m.is_chair}
                for m in self.policy.members.all()
            ]
        return MemberFormSet(data, prefix="m", initial=initial, form_kwargs={"users": self.users})

    def render_form(self, form, status=200, members=None):
        ctx = {
            "form": form,
            "members": members or self._members(),
            "title": self.title,
            "org": self.org,
            "policy": self.policy,
            "view": self,
        }
        return render(self.request, self.template_name, ctx, status=status)

    def post(self, request, *args, **kwargs):
        self._setup()
        denied = self._check_perm()
        if denied:
            return denied
        form = PolicyForm(request.POST)
        members = self._members(request.POST)
        if not (form.is_valid() and members.is_valid()):
            return self.render_form(form, 400, members)
        try:
            policy = services.save_policy(request.user, self.org, **form.service_kwargs())
            rows = members.members()
            if rows:
                services.set_members(request.user, policy, rows)
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            _place_errors(form, exc)
            if "members" in (exc.details or {}):
                form.add_error(None, exc.message) if exc.message not in str(form.errors) else None
            return self.render_form(form, exc.status if exc.status != 404 else 400, members)
        messages.success(request, _("已保存%(o)s的准入审核设置。") % {"o": self.org.display_name})
        return redirect("duties:policy")


urlpatterns = [
    path("requests/", RequestListView.as_view(), name="request-list"),
    path("requests/new/", RequestCreateView.as_view(), name="request-create"),
    path("requests/<int:pk>/", RequestDetailView.as_view(), name="request-detail"),
    path("requests/<int:pk>/edit/", RequestEditView.as_view(), name="request-edit"),
    path("requests/<int:pk>/vote/", request_vote, name="request-vote"),
    path("requests/<int:pk>/close/", request_close, name="request-close"),
    path("requests/<int:pk>/withdraw/", request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/letter/", request_letter, name="request-letter"),
    path("settings/", policy_index, name="policy"),
    path("settings/<str:code>/", PolicyEditView.as_view(), name="policy-edit"),
]
