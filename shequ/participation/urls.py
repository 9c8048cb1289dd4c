from django.urls import path

from shequ.participation import views

app_name = "participation"

urlpatterns = [
    path("", views.IssueList.as_view(), name="issue-list"),
    path("issues/new/", views.IssueCreate.as_view(), name="issue-create"),
    path("issues/<int:pk>/", views.IssueDetail.as_view(), name="issue-detail"),
    path("issues/<int:pk>/accept/", views.IssueAccept.as_view(), name="issue-accept"),
    path("issues/<int:pk>/reject/", views.IssueReject.as_view(), name="issue-reject"),
    path("meetings/", views.MeetingList.as_view(), name="meeting-list"),
    path("meetings/new/", views.MeetingCreate.as_view(), name="meeting-create"),
    path("meetings/<int:pk>/", views.MeetingDetail.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/qr/", views.MeetingQR.as_view(), name="meeting-qr"),
    path("meetings/<int:pk>/agenda/", views.AgendaAdd.as_view(), name="agenda-add"),
    path("meetings/<int:pk>/agenda/<int:issue>/remove/", views.agenda_remove, name="agenda-remove"),
    path("meetings/<int:pk>/attendance/", views.AttendanceAdd.as_view(), name="attendance-add"),
    path("meetings/<int:pk>/minutes/", views.MinutesRecord.as_view(), name="minutes"),
    path("meetings/<int:pk>/vote/", views.VoteRecord.as_view(), name="vote"),
    path("meetings/<int:pk>/review/", views.ReviewRecord.as_view(), name="review"),
    path("resolutions/", views.ResolutionList.as_view(), name="resolution-list"),
    path("resolutions/<int:pk>/", views.ResolutionDetail.as_view(), name="resolution-detail"),
    path("resolutions/<int:pk>/publish/", views.ResolutionPublish.as_view(), name="resolution-publish"),
    path("resolutions/<int:pk>/follow-up/", views.FollowUpAdd.as_view(), name="follow-up"),
    path("resolutions/<int:pk>/complete/", views.ResolutionComplete.as_view(), name="resolution-complete"),
    path("report/", views.report, name="report"),
    path("settings/", views.ThresholdSet.as_view(), name="settings"),
    path("mine/", views.my_hall, name="my-hall"),
    # Public: no account needed (a resident gives name and phone digits, or is signed in).
    path("c/<str:code>/", views.hall, name="hall"),
    path("c/<str:code>/propose/", views.propose, name="propose"),
    path("c/<str:code>/resolutions/", views.public_resolutions, name="public-resolutions"),
    path("public/issues/<int:pk>/", views.public_issue, name="public-issue"),
    path("s/<str:token>/", views.sign_in, name="sign-in"),
]

# --- ratings, hearings, consultations ---------------------------------------------------------------
urlpatterns += [
    path("ratings/", views.RatingList.as_view(), name="rating-list"),
    path("ratings/new/", views.RatingCreate.as_view(), name="rating-create"),
    path("ratings/<int:pk>/", views.RatingDetail.as_view(), name="rating-detail"),
    path("ratings/<int:pk>/close/", views.RatingClose.as_view(), name="rating-close"),
    path("hearings/", views.HearingList.as_view(), name="hearing-list"),
    path("hearings/new/", views.HearingCreate.as_view(), name="hearing-create"),
    path("hearings/<int:pk>/", views.HearingDetail.as_view(), name="hearing-detail"),
    path("hearings/<int:pk>/speakers/", views.SpeakerAdd.as_view(), name="speaker-add"),
    path("hearings/<int:pk>/hold/", views.HearingHold.as_view(), name="hearing-hold"),
    path("hearings/<int:pk>/statements/", views.StatementRecord.as_view(), name="statement"),
    path("consultations/", views.ConsultationList.as_view(), name="consultation-list"),
    path("consultations/new/", views.ConsultationCreate.as_view(), name="consultation-create"),
    path("consultations/<int:pk>/", views.ConsultationDetail.as_view(), name="consultation-detail"),
    path("consultations/<int:pk>/summary/", views.ConsultationSummary.as_view(), name="consultation-summary"),
    path("consultations/<int:pk>/end/", views.ConsultationEnd.as_view(), name="consultation-end"),
    # Public: totals of closed rounds only.
    path("c/<str:code>/ratings/", views.public_ratings, name="public-ratings"),
]
