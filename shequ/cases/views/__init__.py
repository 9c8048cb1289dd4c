"""Pages of the cases module, one file per concern; each exports its `urlpatterns`."""
