from django.urls import path

from shequ.services import views

app_name = "services"

urlpatterns = [
    path("", views.ServiceList.as_view(), name="service-list"),
    path("catalogue/new/", views.ServiceCreate.as_view(), name="service-create"),
    path("catalogue/<int:pk>/", views.ServiceDetail.as_view(), name="service-detail"),
    path("catalogue/<int:pk>/edit/", views.ServiceEdit.as_view(), name="service-edit"),
    path("centres/", views.CentreList.as_view(), name="centre-list"),
    path("centres/new/", views.CentreCreate.as_view(), name="centre-create"),
    path("centres/<int:pk>/", views.CentreDetail.as_view(), name="centre-detail"),
    path("centres/<int:pk>/edit/", views.CentreEdit.as_view(), name="centre-edit"),
    path("centres/<int:pk>/windows/new/", views.WindowCreate.as_view(), name="window-create"),
    path("windows/<int:pk>/edit/", views.WindowEdit.as_view(), name="window-edit"),
    path("outlets/", views.OutletList.as_view(), name="outlet-list"),
    path("outlets/new/", views.OutletCreate.as_view(), name="outlet-create"),
    path("outlets/<int:pk>/edit/", views.OutletEdit.as_view(), name="outlet-edit"),
    path("records/", views.RecordList.as_view(), name="record-list"),
    path("records/new/", views.RecordCreate.as_view(), name="record-create"),
    path("records/<int:pk>/", views.RecordDetail.as_view(), name="record-detail"),
    path("records/<int:pk>/follow-up/", views.follow_up, name="record-follow-up"),
    path("report/", views.report, name="report"),
    path("employment/", views.employment_ledger, name="employment-ledger"),
]
