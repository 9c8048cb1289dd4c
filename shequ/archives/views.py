"""Pages of the archives: the catalogue (search by 档号, title, date, class, full text), an item with
its files and checks, hand registration of paper items, the platform's proposals to confirm, the
yearly filing round, use and lending, disposal rounds and the register, the figures."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from shequ.archives import reports, services
from shequ.archives.forms import (
    AttachForm,
    FondsForm,
    ItemForm,
    OpennessForm,
    OpinionForm,
    RequestForm,
    last_year,
)
from shequ.archives.models import (
    MANAGE,
    VIEW,
    ArchiveClass,
    DisposalRound,
    FileCheck,
    FilingRound,
    Fonds,
    Item,
    ItemFile,
    MemberKind,
    Proposal,
    ProposalStatus,
    RegisterEntry,
    RequestStatus,
    Retention,
    UseAction,
    UseRequest,
)
from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.generic import ServiceFormView, error_page, hx_redirect
from shequ.core.periodic import run_on_read
from shequ.core.services import get_visible


def get_only(view):
    """A list with an export: a POST (the full, unmasked export of other lists) is refused, as the
    catalogue holds no personal data to reveal."""
    import functools

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return error_page(request, 403)
        return view(request, *args, **kwargs)

    return wrapper


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _manager(request):
    return scope.holds(request.user, MANAGE)


def _managed_fonds(request):
    return Fonds.objects.visible_to(request.user).where_held(request.user, MANAGE).select_related("org")


def _pick_fonds(request):
    fonds = list(_managed_fonds(request).order_by("scope_code")[:500])
    wanted = request.GET.get("fonds") or request.POST.get("fonds")
    chosen = next((f for f in fonds if f.number == wanted), fonds[0] if fonds else None)
    return fonds, chosen


def search(user, params):
    """The catalogue query shared by the page, its export and the API."""
    qs = Item.objects.visible_to(user).select_related("fonds")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(responsible__icontains=q)
                       | Q(files__text__icontains=q)).distinct()  # fmt: skip
    for key, field in (("archive_class", "archive_class"), ("retention", "retention"), ("fonds", "fonds__number"),
                       ("openness", "openness"), ("status", "status")):  # fmt: skip
        v = (params.get(key) or "").strip()
        if v:
            qs = qs.filter(**{field: v})
    year = _int(params.get("year"))
    if year:
        qs = qs.filter(year=year)
    for key, op in (("date_from", "gte"), ("date_to", "lte")):
        try:
            d = dt.date.fromisoformat((params.get(key) or "").strip())
        except ValueError:
            continue
        qs = qs.filter(**{f"date__{op}": d})
    return qs.order_by("-year", "archive_class", "retention", "topic", "number")


@login_required
@get_only
def item_list(request):
    """档案检索: the catalogue of the user's scope, searchable; ?export=xlsx gives the 归档文件目录."""
    if not scope.may_read(request.user, Item):
        return error_page(request, 403)
    qs = search(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        rows = [[i.reference, i.title, i.responsible, i.date.isoformat(), i.pages, i.get_retention_display(),
                 i.get_openness_display(), i.location, i.get_status_display()] for i in qs[:50000]]  # fmt: skip
        content = workbook_bytes(_("归档文件目录"), [_("档号"), _("题名"), _("责任者"), _("日期"), _("页数"),
                                 _("保管期限"), _("开放状态"), _("存放位置"), _("状态")], rows)  # fmt: skip
        return xlsx_response(_("归档文件目录"), content)
    from django.core.paginator import Paginator

    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "classes": ArchiveClass.objects.all(), "retentions": Retention.choices,
           "fonds": Fonds.objects.visible_to(request.user).order_by("scope_code")[:500], "q": request.GET,
           "query": query.urlencode(), "can_manage": _manager(request)}  # fmt: skip
    return render(request, "archives/item_list.html", ctx)


@login_required
@require_GET
def item_detail(request, pk):
    if not scope.may_read(request.user, Item):
        return error_page(request, 403)
    try:
        item = get_visible(Item, request.user, pk)
    except NotFound:
        raise Http404() from None
    services.opened(request.user, item)
    can_manage = scope.covers(request.user, item.scope_code, MANAGE)
    ctx = {"item": item, "files": list(item.files.defer("data", "text").order_by("pk")), "can_manage": can_manage,
           "uses": list(item.uses.select_related("user", "request")[:50]) if can_manage else [],
           "checks": list(FileCheck.objects.filter(file__item=item).select_related("file")[:20]) if can_manage else [],
           "register": getattr(item, "register_entry", None) if item.status == "destroyed" else None,
           "proposal": Proposal.objects.filter(item=item).first()}  # fmt: skip
    return render(request, "archives/item_detail.html", ctx)


@login_required
@require_GET
def file_download(request, pk):
    """A stored file; opening a restricted or closed item's file is logged."""
    f = ItemFile.objects.filter(pk=pk).select_related("item").first()
    if f is None or not Item.objects.visible_to(request.user).filter(pk=f.item_id).exists():
        raise Http404()
    if f.data is None:
        return error_page(request, 410, _("该文件已随档案销毁。"), back=f.item.get_absolute_url())
    services.opened(request.user, f.item, UseAction.DOWNLOAD)
    resp = HttpResponse(bytes(f.data), content_type=f.mime or "application/octet-stream")
    from django.utils.encoding import escape_uri_path

    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(f.name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


class ItemCreate(ServiceFormView):
    form_class = ItemForm
    title = _l("登记纸质档案")
    submit_label = _l("归档")
    perm = MANAGE

    def _check_perm(self):
        if not scope.holds(self.request.user, MANAGE):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        return {"year": last_year(), "carrier": "paper", "openness": "open", "pages": 1}

    def context(self):
        return {"parent_url": reverse("archives:item-list"), "parent_title": _("档案检索"),
                "intro": _("件号按年度、保管期限、门类连续编制，归档时自动取号；保管期限须与保管期限表一致。")}  # fmt: skip

    def perform(self, form):
        d = dict(form.cleaned_data)
        scan = d.pop("scan")
        files = [(scan.name, scan.read())] if scan else []
        return services.register_item(self.request.user, files=files, **d)


class ItemAttach(ServiceFormView):
    form_class = AttachForm
    title = _l("添加电子文件")
    submit_label = _l("上传")
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(Item, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def context(self):
        return {"parent_url": self.object.get_absolute_url(), "parent_title": self.object.reference}

    def perform(self, form):
        up = form.cleaned_data["file"]
        services.attach_file(self.request.user, self.object.pk, up.name, up.read())
        return self.object


class ItemOpenness(ServiceFormView):
    form_class = OpennessForm
    title = _l("开放状态")
    perm = MANAGE

    def setup_objects(self):
        self.object = get_visible(Item, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object.scope_code

    def reveal_object(self):
        return None

    def initial(self):
        return {"openness": self.object.openness, "openness_reason": self.object.openness_reason}

    def context(self):
        return {"parent_url": self.object.get_absolute_url(), "parent_title": self.object.reference}

    def perform(self, form):
        return services.update_item(self.request.user, self.object.pk, form.cleaned_data)


@login_required
@require_GET
def fonds_list(request):
    if not scope.may_read(request.user, Fonds):
        return error_page(request, 403)
    from django.db.models import Count

    rows = (
        Fonds.objects.visible_to(request.user)
        .select_related("org")
        .annotate(n=Count("items"))
        .order_by("scope_code")
    )
    return render(request, "archives/fonds_list.html", {"rows": rows[:500], "can_manage": _manager(request)})


class FondsCreate(ServiceFormView):
    form_class = FondsForm
    title = _l("建立全宗")
    perm = MANAGE

    def _check_perm(self):
        if not scope.holds(self.request.user, MANAGE):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def context(self):
        return {"parent_url": reverse("archives:fonds-list"), "parent_title": _("全宗")}

    def perform(self, form):
        return services.create_fonds(self.request.user, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("archives:fonds-list")


def _refuse_unless_manager(request):
    if not request.user.is_authenticated or not _manager(request):
        return error_page(request, 403)
    return None


@login_required
@require_GET
def proposals(request):
    """待确认归档: the platform's records of a year proposed for filing, to confirm or set aside."""
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    fonds, chosen = _pick_fonds(request)
    year = _int(request.GET.get("year"), last_year())
    rows = []
    if chosen:
        rows = (
            Proposal.objects.visible_to(request.user)
            .filter(fonds=chosen, year=year)
            .select_related("entry", "item")
        )
        from django.db.models import Case, IntegerField, Value, When

        first = Case(
            When(status=ProposalStatus.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        rows = rows.order_by(first, "date", "pk")
    total = rows.count() if chosen else 0
    rows = list(rows[:300]) if chosen else []
    ctx = {"total": total, "more": total > 300, "fonds": fonds, "chosen": chosen, "year": year, "years": range(timezone.localdate().year, 2009, -1),
           "rows": rows, "pending": [p for p in rows if p.status == ProposalStatus.PROPOSED]}  # fmt: skip
    return render(request, "archives/proposals.html", ctx)


def _back(request, url):
    return url if url.startswith("/") and not url.startswith("//") else reverse("archives:item-list")


@login_required
@require_POST
def proposals_generate(request):
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    _fonds, chosen = _pick_fonds(request)
    year = _int(request.POST.get("year"), last_year())
    url = reverse("archives:proposals") + f"?fonds={chosen.number if chosen else ''}&year={year}"
    if chosen is None:
        return error_page(request, 404, _("请先建立全宗。"), back=reverse("archives:fonds-list"))
    try:
        services.propose(request.user, chosen, year)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=url)
    return hx_redirect(request, url)


@login_required
@require_POST
def proposals_confirm(request):
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    ids = [i for i in (_int(x) for x in request.POST.getlist("proposal")) if i]
    try:
        items = services.confirm(request.user, ids)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=reverse("archives:proposals"))
    f = items[0].fonds
    return hx_redirect(request, reverse("archives:proposals") + f"?fonds={f.number}&year={items[0].year}")


@login_required
@require_POST
def proposal_reject(request, pk):
    return _act_and_return(request, Proposal, pk, "archives:proposals",
                           lambda: services.reject(request.user, pk, request.POST.get("reason", "")))  # fmt: skip


def _act_and_return(request, model, pk, url_name, act):
    """A POST on one row of a fonds and year (a proposal, a filing round): do the act, come back to
    that fonds and year's page (the reason on an error page)."""
    try:
        row = get_visible(model, request.user, pk)
    except NotFound:
        raise Http404() from None
    url = reverse(url_name) + f"?fonds={row.fonds.number}&year={row.year}"
    try:
        act()
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=url)
    return hx_redirect(request, url)


@login_required
@require_GET
def filing(request):
    """年度归档: what the schedule expects of the year, what is filed and missing, the 30 June deadline."""
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    fonds, chosen = _pick_fonds(request)
    year = _int(request.GET.get("year"), last_year())
    r = (
        FilingRound.objects.visible_to(request.user).filter(fonds=chosen, year=year).first()
        if chosen
        else None
    )
    ctx = {"fonds": fonds, "chosen": chosen, "year": year, "years": range(timezone.localdate().year, 2009, -1),
           "round": r, "state": services.round_state(r) if r else None,
           "deadline": FilingRound.deadline_of(year)}  # fmt: skip
    return render(request, "archives/filing.html", ctx)


@login_required
@require_POST
def filing_open(request):
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    _fonds, chosen = _pick_fonds(request)
    if chosen is None:
        return error_page(request, 404, _("请先建立全宗。"), back=reverse("archives:fonds-list"))
    year = request.POST.get("year")
    try:
        r = services.open_round(request.user, chosen, year)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=reverse("archives:filing"))
    return hx_redirect(request, reverse("archives:filing") + f"?fonds={chosen.number}&year={r.year}")


@login_required
@require_POST
def filing_close(request, pk):
    return _act_and_return(request, FilingRound, pk, "archives:filing",
                           lambda: services.close_round(request.user, pk, request.POST.get("note", "")))  # fmt: skip


@login_required
@require_GET
def request_list(request):
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    run_on_read("archives-loans", services.remind_loans)
    rows = UseRequest.objects.visible_to(request.user).select_related("fonds").prefetch_related("items")
    status = request.GET.get("status")
    if status == "overdue":
        rows = rows.filter(status=RequestStatus.LENT, due_on__lt=timezone.localdate())
    elif status:
        rows = rows.filter(status=status)
    lent = UseRequest.objects.visible_to(request.user).filter(status=RequestStatus.LENT)
    overdue = lent.filter(due_on__lt=timezone.localdate()).count()
    return render(request, "archives/request_list.html", {"rows": rows[:300], "status": status, "overdue": overdue,
                  "statuses": UseRequest._meta.get_field("status").choices})  # fmt: skip


class RequestCreate(ServiceFormView):
    form_class = RequestForm
    title = _l("查借阅登记")
    submit_label = _l("登记")
    perm = MANAGE

    def _check_perm(self):
        if not scope.holds(self.request.user, MANAGE):
            return error_page(self.request, 403)
        return None

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        ref = self.request.GET.get("item")
        item = Item.objects.visible_to(self.request.user).filter(pk=_int(ref)).first() if ref else None
        return {"mode": "read", **({"items": item.reference, "fonds": item.fonds.number} if item else {})}

    def context(self):
        return {"parent_url": reverse("archives:request-list"), "parent_title": _("查借阅")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        refs = [
            r.strip() for r in d.pop("items").replace("，", ",").replace("\n", ",").split(",") if r.strip()
        ]
        found = dict(
            Item.objects.visible_to(self.request.user)
            .filter(reference__in=refs)
            .values_list("reference", "pk")
        )
        missing = [r for r in refs if r not in found]
        if missing:
            from shequ.core.errors import ValidationFailed

            msg = _("未找到档号：%(r)s，请核对。") % {"r": "、".join(missing[:5])}
            raise ValidationFailed(msg, details={"items": [msg]})
        return services.create_request(self.request.user, items=list(found.values()), **d)


@login_required
@require_GET
def request_detail(request, pk):
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    try:
        req = get_visible(UseRequest, request.user, pk)
    except NotFound:
        raise Http404() from None
    acts = services.TRANSITIONS[req.status]
    ctx = {"req": req, "items": list(req.items.all()), "acts": [(a, services.ACT_LABELS[a]) for a in acts],
           "uses": list(req.uses.select_related("item", "user")),
           "due_default": (timezone.localdate() + dt.timedelta(days=14)).isoformat()}  # fmt: skip
    return render(request, "archives/request_detail.html", ctx)


@login_required
@require_POST
def request_move(request, pk):
    try:
        req = get_visible(UseRequest, request.user, pk)
    except NotFound:
        raise Http404() from None
    try:
        services.move_request(request.user, pk, request.POST.get("act", ""), note=request.POST.get("note", ""),
                              due_on=request.POST.get("due_on") or None)  # fmt: skip
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=req.get_absolute_url())
    return hx_redirect(request, req.get_absolute_url())


@login_required
@require_GET
def disposal_list(request):
    """鉴定销毁: items whose retention has ended, per fonds, and the rounds held."""
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    fonds, chosen = _pick_fonds(request)
    year = timezone.localdate().year
    due = services.expired(chosen, year) if chosen else []
    rounds = DisposalRound.objects.visible_to(request.user).select_related("fonds")
    ctx = {"fonds": fonds, "chosen": chosen, "due": due, "year": year, "rounds": rounds[:100]}
    return render(request, "archives/disposal_list.html", ctx)


@login_required
@require_POST
def disposal_open(request):
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    _fonds, chosen = _pick_fonds(request)
    if chosen is None:
        return error_page(request, 404, _("请先建立全宗。"), back=reverse("archives:fonds-list"))
    try:
        r = services.open_disposal(request.user, chosen, request.POST.get("year") or None)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=reverse("archives:disposal-list"))
    return hx_redirect(request, r.get_absolute_url())


@login_required
@require_GET
def disposal_detail(request, pk):
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    try:
        r = get_visible(DisposalRound, request.user, pk)
    except NotFound:
        raise Http404() from None
    votes = services.tally(r)
    entries = list(r.entries.select_related("item"))
    for e in entries:
        e.votes = votes[e.item_id]
        e.to_keep = e.votes["keep"] >= e.votes["destroy"] and bool(r.opinions.exists())
    ctx = {"r": r, "entries": entries, "opinions": list(r.opinions.all()), "form": OpinionForm(),
           "kinds": MemberKind.choices, "retentions": Retention.choices,
           "register": list(r.register.all())}  # fmt: skip
    return render(request, "archives/disposal_detail.html", ctx)


@login_required
@require_POST
def disposal_opinion(request, pk):
    try:
        r = get_visible(DisposalRound, request.user, pk)
    except NotFound:
        raise Http404() from None
    try:
        services.record_opinion(request.user, pk, member=request.POST.get("member"), kind=request.POST.get("kind"),
                                keep=[i for i in (_int(x) for x in request.POST.getlist("keep")) if i],
                                note=request.POST.get("note", ""))  # fmt: skip
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=r.get_absolute_url())
    return hx_redirect(request, r.get_absolute_url())


@login_required
@require_POST
def disposal_decide(request, pk):
    try:
        r = get_visible(DisposalRound, request.user, pk)
    except NotFound:
        raise Http404() from None
    keep = {}
    for e in r.entries.all():
        ret = request.POST.get(f"retention-{e.item_id}")
        if ret:
            keep[e.item_id] = {"retention": ret, "reason": request.POST.get(f"reason-{e.item_id}", "")}
    try:
        services.decide_disposal(request.user, pk, method=request.POST.get("method", ""), keep=keep)
    except DomainError as exc:
        return error_page(request, exc.status, exc.message, back=r.get_absolute_url())
    return hx_redirect(request, r.get_absolute_url())


@login_required
@get_only
def register(request):
    """档案销毁清册: every destroyed item, kept permanently."""
    denied = _refuse_unless_manager(request)
    if denied:
        return denied
    rows = RegisterEntry.objects.visible_to(request.user).select_related("round", "round__fonds")
    if request.GET.get("export") == "xlsx":
        data = [[e.reference, e.title, e.year, e.get_retention_display(), e.pages, e.method, e.group,
                 timezone.localtime(e.destroyed_at).date().isoformat()] for e in rows[:50000]]  # fmt: skip
        content = workbook_bytes(_("档案销毁清册"), [_("档号"), _("题名"), _("年度"), _("保管期限"), _("页数"),
                                 _("销毁方式"), _("鉴定小组"), _("销毁日期")], data)  # fmt: skip
        return xlsx_response(_("档案销毁清册"), content)
    return render(request, "archives/register.html", {"rows": rows[:1000]})


def _bars(labels, values, name) -> dict:
    return {"tooltip": {"trigger": "axis"}, "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": labels}, "yAxis": {"type": "value", "name": "件"},
            "series": [{"type": "bar", "name": name, "data": values}]}  # fmt: skip


@login_required
@get_only
def report(request):
    """档案统计: 建档率, items by class, year and retention, backlog, use, integrity; ?export=xlsx."""
    if not scope.may_read(request.user, Item):
        return error_page(request, 403)
    run_on_read("archives", lambda: services.verify_files(older_than_hours=24, limit=500))
    run_on_read("archives-loans", services.remind_loans)
    code = (request.GET.get("scope") or "").strip()
    if not code:
        focus = scope.focus_of(request)
        code = focus.code if focus else ""
    try:
        rep = reports.report(request.user, code or None)
    except NotFound:
        raise Http404() from None
    if request.GET.get("export") == "xlsx":
        return xlsx_response(_("社区档案统计"), reports.workbook(rep))
    classes = dict(ArchiveClass.objects.values_list("code", "name"))
    charts = {
        "cls": _bars([classes.get(r["archive_class"], r["archive_class"]) for r in rep["by_class"]],
                     [r["n"] for r in rep["by_class"]], _("件数")),
        "year": _bars([str(r["year"]) for r in rep["by_year"]], [r["n"] for r in rep["by_year"]], _("件数")),
        "retention": {"tooltip": {"trigger": "item"}, "series": [{"type": "pie", "radius": ["40%", "70%"],
                      "data": [{"name": r["retention"], "value": r["n"]} for r in rep["by_retention"]]}]},
    }  # fmt: skip
    return render(request, "archives/report.html", {"rep": rep, "charts": charts, "classes": classes,
                  "can_view": scope.holds(request.user, VIEW)})  # fmt: skip
