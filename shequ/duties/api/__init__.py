"""/api/v1/duties/: lists, admission requests and reviews, tasks, certificates, burden, appraisals."""

from ninja import Router

from shequ.duties.api import burden, lists, requests, tasks

router = Router()
for _part in (lists, requests, tasks, burden):
    router.add_router("", _part.router)
