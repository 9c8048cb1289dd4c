from django.urls import path

from shequ.people import views

app_name = "people"

urlpatterns = [
    path("residents/", views.ResidentListView.as_view(), name="resident-list"),
    path("residents/new/", views.ResidentCreateView.as_view(), name="resident-create"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="resident-detail"),
    path("residents/<int:pk>/edit/", views.ResidentEditView.as_view(), name="resident-edit"),
    path("residents/<int:pk>/event/", views.EventView.as_view(), name="resident-event"),
    path("residents/<int:pk>/tags/", views.add_tag, name="resident-tag"),
    path("residents/<int:pk>/tags/<slug:code>/end/", views.end_tag, name="resident-tag-end"),
    path("residents/<int:pk>/visit/", views.VisitCreateView.as_view(), name="visit-create"),
    path("visits/due/", views.visits_due, name="visits-due"),
    path("households/", views.HouseholdListView.as_view(), name="household-list"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household-detail"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household-edit"),
    path("houses/", views.HouseListView.as_view(), name="house-list"),
    path("houses/<int:pk>/", views.HouseDetailView.as_view(), name="house-detail"),
    path("houses/<int:pk>/edit/", views.HouseEditView.as_view(), name="house-edit"),
    path("houses/<int:house>/household/", views.HouseholdCreateView.as_view(), name="household-create"),
    path("structure/", views.structure, name="structure"),
    path("import/", views.import_page, name="import"),
    path(
        "import/<int:batch>/rows/<int:line>/transfer/",
        views.transfer_from_import,
        name="transfer-from-import",
    ),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer-decide"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer-cancel"),
    path("tags/", views.tag_list, name="tag-list"),
    path("tags/new/", views.TagEditView.as_view(), name="tag-create"),
    path("tags/<int:pk>/", views.TagEditView.as_view(), name="tag-edit"),
]
