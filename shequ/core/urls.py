from django.urls import path

from shequ.core import views

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
]
