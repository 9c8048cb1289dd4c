from django.urls import path

from shequ.facilities import views

app_name = "facilities"

urlpatterns = [
    path("", views.compliance, name="compliance"),
    path("premises/", views.FacilityList.as_view(), name="facility-list"),
    path("premises/new/", views.FacilityCreate.as_view(), name="facility-create"),
    path("premises/<int:pk>/", views.FacilityDetail.as_view(), name="facility-detail"),
    path("premises/<int:pk>/edit/", views.FacilityEdit.as_view(), name="facility-edit"),
    path("premises/<int:pk>/photos/", views.FacilityPhoto.as_view(), name="facility-photo"),
    path("premises/<int:pk>/door/", views.door, name="facility-door"),
    path("standards/", views.standards, name="standards"),
    path("standards/rule/", views.RuleEdit.as_view(), name="rule-edit"),
    path("standards/package/", views.PackageEdit.as_view(), name="package-edit"),
    path("plan/", views.projects, name="project-list"),
    path("plan/new/", views.ProjectCreate.as_view(), name="project-create"),
    path("plan/<int:pk>/move/", views.ProjectMove.as_view(), name="project-move"),
    path("handovers/", views.handovers, name="handover-list"),
    path("handovers/new/", views.HandoverCreate.as_view(), name="handover-create"),
    path("handovers/<int:pk>/record/", views.HandoverRecord.as_view(), name="handover-record"),
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<int:pk>/", views.room_book, name="room-book"),
    path("bookings/mine/", views.my_bookings, name="my-bookings"),
    path("bookings/", views.BookingList.as_view(), name="booking-list"),
    path("bookings/<int:pk>/", views.BookingDetail.as_view(), name="booking-detail"),
    path("bookings/<int:pk>/decide/", views.BookingDecide.as_view(), name="booking-decide"),
    path("bookings/<int:pk>/cancel/", views.BookingCancel.as_view(), name="booking-cancel"),
    path("check-in/<str:token>/", views.check_in, name="check-in"),
    path("utilisation/", views.utilisation, name="utilisation"),
]
