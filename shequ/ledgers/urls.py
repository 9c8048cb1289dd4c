from django.urls import path

from shequ.ledgers.views import correction, mediation, relief

app_name = "ledgers"

urlpatterns = [
    path("relief/", relief.case_list, name="relief-list"),
    path("relief/new/", relief.case_create, name="relief-create"),
    path("relief/<int:pk>/", relief.case_detail, name="relief-detail"),
    path("relief/<int:pk>/status/", relief.case_status, name="relief-status"),
    path("relief/<int:pk>/pay/", relief.case_pay, name="relief-pay"),
    path("relief/ledger/", relief.ledger, name="relief-ledger"),
    path("relief/ledger/generate/", relief.generate, name="relief-generate"),
    path("relief/roster/", relief.roster, name="relief-roster"),
    path("mediation/", mediation.mediation_list, name="mediation-list"),
    path("mediation/new/", mediation.mediation_create, name="mediation-create"),
    path("mediation/<int:pk>/", mediation.mediation_detail, name="mediation-detail"),
    path("mediation/<int:pk>/conclude/", mediation.mediation_conclude, name="mediation-conclude"),
    path("mediation/<int:pk>/followup/", mediation.mediation_followup, name="mediation-followup"),
    path("correction/", correction.subject_list, name="correction-list"),
    path("correction/new/", correction.subject_create, name="correction-create"),
    path("correction/<int:pk>/", correction.subject_detail, name="correction-detail"),
    path("correction/<int:pk>/sessions/", correction.subject_session, name="correction-session"),
    path("correction/<int:pk>/grades/", correction.subject_grade, name="correction-grade"),
]
