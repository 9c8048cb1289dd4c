from django.urls import path

from shequ.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("mine/", views.mine, name="mine"),
    path("schemes/", views.scheme_list, name="scheme-list"),
    path("schemes/new/", views.scheme_build, name="scheme-build"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme-detail"),
    path("schemes/<int:pk>/rounds/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/compute/", views.round_compute, name="round-compute"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round-publish"),
    path("rounds/<int:pk>/apply/", views.round_apply, name="round-apply"),
    path("entries/<int:pk>/", views.entry_detail, name="entry-detail"),
    path("entries/<int:pk>/self/", views.self_assess, name="self-assess"),
    path("entries/<int:pk>/objections/", views.objection_file, name="objection-file"),
    path("entries/<int:pk>/accept/", views.entry_accept, name="entry-accept"),
    path("entries/<int:pk>/decide/", views.entry_decide, name="entry-decide"),
    path("scores/<int:pk>/", views.score_item, name="score-item"),
    path("objections/<int:pk>/", views.objection_handle, name="objection-handle"),
    path("titles/", views.title_list, name="title-list"),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/set/", views.profile_set, name="profile-set"),
]
