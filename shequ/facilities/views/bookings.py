"""Bookings on a phone: the rooms a user may book, a room's day and the booking form, one's own
bookings, the staff's list with approval, the door's check-in, and utilisation."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import changelog, scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import workbook_bytes, xlsx_response
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.models import Action
from shequ.facilities import services
from shequ.facilities.filters import BookingFilter
from shequ.facilities.forms import BookForm, CancelForm, DecideForm
from shequ.facilities.models import APPROVE, HOLDING, BookerKind, Booking, BookingStatus, Facility
from shequ.facilities.views.common import focus_code, scope_label
from shequ.org.models import ResidentOrganization


@login_required
def rooms(request):
    """预约场地: the rooms open for booking in the user's community (and scope), free ones first."""
    qs = services.bookable_rooms(request.user).order_by("scope_code", "price_per_hour", "kind__order", "name")
    return render(request, "facilities/rooms.html", {"rooms": qs[:300]})


def _day(value, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def room_book(request, pk):
    """A room's page for booking: its hours and rules, the times already held on a day, the form."""
    user = request.user
    try:
        room = services.bookable_rooms(user).get(pk=pk)
    except Facility.DoesNotExist:
        raise Http404() from None
    today = timezone.localdate()
    day = _day(request.POST.get("day") or request.GET.get("day"), today)
    kinds = [k for k, ok in ((BookerKind.RESIDENT, room.book_residents), (BookerKind.TEAM, room.book_teams),
                             (BookerKind.UNIT, room.book_units)) if ok]  # fmt: skip
    staff = services.may_manage_bookings(user, room)
    units = []
    if staff and room.book_units:
        units = [(str(p), n) for p, n in ResidentOrganization.objects.filter(community=room.community_id)
                 .order_by("name").values_list("pk", "name")[:500]]  # fmt: skip
    else:
        kinds = [k for k in kinds if k != BookerKind.UNIT]
    status = 200
    form = BookForm(request.POST or None, kinds=kinds, units=units,
                    initial={"day": day, "start": "09:00", "end": "10:00", "attendees": 1})  # fmt: skip
    if request.method == "POST":
        if form.is_valid():
            start, end = form.times()
            d = form.cleaned_data
            try:
                b = services.book(user, room.pk, start=start, end=end, booker_kind=d["booker_kind"],
                                  purpose=d["purpose"], attendees=d["attendees"], team_name=d["team_name"],
                                  unit=d.get("unit") or None)  # fmt: skip
            except NotFound:
                raise Http404() from None
            except DomainError as exc:
                for field, msgs in (exc.details or {}).items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
                if exc.message not in str(form.errors):
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect(b.get_absolute_url())
        else:
            status = 400
    held = services.day_bookings(room, day)
    ctx = {
        "room": room,
        "form": form,
        "day": day,
        "days": [today + dt.timedelta(days=i) for i in range(min(room.book_ahead_days, 13) + 1)],
        "held": [(services.bookings.local(b.start), services.bookings.local(b.end), b.status) for b in held],
        "staff": staff,
    }
    return render(request, "facilities/room_book.html", ctx, status=status)


@login_required
def my_bookings(request):
    """我的预约: the user's own bookings, coming ones first."""
    rows = Booking.objects.filter(booker=request.user).select_related(
        "facility", "facility__community", "unit"
    )
    now = timezone.now()
    coming = list(rows.filter(end__gte=now).order_by("start")[:100])
    past = list(rows.filter(end__lt=now).order_by("-start")[:50])
    return render(request, "facilities/my_bookings.html", {"coming": coming, "past": past})


class BookingList(ScopedListView):
    model = Booking
    filterset_class = BookingFilter
    title = _l("场地预约")
    default_sort = "-start"
    select_related = ("facility", "booker", "unit", "facility__community")
    columns = [
        Column(_l("场地"), "facility.name", sort="facility__name"),
        Column(_l("社区"), "facility.community.display_name", sort="scope_code"),
        Column(_l("开始时间"), "start", sort="start", link=True),
        Column(_l("结束时间"), "end"),
        Column(_l("预约身份"), "booker_kind"),
        Column(_l("预约人或团队、单位"), "booker_label"),
        Column(_l("用途"), "purpose"),
        Column(_l("人数"), "attendees"),
        Column(_l("费用（元）"), "fee"),
        Column(_l("状态"), "status", sort="status"),
        Column(_l("签到"), "checked_in"),
    ]

    def col_checked_in(self, obj):
        return timezone.localtime(obj.checked_in_at).strftime("%H:%M") if obj.checked_in_at else ""


class BookingDetail(ScopedDetailView):
    model = Booking
    template_name = "facilities/booking_detail.html"
    select_related = ("facility", "facility__community", "booker", "unit", "decided_by")

    def extra_context(self, obj) -> dict:
        user = self.request.user
        staff = scope.covers(user, obj.scope_code, APPROVE)
        now = timezone.now()
        mine = obj.booker_id == user.pk
        return {
            "b": obj,
            "staff": staff,
            "mine": mine,
            "can_decide": staff and obj.status == BookingStatus.PENDING,
            "can_cancel": obj.status in HOLDING and ((mine and obj.start > now) or (staff and obj.end > now)),
            "start": timezone.localtime(obj.start),
            "end": timezone.localtime(obj.end),
        }


class _BookingAct(ServiceFormView):
    submit_label = _l("确定")

    def setup_objects(self):
        qs = Booking.objects.visible_to(self.request.user).select_related("facility")
        self.booking = qs.filter(pk=self.kwargs["pk"]).first()
        if self.booking is None:
            raise NotFound()

    def perm_code(self):
        return self.booking.scope_code

    def context(self):
        b = self.booking
        return {"parent_url": b.get_absolute_url(), "parent_title": _("预约详情"),
                "intro": _("%(f)s %(s)s–%(e)s，%(w)s：%(p)s") % {
                    "f": b.facility.name, "s": timezone.localtime(b.start).strftime("%Y-%m-%d %H:%M"),
                    "e": timezone.localtime(b.end).strftime("%H:%M"), "w": b.booker_label, "p": b.purpose}}  # fmt: skip

    def success_url(self, obj):
        return obj.get_absolute_url()


class BookingDecide(_BookingAct):
    form_class = DecideForm
    title = _l("审批预约")
    perm = APPROVE

    def perform(self, form):
        d = form.cleaned_data
        return services.decide(
            self.request.user, self.booking.pk, approve=d["decision"] == "approve", note=d["note"]
        )


class BookingCancel(_BookingAct):
    form_class = CancelForm
    title = _l("取消预约")
    submit_label = _l("取消预约")
    perm = None  # the booker or the community's staff: the service decides

    def perform(self, form):
        return services.cancel(self.request.user, self.booking.pk, note=form.cleaned_data["note"])


@login_required
def check_in(request, token):
    """The page the door's QR code opens on the booker's phone: the room and the booking that is on
    now; the button checks in."""
    user = request.user
    try:
        room = services.read_door_token(token)
    except DomainError as exc:
        return error_page(request, 400, exc.message)
    if not services.bookable_rooms(user).filter(pk=room.pk).exists():
        raise Http404()
    now = timezone.now()
    current = (
        Booking.objects.filter(facility=room, booker=user, end__gt=now, start__lte=now + services.bookings.CHECK_IN_EARLY)
        .exclude(status__in=(BookingStatus.CANCELLED, BookingStatus.REJECTED)).order_by("start").first()
    )  # fmt: skip
    error = None
    status = 200
    if request.method == "POST":
        try:
            current = services.check_in(user, token)
        except DomainError as exc:
            error, status = exc.message, exc.status
    ctx = {"room": room, "b": current, "error": error,
           "start": timezone.localtime(current.start) if current else None,
           "end": timezone.localtime(current.end) if current else None}  # fmt: skip
    return render(request, "facilities/check_in.html", ctx, status=status)


class _Period(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


@login_required
def utilisation(request):
    """使用率: per bookable room of a scope and period, booked and attended hours over open hours."""
    user = request.user
    if not scope.may_read(user, Facility) or request.method != "GET":
        return error_page(request, 403)  # nothing personal here: no "full" export to ask for
    today = timezone.localdate()
    period = _Period(request.GET)
    period.is_valid()
    start = period.cleaned_data.get("start") or today.replace(day=1)
    end = period.cleaned_data.get("end") or today
    code = (request.GET.get("scope") or focus_code(request) or "").strip()
    try:
        report = services.utilisation(user, code or None, start, end)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc.status, exc.message)
    rows = sorted(report["rows"], key=lambda r: (r["booked_rate"] is None, r["booked_rate"] or 0))
    if request.GET.get("export") == "xlsx":
        headers = [_("场地"), _("社区"), _("提供单位"), _("开放时长（小时）"), _("预约时长（小时）"), _("签到使用时长（小时）"),
                   _("预约次数"), _("预约率（%）"), _("实际使用率（%）")]  # fmt: skip
        data = [[r["name"], r["community"], r["provider"] or _("社区"), float(r["open_hours"]), float(r["booked_hours"]),
                 float(r["attended_hours"]), r["bookings"], float(r["booked_rate"]) if r["booked_rate"] is not None else "",
                 float(r["attended_rate"]) if r["attended_rate"] is not None else ""] for r in rows]  # fmt: skip
        note = _("%(s)s，%(a)s 至 %(b)s；开放时长按每周开放时间计算。导出人：%(u)s") % {
            "s": scope_label(code), "a": start, "b": end, "u": user}  # fmt: skip
        changelog.record(user, Action.EXPORT, None, scope_code=code, note=_("场地使用率"))
        return xlsx_response(_("场地使用率"), workbook_bytes(_("场地使用率"), headers, data, note))
    ctx = {"report": report, "rows": rows, "scope_label": scope_label(code), "start": start, "end": end,
           "export_query": f"scope={code}&start={start}&end={end}&export=xlsx"}  # fmt: skip
    return render(request, "facilities/utilisation.html", ctx)


__all__ = ["reverse"]
