"""居委会换届选举, every three years: the term (届次), the method (直选, 两推一选, 海选), the voters
registered by the election's rule (adult residents with 户籍, living here, or either), the
candidates and their votes, the turnout, and those elected with their offices."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.models import ScopedModel
from shequ.core.scope import ScopedManager
from shequ.participation.models.issues import VIEW

VOTING_AGE = 18
TERM_YEARS = 3


class ElectionMethod(models.TextChoices):
    DIRECT = "direct", _("直选")
    TWO_ONE = "two_one", _("两推一选")
    OPEN = "open", _("海选")


class VoterRule(models.TextChoices):
    """Who may vote: adult residents registered here (户籍), living here, or either. The residence
    types of the registry each rule takes are in services.elections.RULE_TYPES."""

    REGISTERED = "registered", _("户籍在本社区的成年居民")
    LIVING = "living", _("在本社区居住的成年居民")
    EITHER = "either", _("户籍在本社区或在本社区居住的成年居民")


class ElectionStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    COUNTED = "counted", _("已计票")
    DECLARED = "declared", _("已公布当选")


class Office(models.TextChoices):
    DIRECTOR = "director", _("主任")
    DEPUTY_DIRECTOR = "deputy_director", _("副主任")
    MEMBER = "member", _("委员")


class Election(ScopedModel):
    """One 换届选举 of a community's residents' committee."""

    view_perm = VIEW

    community = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    term = models.PositiveSmallIntegerField(_("届次"))
    method = models.CharField(_("选举方式"), max_length=16, choices=ElectionMethod.choices)
    voter_rule = models.CharField(_("选民资格"), max_length=16, choices=VoterRule.choices)
    held_on = models.DateField(_("选举日期"))
    registered_voters = models.PositiveIntegerField(_("登记选民数"), default=0)
    voters_snapshot = models.BooleanField(_("已登记选民名单"), default=False)
    ballots_cast = models.PositiveIntegerField(_("投票人数"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ElectionStatus.choices, default=ElectionStatus.PLANNED
    )

    class Meta:
        verbose_name = _("换届选举")
        verbose_name_plural = _("换届选举")
        ordering = ["scope_code", "-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "term"],
                name="election_term_once",
                violation_error_message=_("本社区已登记该届次的选举。"),
            )
        ]

    def __str__(self):
        return _("第%(t)s届居民委员会选举") % {"t": self.term}

    def get_absolute_url(self):
        return reverse("participation:election-detail", args=[self.pk])

    def compute_scope_code(self) -> str:
        return self.community.code

    @property
    def turnout(self) -> float | None:
        """投票率 in percent to one place."""
        if self.ballots_cast is None or not self.registered_voters:
            return None
        return round(self.ballots_cast * 100 / self.registered_voters, 1)

    @property
    def term_label(self) -> str:
        return _("第%(t)s届") % {"t": self.term}


class Voter(models.Model):
    """A registered voter of an election: the registry's snapshot on the day voters were listed."""

    scope_field = "election__scope_code"
    view_perm = VIEW

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voters")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("选民")
        verbose_name_plural = _("选民")
        constraints = [models.UniqueConstraint(fields=["election", "resident"], name="voter_once")]

    def __str__(self):
        return f"{self.election} · {self.resident_id}"


class Candidate(models.Model):
    """A candidate (a resident of the community), their votes and, if elected, their office."""

    scope_field = "election__scope_code"
    view_perm = VIEW

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("选举")
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name=_("候选人")
    )
    votes = models.PositiveIntegerField(_("得票"), null=True, blank=True)
    elected = models.BooleanField(_("当选"), default=False)
    office = models.CharField(_("职务"), max_length=20, choices=Office.choices, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["election", "-votes", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "resident"], name="candidate_once")]

    def __str__(self):
        return self.resident.name
