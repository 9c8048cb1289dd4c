"""The co-building pages, under /teams/cobuilding/."""

from django.urls import path

from shequ.teams.views import cobuilding as v

urlpatterns = [
    path("cobuilding/", v.overview, name="cobuilding"),
    path("cobuilding/bodies/new/", v.BodyCreate.as_view(), name="cob-body-create"),
    path("cobuilding/bodies/<int:pk>/", v.BodyDetail.as_view(), name="cob-body-detail"),
    path("cobuilding/bodies/<int:pk>/members/", v.MemberAdd.as_view(), name="cob-member-add"),
    path("cobuilding/bodies/<int:pk>/meetings/", v.MeetingAdd.as_view(), name="cob-meeting-add"),
    path("cobuilding/bodies/<int:pk>/agreements/", v.AgreementCreate.as_view(), name="cob-agreement-create"),
    path("cobuilding/units/<int:pk>/", v.unit_detail, name="cob-unit-detail"),
    path(
        "cobuilding/units/<int:pk>/contributions/", v.ContributionAdd.as_view(), name="cob-contribution-add"
    ),
]
