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
