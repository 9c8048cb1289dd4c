from django.urls import path

from shequ.participation import views
from shequ.participation.views import bodies as gov
from shequ.participation.views import charters, elections

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
    # --- self-government: charters, representatives, groups, 四位一体, elections ---
    path("charters/", charters.CharterList.as_view(), name="charter-list"),
    path("charters/new/", charters.CharterCreate.as_view(), name="charter-create"),
    path("charters/<int:pk>/", charters.CharterDetail.as_view(), name="charter-detail"),
    path("charters/<int:pk>/draft/", charters.VersionDraft.as_view(), name="version-draft"),
    path("charter-versions/<int:pk>/discuss/", charters.VersionDiscuss.as_view(), name="version-discuss"),
    path("charter-versions/<int:pk>/vote/", charters.VersionVote.as_view(), name="version-vote"),
    path("charter-versions/<int:pk>/publish/", charters.VersionPublish.as_view(), name="version-publish"),
    path("self-government/", gov.overview, name="self-government"),
    path("representatives/", gov.RepresentativeList.as_view(), name="representative-list"),
    path("representatives/new/", gov.RepresentativeCreate.as_view(), name="representative-create"),
    path("representatives/<int:pk>/end/", gov.RepresentativeEnd.as_view(), name="representative-end"),
    path("groups/", gov.GroupList.as_view(), name="group-list"),
    path("groups/new/", gov.GroupCreate.as_view(), name="group-create"),
    path("groups/<int:pk>/", gov.GroupDetail.as_view(), name="group-detail"),
    path("groups/<int:pk>/members/", gov.GroupMemberAdd.as_view(), name="group-member-add"),
    path("four-in-one/", gov.four_in_one, name="four-in-one"),
    path("property/companies/new/", gov.CompanyCreate.as_view(), name="property-company-create"),
    path("property/contracts/new/", gov.ContractCreate.as_view(), name="property-contract-create"),
    path("elections/", elections.ElectionList.as_view(), name="election-list"),
    path("elections/new/", elections.ElectionCreate.as_view(), name="election-create"),
    path("elections/<int:pk>/", elections.ElectionDetail.as_view(), name="election-detail"),
    path("elections/<int:pk>/voters/", elections.VotersRegister.as_view(), name="election-voters"),
    path("elections/<int:pk>/candidates/", elections.CandidateAdd.as_view(), name="election-candidate"),
    path("elections/<int:pk>/count/", elections.BallotCount.as_view(), name="election-count"),
    path("elections/<int:pk>/declare/", elections.Declare.as_view(), name="election-declare"),
    # Public: the charters in force and their history (no login, texts and totals only).
    path("c/<str:code>/charters/", charters.public_charters, name="public-charters"),
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
