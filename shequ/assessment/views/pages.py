from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.assessment import reports
from shequ.assessment.models import (
    MANAGE,
    SELF,
    VIEW,
    CountsAs,
    Entry,
    Frequency,
    ItemScore,
    Level,
    Objection,
    Round,
    Rule,
    Scheme,
    SchemeKind,
    Title,
)
from shequ.assessment.models.descriptors import CommunityProfile, CommunityType
from shequ.assessment.services import creation, descriptors, rounds, schemes
from shequ.assessment.services.common import grades_from_text
from shequ.core import indicators, scope
from shequ.core.attachments import attachments_of
from shequ.core.errors import DomainError, NotFound
from shequ.core.excel import xlsx_response
from shequ.core.forms import read_photos
from shequ.core.generic import error_page, reads
from shequ.core.services import get_visible
from shequ.org.models import Level as OrgLevel
from shequ.org.models import OrgUnit

__all__ = [
    "round_list", "scheme_list", "scheme_detail", "scheme_build", "round_create", "round_detail", "round_compute",
    "round_publish", "entry_detail", "score_item", "self_assess", "objection_file", "objection_handle", "mine",
    "round_apply", "entry_accept", "entry_decide", "title_list", "profiles", "profile_set",
]  # fmt: skip


def _visible(model, user, pk):
    try:
        return get_visible(model, user, pk)
    except NotFound:
        raise Http404() from None


def _fail(request, exc: DomainError, back: str | None = None):
    return error_page(request, exc.status, exc.message, back)


def _manage_orgs(user):
    roots = scope.perm_codes(user, MANAGE)
    qs = OrgUnit.objects.filter(level__in=[OrgLevel.DISTRICT, OrgLevel.STREET])
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return list(qs.order_by("code")[:200])


# --- lists ------------------------------------------------------------------------------------------
@reads(Round)
def round_list(request):
    rows = Round.objects.visible_to(request.user).select_related("scheme", "org")
    return render(
        request,
        "assessment/round_list.html",
        {"rounds": rows[:200], "can_manage": scope.holds(request.user, MANAGE)},
    )


@reads(Scheme)
def scheme_list(request):
    rows = Scheme.objects.visible_to(request.user).select_related("org")
    return render(
        request,
        "assessment/scheme_list.html",
        {"schemes": rows[:200], "can_manage": scope.holds(request.user, MANAGE)},
    )


@reads(Scheme)
def scheme_detail(request, pk):
    s = _visible(Scheme, request.user, pk)
    docs = attachments_of(Scheme, [s.pk]).get(str(s.pk), [])
    ctx = {"s": s, "items": rounds.unmet_items(s), "rounds": s.rounds.visible_to(request.user).select_related("org"),
           "docs": docs, "can_manage": scope.covers(request.user, s.org.code, MANAGE), "orgs": _manage_orgs(request.user),
           "this_year": timezone.localdate().year}  # fmt: skip
    return render(request, "assessment/scheme_detail.html", ctx)


# --- the builder ------------------------------------------------------------------------------------
def _builder_payload(post, catalogue) -> tuple[list, dict]:
    """The dimensions and items the builder's form posts: an indicator row per catalogue key that is
    ticked, and up to five manually scored rows."""
    dims: dict[str, list] = {}
    for g in catalogue:
        for ind in g["indicators"]:
            k = ind["key"]
            if not post.get(f"on:{k}"):
                continue
            rule = post.get(f"rule:{k}") or Rule.LINEAR
            params = {}
            if rule == Rule.LINEAR:
                params = {"floor": post.get(f"floor:{k}"), "target": post.get(f"target:{k}")}
            elif rule == Rule.THRESHOLDS:
                bands = []
                for part in (post.get(f"bands:{k}") or "").replace("，", ",").split(","):
                    if ":" in part.replace("：", ":"):
                        span, pts = part.replace("：", ":").rsplit(":", 1)
                        lo, _sep, hi = span.partition("-")
                        bands.append(
                            {"from": lo.strip() or None, "to": hi.strip() or None, "points": pts.strip()}
                        )
                params = {"bands": bands}
            elif rule == Rule.YESNO:
                params = {"pass_at": post.get(f"pass_at:{k}") or "1"}
            dim = (post.get(f"dim:{k}") or g["label"]).strip()
            dims.setdefault(dim, []).append({"indicator": k, "label": post.get(f"label:{k}") or ind["label"],
                                             "weight": post.get(f"weight:{k}"), "rule": rule, "params": params})  # fmt: skip
    for n in range(1, 6):
        label = (post.get(f"manual-label:{n}") or "").strip()
        if not label:
            continue
        dim = (post.get(f"manual-dim:{n}") or _("工作实绩")).strip()
        dims.setdefault(dim, []).append({"label": label, "weight": post.get(f"manual-weight:{n}"), "rule": Rule.MANUAL,
                                         "evidence_required": bool(post.get(f"manual-evidence:{n}"))})  # fmt: skip
    return [{"name": d, "items": its} for d, its in dims.items()], {}


@login_required
def scheme_build(request):
    if not scope.holds(request.user, MANAGE):
        return error_page(request, 403)
    level = request.POST.get("level") or request.GET.get("level") or Level.COMMUNITY
    catalogue = schemes.catalogue_by_module(request.user, level)
    error, post = None, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        dims, _x = _builder_payload(request.POST, catalogue)
        doc = request.FILES.get("standard")
        try:
            s = schemes.create_scheme(
                request.user, org=post.get("org"), name=post.get("name"), kind=post.get("kind") or SchemeKind.UNIFIED,
                level=level, body=post.get("body"), frequency=post.get("frequency") or Frequency.YEAR,
                counts_as=post.get("counts_as") or None, grades=grades_from_text(post.get("grades")),
                objection_days=post.get("objection_days") or 7, title_name=post.get("title_name"),
                term_years=post.get("term_years") or 0, recheck_months=post.get("recheck_months") or 0,
                dimensions=dims, standard=(doc.name, doc.read()) if doc else None,
            )  # fmt: skip
            return redirect(s.get_absolute_url())
        except DomainError as exc:
            error = exc.message
    for g in catalogue:  # a refused form comes back as it was filled
        for ind in g["indicators"]:
            ind["post"] = {
                f: post.get(f"{f}:{ind['key']}", "")
                for f in ("on", "dim", "weight", "rule", "floor", "target", "bands", "pass_at")
            }
            ind["post"]["dim"] = ind["post"]["dim"] or g["label"]
    manual_rows = [{"n": n, **{f: post.get(f"manual-{f}:{n}", "") for f in ("label", "dim", "weight", "evidence")}}
                   for n in range(1, 6)]  # fmt: skip
    ctx = {"catalogue": catalogue, "orgs": _manage_orgs(request.user), "post": post, "error": error,
           "rules": Rule.choices, "kinds": SchemeKind.choices, "levels": Level.choices,
           "frequencies": Frequency.choices, "counts": CountsAs.choices, "manual_rows": manual_rows, "posted": bool(post)}  # fmt: skip
    return render(request, "assessment/scheme_build.html", ctx, status=400 if error else 200)


# --- rounds -----------------------------------------------------------------------------------------
@require_POST
@login_required
def round_create(request, pk):
    try:
        r = rounds.open_round(request.user, scheme=pk, period=request.POST.get("period"), org=request.POST.get("org"),
                              apply_by=request.POST.get("apply_by") or None)  # fmt: skip
    except DomainError as exc:
        return _fail(request, exc, reverse("assessment:scheme-detail", args=[pk]))
    return redirect(r.get_absolute_url())


@reads(Round)
def round_detail(request, pk):
    r = _visible(Round, request.user, pk)
    kind, band = request.GET.get("kind", ""), request.GET.get("band", "")
    rows = rounds.results(request.user, r, kind=kind, band=band)
    manage = rounds.may_manage(request.user, r)
    if request.GET.get("export") == "xlsx" or request.method == "POST":  # no personal data: one export
        if not (r.published or manage):
            return error_page(request, 403)
        return xlsx_response(f"考核结果-{r.period}", reports.workbook(r, rows))
    shown = r.published or manage
    chart = reports.chart(rows) if shown else None
    mine = [e for e in rows if scope.covers(request.user, e.unit.code, SELF)]
    ctx = {"r": r, "s": r.scheme, "rows": rows if shown else [e for e in rows if e in mine], "shown": shown,
           "manage": manage, "chart": chart, "kind": kind, "band": band, "kinds": CommunityType.choices,
           "bands": sorted({(e.profile or {}).get("band") for e in rows} - {None, ""}),
           "can_apply": r.scheme.kind == SchemeKind.CREATION and not r.published and scope.holds(request.user, SELF),
           "objections": Objection.objects.visible_to(request.user).filter(entry__round=r).select_related("entry__unit", "score__item")[:100]}  # fmt: skip
    return render(request, "assessment/round_detail.html", ctx)


@require_POST
@login_required
def round_compute(request, pk):
    try:
        rounds.compute_round(
            request.user,
            pk,
            source=request.POST.get("source") or "live",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        return _fail(request, exc, reverse("assessment:round-detail", args=[pk]))
    return redirect("assessment:round-detail", pk=pk)


@require_POST
@login_required
def round_publish(request, pk):
    try:
        rounds.publish(request.user, pk)
    except DomainError as exc:
        return _fail(request, exc, reverse("assessment:round-detail", args=[pk]))
    return redirect("assessment:round-detail", pk=pk)


@reads(Entry)
def entry_detail(request, pk):
    e = _visible(Entry, request.user, pk)
    r = e.round
    shown = rounds.shows_results(request.user, e)
    scores = list(
        e.scores.select_related("item__dimension").order_by("item__dimension__position", "item__position")
    )
    evidence = attachments_of(ItemScore, [s.pk for s in scores])
    for s in scores:
        s.evidence = evidence.get(str(s.pk), [])
        ind = indicators.get(s.item.indicator) if s.item.indicator and s.item.indicator in _keys() else None
        s.formula = str(ind.formula) if ind else ""
    own = scope.covers(request.user, e.unit.code, SELF)
    today = timezone.localdate()
    ctx = {"e": e, "r": r, "s": r.scheme, "scores": scores, "shown": shown, "manage": rounds.may_manage(request.user, r),
           "own": own, "can_self": own and not r.published,
           "can_object": own and r.published and (r.objection_until is None or today <= r.objection_until),
           "objections": e.objections.select_related("score__item"),
           "chart": reports.entry_chart(scores) if shown else None}  # fmt: skip
    return render(request, "assessment/entry_detail.html", ctx)


def _keys():
    from shequ.core import registry

    return registry.indicators()


def _back_to_entry(request, exc, pk):
    return _fail(request, exc, reverse("assessment:entry-detail", args=[pk]))


@require_POST
@login_required
def score_item(request, pk):
    try:
        sc = get_visible(ItemScore, request.user, pk)
        rounds.score_item(request.user, pk, points=request.POST.get("points"), note=request.POST.get("note", ""),
                          photos=read_photos(request.FILES.getlist("photos")))  # fmt: skip
    except DomainError as exc:
        return _fail(request, exc)
    return redirect("assessment:entry-detail", pk=sc.entry_id)


@require_POST
@login_required
def self_assess(request, pk):
    scores = {k.split(":", 1)[1]: v for k, v in request.POST.items() if k.startswith("self:") and v.strip()}
    try:
        rounds.self_assess(request.user, pk, scores=scores, note=request.POST.get("note", ""))
    except DomainError as exc:
        return _back_to_entry(request, exc, pk)
    return redirect("assessment:entry-detail", pk=pk)


@require_POST
@login_required
def objection_file(request, pk):
    try:
        rounds.file_objection(
            request.user, pk, reason=request.POST.get("reason"), score_id=request.POST.get("score") or None
        )
    except DomainError as exc:
        return _back_to_entry(request, exc, pk)
    return redirect(reverse("assessment:entry-detail", args=[pk]) + "#objections")


@require_POST
@login_required
def objection_handle(request, pk):
    try:
        o = get_visible(Objection, request.user, pk)
        rounds.handle_objection(request.user, pk, decision=request.POST.get("decision"), reply=request.POST.get("reply", ""),
                                points=request.POST.get("points") or None)  # fmt: skip
    except DomainError as exc:
        return _fail(request, exc)
    return redirect(reverse("assessment:entry-detail", args=[o.entry_id]) + "#objections")


@login_required
def mine(request):
    """A community's own entries: results once published, self-assessment and objections."""
    if not scope.holds(request.user, SELF):
        return error_page(request, 403)
    roots = scope.perm_codes(request.user, SELF)
    qs = Entry.objects.visible_to(request.user).select_related("round__scheme", "unit")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("scope_code", roots))
    return render(
        request, "assessment/mine.html", {"entries": qs.order_by("-round__start", "unit__code")[:100]}
    )


# --- creation ---------------------------------------------------------------------------------------
@require_POST
@login_required
def round_apply(request, pk):
    try:
        e = creation.apply(
            request.user, pk, community=request.POST.get("community"), claim=request.POST.get("claim")
        )
    except DomainError as exc:
        return _fail(request, exc, reverse("assessment:round-detail", args=[pk]))
    return redirect(e.get_absolute_url())


@require_POST
@login_required
def entry_accept(request, pk):
    scores = {k.split(":", 1)[1]: v for k, v in request.POST.items() if k.startswith("score:") and v.strip()}
    try:
        creation.accept(request.user, pk, inspected_on=request.POST.get("inspected_on") or None,
                        note=request.POST.get("note"), scores=scores)  # fmt: skip
    except DomainError as exc:
        return _back_to_entry(request, exc, pk)
    return redirect("assessment:entry-detail", pk=pk)


@require_POST
@login_required
def entry_decide(request, pk):
    try:
        creation.decide(
            request.user, pk, grant=request.POST.get("grant") == "1", note=request.POST.get("note", "")
        )
    except DomainError as exc:
        return _back_to_entry(request, exc, pk)
    return redirect("assessment:entry-detail", pk=pk)


@reads(Title)
def title_list(request):
    rows = Title.objects.visible_to(request.user).select_related("community", "scheme")
    return render(request, "assessment/title_list.html", {"titles": rows[:300]})


# --- descriptors ------------------------------------------------------------------------------------
@reads(CommunityProfile)
def profiles(request):
    roots = scope.perm_codes(request.user, VIEW)
    qs = OrgUnit.objects.filter(level=OrgLevel.COMMUNITY)
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    units = list(qs.order_by("code")[:500])
    found = descriptors.profiles([u.code for u in units])
    kind = request.GET.get("kind", "")
    rows = [{"unit": u, **found[u.code]} for u in units if not kind or found[u.code]["kind"] == kind]
    ctx = {"rows": rows, "kinds": CommunityType.choices, "kind": kind, "matters": descriptors.matters(),
           "can_manage": scope.holds(request.user, MANAGE)}  # fmt: skip
    return render(request, "assessment/profiles.html", ctx)


@require_POST
@login_required
def profile_set(request):
    try:
        descriptors.set_profile(request.user, community=request.POST.get("community"), kind=request.POST.get("kind"),
                                households=request.POST.get("households") or None,
                                residents=request.POST.get("residents") or None)  # fmt: skip
    except DomainError as exc:
        return _fail(request, exc, reverse("assessment:profiles"))
    return redirect("assessment:profiles")
