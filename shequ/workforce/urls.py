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
    path("appraisals/", views.AppraisalList.as_view(), name="appraisal-list"),
    path("appraisals/new/", views.AppraisalCreate.as_view(), name="appraisal-create"),
    path("appraisals/<int:pk>/", views.AppraisalDetail.as_view(), name="appraisal-detail"),
    path("appraisals/<int:pk>/scores/", views.score_sheet, name="appraisal-scores"),
    path("appraisals/<int:pk>/close/", views.AppraisalClose.as_view(), name="appraisal-close"),
    path("appraisals/mine/", views.my_appraisal, name="appraisal-mine"),
    path("recognition/", views.recognition, name="recognition"),
    path("workers/<int:pk>/awards/new/", views.AwardAdd.as_view(), name="award-add"),
    path("workers/<int:pk>/seats/new/", views.RepresentativeAdd.as_view(), name="representative-add"),
    path("workers/<int:pk>/promotions/new/", views.PromotionAdd.as_view(), name="promotion-add"),
    path("workers/<int:pk>/account/", views.AccountLink.as_view(), name="worker-account"),
]
