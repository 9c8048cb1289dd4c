from django.urls import path

from shequ.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("workers/", views.WorkerList.as_view(), name="worker-list"),
    path("workers/new/", views.WorkerCreate.as_view(), name="worker-create"),
    path("workers/<int:pk>/", views.WorkerDetail.as_view(), name="worker-detail"),
    path("workers/<int:pk>/edit/", views.WorkerEdit.as_view(), name="worker-edit"),
    path("workers/<int:pk>/exit/", views.WorkerExit.as_view(), name="worker-exit"),
    path("workers/<int:pk>/transfer/", views.WorkerTransfer.as_view(), name="worker-transfer"),
    path("workers/<int:pk>/return/", views.WorkerReturn.as_view(), name="worker-return"),
    path("workers/<int:pk>/secondment/", views.WorkerSecondment.as_view(), name="worker-secondment"),
    path("workers/<int:pk>/offices/new/", views.OfficeAssign.as_view(), name="office-assign"),
    path("workers/<int:pk>/qualifications/new/", views.QualificationAdd.as_view(), name="qualification-add"),
    path("offices/<int:pk>/end/", views.OfficeEnd.as_view(), name="office-end"),
    path("workers/import/", views.roster_import, name="import"),
    path("staffing/", views.staffing, name="staffing"),
    path("trainings/", views.TrainingList.as_view(), name="training-list"),
    path("trainings/new/", views.TrainingCreate.as_view(), name="training-create"),
    path("trainings/<int:pk>/", views.TrainingDetail.as_view(), name="training-detail"),
    path("trainings/<int:pk>/sign-in/", views.TrainingSignIn.as_view(), name="training-sign-in"),
    path("population/new/", views.PopulationEnter.as_view(), name="population-enter"),
    path("sections/", views.sections, name="sections"),
    path("sections/new/", views.SectionEnter.as_view(), name="section-enter"),
    path("sections/<int:pk>/remove/", views.SectionRemove.as_view(), name="section-remove"),
    # grades and pay, contracts and insurance
    path("pay/", views.pay_report, name="pay"),
    path("pay/average-wage/", views.AverageWageEnter.as_view(), name="average-wage"),
    path("grades/", views.grade_schemes, name="grade-schemes"),
    path("grades/new/", views.SchemeCreate.as_view(), name="grade-scheme-create"),
    path("grades/<int:pk>/table/", views.PayTableEnter.as_view(), name="pay-table"),
    path("contracts/due/", views.ContractsDue.as_view(), name="contracts-due"),
    path("insurance/", views.insurance_rates, name="insurance"),
    path("workers/<int:pk>/grade/", views.GradePlace.as_view(), name="grade-place"),
    path("workers/<int:pk>/pay/", views.PayRecordEnter.as_view(), name="pay-record"),
    path("workers/<int:pk>/contracts/new/", views.ContractAdd.as_view(), name="contract-add"),
    path("workers/<int:pk>/insurance/", views.InsuranceSet.as_view(), name="insurance-set"),
]
