"""A few seconds' memory of public GET answers, per worker process.

Clients poll the same lists again and again; answering a repeat from memory costs a dictionary
look-up instead of a query and a hundred rows to format. A write in this process (a new case,
any timeline entry, a category edit) forgets everything at once; other processes follow within
OPEN311_CACHE_SECONDS (0 turns the memory off). Only 200 answers are kept, at most MAX_ENTRIES."""

import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.translation import get_language

from shequ.cases.models import Case, CaseEvent, Category

MAX_ENTRIES = 512
_answers: dict[tuple, tuple[float, bytes, str]] = {}


def clear() -> None:
    """Forget every kept answer."""
    _answers.clear()


@receiver(post_save, sender=Case)
@receiver(post_save, sender=CaseEvent)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _changed(**_kw):
    clear()


def _key(request, fmt: str) -> tuple:
    return (
        request.get_host(),
        request.path,
        fmt,
        get_language(),
        tuple((k, tuple(v)) for k, v in sorted(request.GET.lists())),
    )


def lookup(request, fmt: str) -> HttpResponse | None:
    seconds = settings.OPEN311_CACHE_SECONDS
    if seconds <= 0 or request.method != "GET":
        return None
    kept = _answers.get(_key(request, fmt))
    if kept is None or time.monotonic() - kept[0] > seconds:
        return None
    resp = HttpResponse(kept[1], content_type=kept[2])
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def keep(request, fmt: str, response: HttpResponse) -> None:
    if settings.OPEN311_CACHE_SECONDS <= 0 or request.method != "GET" or response.status_code != 200:
        return
    if len(_answers) >= MAX_ENTRIES:
        _answers.clear()  # simpler than LRU, and a full table means many distinct queries anyway
    _answers[_key(request, fmt)] = (time.monotonic(), response.content, response["Content-Type"])
