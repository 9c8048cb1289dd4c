"""Bookings of a facility by a resident, a team or a unit: on whole half hours within its opening
hours, approved by the community's staff when the room's rules ask for it, and checked in by the
QR code at the door. Each booking that holds its time (pending or approved) owns one BookingSlot
row per half hour, unique per facility: two bookings of the same half hour cannot both be written,
whatever the timing of the two requests, on SQLite and PostgreSQL alike."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.facilities.models.facilities import VIEW_BOOKING, Facility

SLOT_MINUTES = 30


class BookerKind(models.TextChoices):
    RESIDENT = "resident", _("居民个人")
    TEAM = "team", _("团队")
    UNIT = "unit", _("单位")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已确认")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已取消")


HOLDING = (BookingStatus.PENDING, BookingStatus.APPROVED)  # statuses that hold their time


class Booking(ScopedModel):
    view_perm = VIEW_BOOKING  # the staff's pages; a booker reads their own (owned_by_q)
    owner_reads = True

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("场地")
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("预约人"),
    )
    booker_kind = models.CharField(_("预约身份"), max_length=10, choices=BookerKind.choices)
    team_name = models.CharField(_("团队名称"), max_length=60, blank=True)
    unit = models.ForeignKey(
        "org.ResidentOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("预约单位"),
    )
    purpose = models.CharField(_("用途"), max_length=100)
    attendees = models.PositiveIntegerField(_("人数"), default=1)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=5, decimal_places=2)
    fee = models.DecimalField(_("费用（元）"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=10, choices=BookingStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["-start", "-id"]
        indexes = [
            # Utilisation reads a scope's bookings of a period from this index alone.
            models.Index(
                fields=["scope_code", "start", "status", "facility", "hours", "checked_in_at"],
                name="booking_scope_start",
            ),
            models.Index(fields=["facility", "start"], name="booking_facility_start"),
            models.Index(fields=["booker", "start"], name="booking_booker_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_end_after_start")
        ]

    def __str__(self):
        return f"{self.facility} {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("facilities:booking-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.facility.scope_code

    @classmethod
    def owned_by_q(cls, user):
        return Q(booker=user)

    @property
    def booker_label(self) -> str:
        if self.booker_kind == BookerKind.TEAM:
            return self.team_name
        if self.booker_kind == BookerKind.UNIT and self.unit_id:
            return self.unit.name
        return str(self.booker) if self.booker_id else ""


class BookingSlot(models.Model):
    """A half hour of a facility held by a booking (the database's guard against double booking)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="+", verbose_name=_("场地"))
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="slots", verbose_name=_("预约")
    )
    start = models.DateTimeField(_("半小时时段"))

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [models.UniqueConstraint(fields=["facility", "start"], name="booking_slot_once")]

    def __str__(self):
        return f"{self.facility_id}@{self.start:%Y-%m-%d %H:%M}"
