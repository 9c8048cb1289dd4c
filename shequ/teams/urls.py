from django.urls import path

from shequ.teams import views

app_name = "teams"

urlpatterns = [
    path("", views.report, name="report"),
    path("weights/", views.WeightsEdit.as_view(), name="weights"),
    path("teams/", views.TeamList.as_view(), name="team-list"),
    path("teams/new/", views.TeamCreate.as_view(), name="team-create"),
    path("teams/<int:pk>/", views.TeamDetail.as_view(), name="team-detail"),
    path("teams/<int:pk>/members/", views.MemberAdd.as_view(), name="member-add"),
    path("teams/<int:pk>/instructor/", views.InstructorSet.as_view(), name="instructor"),
    path("talent/", views.TalentList.as_view(), name="talent-list"),
    path("talent/new/", views.TalentCreate.as_view(), name="talent-create"),
    path("volunteers/", views.VolunteerList.as_view(), name="volunteer-list"),
    path("volunteers/new/", views.VolunteerCreate.as_view(), name="volunteer-create"),
    path("volunteers/<int:pk>/", views.VolunteerDetail.as_view(), name="volunteer-detail"),
    path("volunteers/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("hours/", views.HoursList.as_view(), name="hours-list"),
    path("activities/", views.ActivityList.as_view(), name="activity-list"),
    path("activities/new/", views.ActivityCreate.as_view(), name="activity-create"),
    path("activities/<int:pk>/", views.ActivityDetail.as_view(), name="activity-detail"),
    path("activities/<int:pk>/cancel/", views.ActivityCancel.as_view(), name="activity-cancel"),
    path("activities/<int:pk>/shifts/", views.ShiftAdd.as_view(), name="shift-add"),
    path("activities/<int:pk>/report/", views.ReportRecord.as_view(), name="activity-report"),
    path("activities/<int:pk>/check-in/", views.check_in_list, name="check-in-list"),
    path("activities/<int:pk>/hours/", views.confirm_hours, name="confirm-hours"),
    path("activities/<int:pk>/door/", views.door, name="door"),
    path("activities/<int:pk>/scanner/", views.scanner, name="scanner"),
    path("activities/<int:pk>/scans/", views.scans, name="scans"),
    path("c/<str:code>/", views.community, name="public-community"),
    path("a/<int:pk>/", views.activity, name="public-activity"),
    path("a/<int:pk>/sign-up/", views.sign_up, name="sign-up"),
    path("a/<int:pk>/withdraw/", views.cancel_signup, name="withdraw"),
    path("a/<int:pk>/shift/", views.take_shift, name="take-shift"),
    path("a/<int:pk>/rate/", views.rate, name="rate"),
    path("check-in/<str:token>/", views.check_in, name="check-in"),
    path("mine/", views.mine, name="mine"),
    path("mine/volunteer/", views.register_self, name="register-self"),
]

from shequ.teams.urls_cobuilding import urlpatterns as _cobuilding  # noqa: E402

urlpatterns += _cobuilding
# --- Party-member service and awards --------------------------------------------------------------
from shequ.teams.views import awards as award_views  # noqa: E402
from shequ.teams.views import party as party_views  # noqa: E402

urlpatterns += [
    path("party/", party_views.overview, name="party-report"),
    path("party/members/", party_views.MemberList.as_view(), name="party-member-list"),
    path("party/members/report-in/", party_views.ReportIn.as_view(), name="party-report-in"),
    path("party/members/enrol/", party_views.enrol, name="party-enrol"),
    path("party/members/<int:pk>/", party_views.MemberDetail.as_view(), name="party-member-detail"),
    path("party/members/<int:pk>/pledges/", party_views.PledgeAdd.as_view(), name="party-pledge-add"),
    path("party/members/<int:pk>/node/", party_views.NodeSet.as_view(), name="party-member-node"),
    path("party/members/<int:pk>/buildings/", party_views.BuildingAdd.as_view(), name="party-building-add"),
    path(
        "party/members/<int:pk>/households/", party_views.HouseholdAdd.as_view(), name="party-household-add"
    ),
    path("party/pledges/", party_views.PledgeList.as_view(), name="party-pledge-list"),
    path("party/pledges/<int:pk>/close/", party_views.PledgeClose.as_view(), name="party-pledge-close"),
    path("party/chain/", party_views.chain, name="party-chain"),
    path("party/chain/new/", party_views.OrgCreate.as_view(), name="party-org-create"),
    path("party/chain/<int:pk>/instructor/", party_views.InstructorSet.as_view(), name="party-instructor"),
    path("party/responsibility/", party_views.responsibility, name="party-responsibility"),
    path("awards/", award_views.RoundList.as_view(), name="award-round-list"),
    path("awards/new/", award_views.RoundCreate.as_view(), name="award-round-create"),
    path("awards/<int:pk>/", award_views.RoundDetail.as_view(), name="award-round-detail"),
    path("awards/<int:pk>/nominate/", award_views.Nominate.as_view(), name="award-nominate"),
    path("awards/<int:pk>/status/", award_views.move, name="award-round-status"),
    path("awards/nominations/<int:pk>/review/", award_views.review, name="award-review"),
    path("awards/c/<str:code>/", award_views.public, name="award-public"),
]
