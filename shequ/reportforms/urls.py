from django.urls import path

from shequ.reportforms import views

app_name = "reportforms"

urlpatterns = [
    path("", views.register, name="register"),
    path("upload/", views.upload, name="upload"),
    path("breakdowns/", views.breakdown_options, name="breakdowns"),
    path("indicators/<str:key>/", views.indicator, name="indicator"),
    path("ledgers/<str:key>/fill/", views.ledger_fill, name="ledger-fill"),
    path("fills/<int:pk>/", views.fill_detail, name="fill-detail"),
    path("fills/<int:pk>/download/", views.fill_download, name="fill-download"),
    path("<int:pk>/", views.form_detail, name="form-detail"),
    path("<int:pk>/grid/", views.sheet_grid, name="grid"),
    path("<int:pk>/bind/", views.bind, name="bind"),
    path("<int:pk>/bindings/<int:binding_id>/delete/", views.unbind, name="unbind"),
    path("<int:pk>/manual/", views.manual, name="manual"),
    path("<int:pk>/fill/", views.fill, name="fill"),
]
