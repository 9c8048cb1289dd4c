"""Open311 GeoReport v2 at /open311/v2/ (being built)."""

app_name = "open311"
urlpatterns = []
