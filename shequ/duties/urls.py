from shequ.duties.views import burden, lists, requests, tasks

app_name = "duties"

urlpatterns = lists.urlpatterns + requests.urlpatterns + tasks.urlpatterns + burden.urlpatterns
