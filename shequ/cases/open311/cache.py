"""A few seconds' memory of public GET answers, per worker process.

Clients poll the same lists again and again; answering a repeat from memory costs a dictionary
look-up instead of a query and a hundred rows to format. Whatever can change what is published
forgets everything: a new case, any timeline entry (every status change writes one), a category
edit (its publication switch), a resident's tag given or taken, a resident saved (a case touching
a tagged resident is not published; the requester is found by phone). The writing process forgets
at once; when the write commits, other processes see a shared generation number move (in the
Django cache, Redis when configured) and drop what they kept. Changes that send no signal (bulk
imports, queryset updates) and processes without a shared cache follow within
OPEN311_CACHE_SECONDS (0 turns the memory off). Only answers with status 200 are kept, at most
MAX_ENTRIES."""

import time

from django.conf import settings
from django.core.cache import cache as shared
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.translation import get_language

from shequ.cases.models import Case, CaseEvent, Category
from shequ.people.models import Resident, ResidentTag

MAX_ENTRIES = 512
GENERATION_KEY = "shequ:open311:generation"
_answers: dict[tuple, tuple[float, int, bytes, str]] = {}


def _generation() -> int:
    return shared.get(GENERATION_KEY) or 0


def clear() -> None:
    """Forget every kept answer, here and (through the shared generation) in other processes."""
    _answers.clear()
    try:
        shared.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or expired
        shared.add(GENERATION_KEY, 1, None)


@receiver(post_save, sender=Case)
@receiver(post_save, sender=CaseEvent)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=ResidentTag)
@receiver(post_delete, sender=ResidentTag)
@receiver(post_save, sender=Resident)  # a new phone may make a requester a tagged resident
def _changed(**_kw):
    # Other processes see a write only when it commits: the shared generation moves then, once per
    # transaction however many rows it saves (an intake saves a case and its timeline entry). This
    # process forgets at once as well, so that nothing it reads inside the transaction survives.
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        clear()
        return
    _answers.clear()
    if not any(hook[1] is clear for hook in conn.run_on_commit):
        transaction.on_commit(clear)


def _key(request, fmt: str) -> tuple:
    return (
        request.get_host(),
        request.path,
        fmt,
        get_language(),
        tuple((k, tuple(v)) for k, v in sorted(request.GET.lists())),
    )


def lookup(request, fmt: str, generation: int) -> HttpResponse | None:
    """The kept answer to this request, if it is fresh and of the current generation."""
    seconds = settings.OPEN311_CACHE_SECONDS
    if seconds <= 0 or request.method != "GET":
        return None
    kept = _answers.get(_key(request, fmt))
    if kept is None or time.monotonic() - kept[0] > seconds or kept[1] != generation:
        return None
    resp = HttpResponse(kept[2], content_type=kept[3])
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def keep(request, fmt: str, response: HttpResponse, generation: int) -> None:
    """Keep an answer computed under `generation` (read before the query, so that a change made
    while it ran makes the kept answer stale at once)."""
    if settings.OPEN311_CACHE_SECONDS <= 0 or request.method != "GET" or response.status_code != 200:
        return
    if len(_answers) >= MAX_ENTRIES:
        _answers.clear()  # simpler than LRU, and a full table means many distinct queries anyway
    _answers[_key(request, fmt)] = (time.monotonic(), generation, response.content, response["Content-Type"])


def generation() -> int:
    """The current shared generation, read once per request before anything else."""
    if settings.OPEN311_CACHE_SECONDS <= 0:
        return 0
    return _generation()
