from django.urls import path

from shequ.core import import_views, indicator_views, picker, survey_views, synonym_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:pk>/revoke/", views.revoke_token, name="token-revoke"),
    path("focus/", views.set_focus, name="focus"),
    path("reveal/", views.reveal, name="reveal"),
    path("changelog/", views.ChangeLogView.as_view(), name="changelog"),
    path("history/<int:ct>/<int:pk>/", views.history, name="history"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("imports/", import_views.import_list, name="import-list"),
    path("imports/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("imports/<int:pk>/errors.xlsx", import_views.import_errors, name="import-errors"),
    path("imports/<int:pk>/commit/", import_views.import_commit, name="import-commit"),
    path("imports/<int:pk>/discard/", import_views.import_discard, name="import-discard"),
    path("imports/<int:pk>/mapping/", import_views.import_mapping, name="import-mapping"),
    path("imports/<int:pk>/remap/", import_views.import_remap, name="import-remap"),
    path("imports/<int:pk>/undo/", import_views.import_undo, name="import-undo"),
    path("imports/template/<str:kind>.xlsx", import_views.import_template, name="import-template"),
    path("imports/synonyms/", synonym_views.synonym_page, name="import-synonyms"),
    path("imports/synonyms/add/", synonym_views.synonym_add, name="import-synonym-add"),
    path("imports/synonyms/<int:pk>/delete/", synonym_views.synonym_delete, name="import-synonym-delete"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("pickers/<slug:name>/", picker.lookup, name="picker"),
    path("indicators/", indicator_views.catalogue, name="indicator-list"),
    path("indicators/<str:key>/", indicator_views.detail, name="indicator-detail"),
    path("indicators/<str:key>/snapshot/", indicator_views.snapshot, name="indicator-snapshot"),
    path("indicators/<str:key>/<str:code>/", indicator_views.detail, name="indicator-scope"),
    path("surveys/", survey_views.SurveyList.as_view(), name="survey-list"),
    path("surveys/new/", survey_views.SurveyCreate.as_view(), name="survey-create"),
    path("surveys/<int:pk>/", survey_views.SurveyDetail.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/questions/new/", survey_views.QuestionAdd.as_view(), name="survey-question-add"),
    path("surveys/<int:pk>/codes/", survey_views.survey_codes, name="survey-codes"),
    path("surveys/<int:pk>/close/", survey_views.SurveyClose.as_view(), name="survey-close"),
    # The residents' phone page: short, for a QR code on a printed slip.
    path("s/<str:token>/", survey_views.answer, name="survey-answer"),
]
