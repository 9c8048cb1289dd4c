from django.urls import path

from shequ.org import views

app_name = "org"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("tree/<str:code>/children/", views.tree_children, name="tree-children"),
    path("units/<str:code>/", views.unit_detail, name="unit-detail"),
    path("units/<str:code>/grids/new/", views.GridCreate.as_view(), name="grid-create"),
    path("units/<str:code>/resident-orgs/new/", views.ResidentOrgCreate.as_view(), name="residentorg-create"),
    path("grids/", views.GridList.as_view(), name="grid-list"),
    path("grids.geojson", views.grids_geojson, name="grid-geojson"),
    path("basemap.json", views.basemap, name="basemap"),
    path("grids/<int:pk>/", views.GridDetail.as_view(), name="grid-detail"),
    path("grids/<int:pk>/edit/", views.GridEdit.as_view(), name="grid-edit"),
    path("grids/<int:pk>/boundary/", views.grid_boundary, name="grid-boundary"),
    path("grids/<int:pk>/buildings/new/", views.BuildingCreate.as_view(), name="building-create"),
    path("grids/<int:pk>/assignments/new/", views.AssignmentCreate.as_view(), name="assignment-create"),
    path("buildings/", views.BuildingList.as_view(), name="building-list"),
    path("buildings/<int:pk>/", views.BuildingDetail.as_view(), name="building-detail"),
    path("buildings/<int:pk>/units/new/", views.UnitCreate.as_view(), name="unit-create"),
    path("buildings/<int:pk>/houses/new/", views.HouseCreate.as_view(), name="house-create"),
    path("assignments/", views.AssignmentList.as_view(), name="assignment-list"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("resident-orgs/", views.ResidentOrgList.as_view(), name="residentorg-list"),
    path("resident-orgs/<int:pk>/", views.ResidentOrgDetail.as_view(), name="residentorg-detail"),
    path("resident-orgs/<int:pk>/edit/", views.ResidentOrgEdit.as_view(), name="residentorg-edit"),
]
