from django.urls import path

from shequ.archives import views

app_name = "archives"

urlpatterns = [
    path("", views.item_list, name="item-list"),
    path("items/new/", views.ItemCreate.as_view(), name="item-create"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/<int:pk>/files/", views.ItemAttach.as_view(), name="item-attach"),
    path("items/<int:pk>/openness/", views.ItemOpenness.as_view(), name="item-openness"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("fonds/", views.fonds_list, name="fonds-list"),
    path("fonds/new/", views.FondsCreate.as_view(), name="fonds-create"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/generate/", views.proposals_generate, name="proposals-generate"),
    path("proposals/confirm/", views.proposals_confirm, name="proposals-confirm"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal-reject"),
    path("filing/", views.filing, name="filing"),
    path("filing/open/", views.filing_open, name="filing-open"),
    path("filing/<int:pk>/close/", views.filing_close, name="filing-close"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.RequestCreate.as_view(), name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/move/", views.request_move, name="request-move"),
    path("disposal/", views.disposal_list, name="disposal-list"),
    path("disposal/open/", views.disposal_open, name="disposal-open"),
    path("disposal/<int:pk>/", views.disposal_detail, name="disposal-detail"),
    path("disposal/<int:pk>/opinions/", views.disposal_opinion, name="disposal-opinion"),
    path("disposal/<int:pk>/decide/", views.disposal_decide, name="disposal-decide"),
    path("register/", views.register, name="register"),
    path("report/", views.report, name="report"),
]
