from shequ.cases.views import clients, hotline, indicators, intake, work

app_name = "cases"

urlpatterns = (
    intake.urlpatterns + work.urlpatterns + indicators.urlpatterns + hotline.urlpatterns + clients.urlpatterns
)
