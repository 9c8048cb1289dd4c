"""Service records: the list, one record with its follow-up, the record form (with the resident
picker and a one-time token against double submits)."""

import uuid

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, hx_redirect
from shequ.core.services import get_visible
from shequ.people.tags import visible_tags
from shequ.services import services
from shequ.services.filters import RecordFilter
from shequ.services.forms import FollowUpForm, RecordForm, org_choices
from shequ.services.models import RECORD, Service, ServiceRecord
from shequ.services.views.common import HeldAnywhere


def record_tags(user, records) -> dict[int, list[str]]:
    """The names of the tags (of those the user may see) each record's resident held that day."""
    from shequ.services.models import RecordTag

    tags = {t.key: t.name for t in visible_tags(user)}
    out: dict[int, list[str]] = {}
    rows = RecordTag.objects.filter(record__in=[r.pk for r in records], tag_key__in=list(tags))
    for rid, key in rows.values_list("record_id", "tag_key"):
        out.setdefault(rid, []).append(tags[key])
    return out


class RecordList(ScopedListView):
    model = ServiceRecord
    filterset_class = RecordFilter
    title = _l("服务记录")
    default_sort = "-served_on"
    select_related = ("service__category", "community")
    actions_template = "services/_record_actions.html"
    columns = [
        Column(_l("服务日期"), "served_on", sort="served_on", link=True),
        Column(_l("服务对象"), "person_name", sort="person_name"),
        Column(_l("在册"), "registered"),
        Column(_l("人群标签"), "tags"),
        Column(_l("联系电话"), "person_phone", mask="phone"),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("服务项目"), "service.name", sort="service__name"),
        Column(_l("类别"), "service.category.name"),
        Column(_l("就业服务类型"), "employment_kind"),
        Column(_l("服务人员/提供方"), "served_by"),
        Column(_l("服务结果"), "outcome", sort="outcome"),
        Column(_l("回访截止"), "follow_up_due", sort="follow_up_due"),
        Column(_l("回访日期"), "follow_up_done_on"),
    ]

    def prepare_rows(self, objects):
        self._tags = record_tags(self.request.user, objects)

    def col_registered(self, obj):
        return _("是") if obj.resident_id else _("否")

    def col_tags(self, obj):
        return "、".join(self._tags.get(obj.pk, []))

    def extra_context(self):
        return {"can_record": scope.holds(self.request.user, RECORD)}


class RecordDetail(ScopedDetailView):
    model = ServiceRecord
    template_name = "services/record_detail.html"
    select_related = ("service__category", "community", "resident", "staff", "recorded_by")

    def extra_context(self, obj):
        user = self.request.user
        can = scope.covers(user, obj.scope_code, RECORD)
        return {
            "r": obj,
            "tags": record_tags(user, [obj]).get(obj.pk, []),
            "can_follow_up": can and obj.follow_up_due and not obj.follow_up_done_on,
            "follow_form": FollowUpForm(initial={"done_on": timezone.localdate()}),
            "can_reveal": scope.covers(user, obj.scope_code, "core.reveal_pii"),
            "resident_url": obj.resident.get_absolute_url()
            if obj.resident_id and scope.covers(user, obj.scope_code, "people.view_resident")
            else "",
        }


class RecordCreate(HeldAnywhere, ServiceFormView):
    form_class = RecordForm
    template_name = "services/record_form.html"
    title = _l("登记服务")
    submit_label = _l("登记")
    perm = RECORD

    def get_form_kwargs(self):
        user = self.request.user
        roots = scope.scope_codes(user, scope.roles_with(RECORD))
        qs = Service.objects.visible_to(user).filter(active=True).select_related("org", "category")
        if roots is not None:
            # The catalogues that reach the user's communities: theirs, their street's, the district's.
            codes = {r[:n] for r in roots for n in (6, 9, 12) if n <= len(r)}
            qs = qs.filter(scope.prefix_q("scope_code", roots) | Q(scope_code__in=codes))
        return {"services": list(qs.order_by("scope_code", "category__order", "name")[:1000]),
                "communities": org_choices(user, RECORD)}  # fmt: skip

    def initial(self):
        out = {"form_token": uuid.uuid4().hex, "served_on": timezone.localdate(), "outcome": "done"}
        pk = self.request.GET.get("resident") or ""
        if pk.isdigit():
            out["resident"] = int(pk)
        svc = self.request.GET.get("service") or ""
        if svc.isdigit():
            out["service"] = int(svc)
        return out

    def context(self):
        return {"parent_url": reverse("services:record-list"), "parent_title": _("服务记录")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        record, created = services.record_service(
            self.request.user, service=d["service"], served_on=d["served_on"], resident=d.get("resident"),
            person_name=d.get("person_name", ""), person_phone=d.get("person_phone", ""),
            community=d.get("community") or None, outcome=d["outcome"], note=d.get("note", ""),
            served_by=d.get("served_by", ""), employment_kind=d.get("employment_kind", ""),
            follow_up_due=d.get("follow_up_due"), token=d["form_token"],
        )  # fmt: skip
        if created:
            messages.success(
                self.request,
                _("服务已登记：%(p)s · %(s)s。") % {"p": record.person_name, "s": record.service.name},
            )
        else:
            messages.info(self.request, _("这份表单已经提交过，下面是第一次提交时登记的记录，没有重复登记。"))
        return record


def follow_up(request, pk):
    """POST: record the follow-up visit of a record (from its page)."""
    from django.contrib.auth.decorators import login_required
    from django.http import Http404
    from django.shortcuts import render

    @login_required
    def inner(request):
        from shequ.core.generic import error_page

        if request.method != "POST":
            return error_page(request, 405, _("请在服务记录页面登记回访。"))
        try:
            record = get_visible(ServiceRecord, request.user, pk)
        except NotFound:
            raise Http404() from None
        if not scope.covers(request.user, record.scope_code, RECORD):
            return error_page(request, 403)
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.record_follow_up(request.user, pk, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("回访已登记。"))
                return hx_redirect(request, record.get_absolute_url())
        else:
            status = 400
        view = RecordDetail()
        view.request, view.kwargs = request, {"pk": pk}
        ctx = {"object": record, **view.extra_context(record), "follow_form": form}
        return render(request, "services/record_detail.html", ctx, status=status)

    return inner(request)


__all__ = ["redirect"]
