"""Cascading pickers: choose one record by narrowing level by level (社区 → 楼栋 → 单元 → 房屋),
typing to search at each level, instead of a drop-down of every record in the scope.

A module describes a cascade and registers it in its AppConfig.ready():

    register_cascade(Cascade("house", levels=(community, building, unit, house), resolve=..., search=...))

and a form uses the widget:

    house = forms.IntegerField(widget=CascadeWidget("house"))

The widget renders a hidden input and a placeholder; htmx loads the picker from
`core:picker` (GET /pickers/<name>/), which answers with server-rendered HTML (or JSON with
?format=json). Every level's options come from the module's functions, which start from
visible_to(user): a record outside the user's scope is neither listed nor accepted (404), and the
service that takes the chosen value checks it again."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.core import scope

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")
_WITHIN_RE = re.compile(r"^\d{2,15}$")
Q_MAX = 50  # characters of a search


@dataclass(frozen=True)
class Choice:
    """One option of a level: the value passed on, what the user reads, and a quieter hint."""

    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Ask:
    """What a level's function is asked: for whom, under which chosen parent, matching what."""

    user: Any
    parent: str | None  # the value chosen at the level above (None at the first level)
    q: str = ""
    within: str | None = None  # an org code the form narrows the choice to (never widens the scope)
    limit: int = 40


@dataclass(frozen=True)
class Level:
    key: str
    label: Any  # "楼栋": names the level on the picker
    prompt: Any  # placeholder of the search box: "输入楼栋号，如 3栋"
    options: Callable[[Ask], list[Choice]]  # up to ask.limit + 1 matches (one more says "more")
    get: Callable[[Ask, str], Choice | None]  # one value under ask.parent, or None if not visible there
    limit: int = 40


@dataclass(frozen=True)
class Cascade:
    name: str
    levels: tuple[Level, ...]
    # The chosen path (one Choice per level) of a final value, or None if the user may not see it.
    resolve: Callable[[Any, str, str | None], list[Choice] | None]
    # Final values matching a typed text anywhere under the path chosen so far (a whole address).
    search: Callable[[Ask, list[str]], list[Choice]] | None = None
    # The model of the final values: a user who may read none of it is refused (403), by the same
    # rule as its pages, exports and API, not shown an empty picker.
    model: Any = None


_cascades: dict[str, Cascade] = {}


def register_cascade(cascade: Cascade) -> None:
    _cascades[cascade.name] = cascade


def get_cascade(name: str) -> Cascade | None:
    return _cascades.get(name)


def clean_name(value: str | None) -> str:
    """A field name or element id to echo back into the page (anything else is refused)."""
    return value if value and _NAME_RE.match(value) else ""


def clean_within(value: str | None) -> str | None:
    return value if value and _WITHIN_RE.match(value) else None


class CascadeWidget(forms.Widget):
    """A hidden input holding the chosen value and the picker htmx loads into place. `within`
    narrows the first level to one org subtree (e.g. the resident's own community)."""

    template_name = "core/widgets/cascade.html"

    def __init__(self, cascade: str, attrs=None, within: str | None = None):
        super().__init__(attrs)
        self.cascade = cascade
        self.within = within

    def id_for_label(self, id_):
        return f"{id_}-q" if id_ else id_  # the search box (or the "change" button once chosen)

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        w = ctx["widget"]
        params = {"field": name, "id": w["attrs"].get("id") or f"id_{name}"}
        if self.within:
            params["within"] = self.within
        if w["value"] not in (None, ""):
            params["value"] = w["value"]
        w["picker_id"] = params["id"]
        w["url"] = reverse("core:picker", args=[self.cascade]) + "?" + urlencode(params)
        w["invalid"] = "is-invalid" in (w["attrs"].get("class") or "")
        return ctx


class CascadeField(forms.IntegerField):
    """The chosen record's primary key, picked through a cascade."""

    def __init__(self, cascade: str, *, within: str | None = None, **kwargs):
        kwargs.setdefault("widget", CascadeWidget(cascade, within=within))
        kwargs.setdefault("error_messages", {"required": _("请逐级选择或输入搜索后选定。")})
        super().__init__(**kwargs)


# --- the lookup endpoint ----------------------------------------------------------------------------
def _walk(cascade: Cascade, user, raw: list[str], within) -> list[Choice]:
    """The chosen path, each value checked under its parent (404 if any is not visible there)."""
    steps: list[Choice] = []
    for level, value in zip(cascade.levels, raw, strict=False):
        c = level.get(Ask(user, steps[-1].value if steps else None, within=within), value)
        if c is None:
            raise Http404()
        steps.append(c)
    return steps


@login_required
def lookup(request, name):
    """One state of a cascade's picker: the path chosen so far, a search box and the options of
    the next level (or the chosen record). `path` lists the values chosen so far, `q` is the
    search, `value` a chosen final value to show; `part=results` answers with the options only
    (the search box keeps its focus), `format=json` with the same as data."""
    cascade = get_cascade(name)
    if cascade is None:
        raise Http404()
    if cascade.model is not None and not scope.may_read(request.user, cascade.model):
        from shequ.core.generic import error_page

        return error_page(request, 403)
    user, levels, g = request.user, cascade.levels, request.GET
    field = clean_name(g.get("field")) or "value"
    pid = clean_name(g.get("id")) or f"id_{field}"
    within = clean_within(g.get("within"))
    q = (g.get("q") or "").strip()[:Q_MAX]
    steps: list[Choice] = []
    if g.get("value"):
        # A value the user may not see (or one gone since) starts the picker afresh.
        steps = cascade.resolve(user, g["value"][:40], within) or []
    else:
        steps = _walk(
            cascade, user, [v for v in (g.get("path") or "").split(",") if v][: len(levels)], within
        )
    chosen = steps[-1] if len(steps) == len(levels) else None
    if chosen is None and not q:
        # Levels with a single option are chosen at once (a grid worker's one community, a
        # building's one unit); the last level is always the user's own choice.
        while len(steps) < len(levels) - 1:
            level = levels[len(steps)]
            only = level.options(Ask(user, steps[-1].value if steps else None, "", within, limit=1))
            if len(only) != 1:
                break
            steps.append(only[0])

    base = {"field": field, "id": pid} | ({"within": within} if within else {})

    def url(**extra) -> str:
        return reverse("core:picker", args=[name]) + "?" + urlencode(base | extra)

    values = [s.value for s in steps]
    path = [
        {"label": s.label, "level": levels[i].label, "url": url(path=",".join(values[:i]))}
        for i, s in enumerate(steps if chosen is None else steps[:-1])
    ]
    ctx = {
        "field": field,
        "pid": pid,
        "value": chosen.value if chosen else "",
        "chosen": chosen,
        "path": path,
        "q": q,
        "final_label": levels[-1].label,
    }
    if chosen is not None:
        ctx["change_url"] = url(path=",".join(values[:-1]))
    else:
        level = levels[len(steps)]
        found = level.options(Ask(user, values[-1] if values else None, q, within, level.limit))
        final = len(steps) == len(levels) - 1
        prefix = ",".join(values)
        ctx.update(
            level=level,
            final=final,
            more=len(found) > level.limit,
            options=[
                {"choice": c, "url": url(path=f"{prefix},{c.value}" if prefix else c.value)}
                for c in found[: level.limit]
            ],
            matches=[
                {"choice": c, "url": url(value=c.value)}
                for c in (
                    cascade.search(Ask(user, None, q, within, 10), values) if q and cascade.search else []
                )
            ]
            if not final
            else [],
            results_url=url(path=prefix, part="results"),
        )
    if g.get("format") == "json":
        return JsonResponse(
            {
                "path": [{"value": s.value, "label": s.label} for s in steps],
                "chosen": {"value": chosen.value, "label": chosen.label} if chosen else None,
                "level": ctx["level"].key if chosen is None else None,
                "options": [vars(o["choice"]) for o in ctx.get("options", [])],
                "more": ctx.get("more", False),
                "matches": [vars(o["choice"]) for o in ctx.get("matches", [])],
            },
            json_dumps_params={"ensure_ascii": False},
        )
    template = (
        "core/_picker_results.html" if g.get("part") == "results" and chosen is None else "core/_picker.html"
    )
    return render(request, template, ctx)
