"""What modules register with the kernel: navigation, the org-node resolver, dashboard cards.

An app joins the platform by listing itself in INSTALLED_APPS and, in its AppConfig:
  - `shequ_module = True`   → its `urls.py` is mounted at /<label>/ and its `api.py` `router`
                              at /api/v1/<label>/ (see shequ/urls.py, shequ/core/api.py);
  - `nav = [NavItem(...)]`  → entries in the page shell's navigation;
  - `ready()` may call register_permission() and register_dashboard_card().
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    perm: str | None = None  # shown only to holders of this permission
    roles: frozenset | None = None  # or only to these roles
    children: tuple = field(default_factory=tuple)


# What each role comes to do, first in its menu and as buttons atop its home page, in this order
# (on a phone the menu is one long column: a grid worker should not scroll past 组织架构 to reach
# 巡查上报). The entries are the modules' own nav items, so their permissions still apply; a name
# no installed module offers is skipped.
LEADING_NAV: dict[str, tuple[str, ...]] = {
    Role.GRID_WORKER: ("cases:patrol", "cases:todo", "people:visits-due"),
    Role.DEPARTMENT: ("cases:todo", "duties:request-list", "duties:task-list"),
    Role.RESIDENT: ("cases:report", "cases:mine", "cases:lookup", "duties:public-lists"),
}


def shequ_apps():
    return [a for a in apps.get_app_configs() if getattr(a, "shequ_module", False)]


def _leading_names(held) -> list[str]:
    names = []
    for role in Role:  # a user with several roles: in the order of the roles
        if role in held:
            names += [n for n in LEADING_NAV.get(role, ()) if n not in names]
    return names


def nav_for(user) -> list[dict]:
    """The sidebar groups the user may see; the entries their roles lead with come first, in a
    group of their own (flagged "lead"), and are not repeated in their module's group. A group
    names its URL namespaces ("spaces"): the menu opens the group of the page being shown."""
    from shequ.core import scope

    held = {m.role for m in scope.memberships(user)}
    lead_names = _leading_names(held)
    out, lead = [], {}
    for app in shequ_apps():
        items = []
        for item in getattr(app, "nav", []):
            if item.perm and not scope.holds(user, item.perm):
                continue
            if item.roles and not (held & item.roles):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            entry = {"label": item.label, "url": url, "icon": item.icon, "name": item.url_name}
            if item.url_name in lead_names:
                lead[item.url_name] = entry
            else:
                items.append(entry)
        if items:
            spaces = sorted({e["name"].split(":")[0] for e in items})
            out.append(
                {"label": getattr(app, "nav_label", app.verbose_name), "items": items, "spaces": spaces}
            )
    if lead:
        items = [lead[n] for n in lead_names if n in lead]
        out.insert(0, {"label": _("常用"), "items": items, "lead": True})
    return out


_node_resolver = None


@dataclass(frozen=True)
class DashboardCard:
    fn: object
    roles: frozenset | None  # None: offered to every role (the function may still decline)
    order: int


_dashboard_cards: list[DashboardCard] = []


def register_node_resolver(fn) -> None:
    """fn(code) -> node with .code/.name/.level or None; the org app provides it."""
    global _node_resolver
    _node_resolver = fn


def resolve_node(code: str):
    return _node_resolver(code) if _node_resolver else None


def register_dashboard_card(fn, *, roles=None, order: int = 100) -> None:
    """fn(request, focus_code) -> {"template", "context", "width"} or None. `roles`: the roles the
    card is for (a department's home shows no grid coverage, a resident's no scope figures); the
    home page renders a user's cards by `order` (what waits on the user first, overviews after),
    then in registration order. "width" is a Bootstrap column class (default "col-12")."""
    _dashboard_cards.append(DashboardCard(fn, frozenset(roles) if roles is not None else None, order))


def dashboard_cards(user=None) -> list:
    """The card functions for this user's roles (all of them without a user), in page order."""
    if user is None:
        cards = list(_dashboard_cards)
    else:
        from shequ.core import scope

        held = {m.role for m in scope.memberships(user)}
        cards = [c for c in _dashboard_cards if c.roles is None or held & c.roles]
    return [c.fn for c in sorted(cards, key=lambda c: c.order)]


# --- records one app shows on another's page -----------------------------------------------------
@dataclass(frozen=True)
class DetailPanel:
    fn: object
    order: int


_detail_panels: dict[str, list[DetailPanel]] = {}


def register_detail_panel(model_label: str, fn, *, order: int = 100) -> None:
    """fn(request, obj) -> {"template", "context"} or None: a panel another app adds to the detail
    page of `model_label` ("cases.case"), e.g. the 议题 a case became. The page renders the panels
    with `{% detail_panels obj %}`; the function decides, by the user's scope, whether to show one."""
    _detail_panels.setdefault(model_label.lower(), []).append(DetailPanel(fn, order))


def detail_panels(request, obj) -> list[dict]:
    """The panels registered for obj's model that have something to show this user."""
    label = f"{obj._meta.app_label}.{obj._meta.model_name}"
    out = []
    for panel in sorted(_detail_panels.get(label, []), key=lambda p: p.order):
        found = panel.fn(request, obj)
        if found:
            out.append(found)
    return out


_references: dict[str, object] = {}


def register_reference(kind: str, fn) -> None:
    """fn(user, ref) -> {"id", "number", "title", "url", "scope_code"} or None: how another app
    names one of this app's records (a case by its receipt number) without importing it; None when
    the record does not exist or the user may not read it."""
    _references[kind] = fn


def resolve_reference(kind: str, user, ref):
    """The record `ref` of `kind` as the user may see it, or None (also when no app offers `kind`)."""
    fn = _references.get(kind)
    return fn(user, ref) if fn is not None and ref not in (None, "") else None


# --- an election's results, for the apps that keep who holds an office -----------------------------
@dataclass(frozen=True)
class ElectedMember:
    """One person elected to a community's residents' committee: the registry's resident (its pk,
    name, ID number, birth date, gender, education, political status as the registry codes them)
    and the office (director, deputy_director, member)."""

    resident_id: int
    name: str
    office: str
    id_number: str = ""
    birth_date: object = None
    gender: str = ""
    education: str = ""
    political_status: str = ""


_election_receivers: list = []


def register_election_receiver(fn) -> None:
    """fn(actor, community_code, term_label, start, members: list[ElectedMember]) -> str | None:
    an app that keeps the two committees' offices (the workforce roster) takes the newly elected
    committee in, inside the declaring transaction (its refusal undoes the declaration); it may
    return a line saying what it did."""
    _election_receivers.append(fn)


def election_declared(actor, community_code: str, term_label: str, start, members) -> list[str]:
    """Tell every registered receiver who was elected; their notes, in registration order."""
    notes = []
    for fn in _election_receivers:
        note = fn(actor, community_code, term_label, start, list(members))
        if note:
            notes.append(str(note))
    return notes


# --- indicators an app offers (the catalogue: core.indicators reads them by key) ------------------
SCOPE_LEVELS = ("community", "street", "district")
PERIOD_KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Indicator:
    """A figure of a scope over a period: compute(user, code, start, end) -> {"value": Decimal|None
    (in `unit`), "numerator": int, "denominator": int|None, ...}; `formula` says how it is counted.

    `reads` names the data it reads (shown in the catalogue); `scopes` and `periods` are the org
    levels and period kinds it is meaningful for; `compute_many(user, codes, start, end) -> {code:
    result}` computes many scopes at once (one grouped query rather than one per scope), and the
    catalogue falls back to calling `compute` per code without it; `breakdowns` names the keys of
    `result["by"]` ({"category": {label: value}} …) a form may bind rows to; `higher_is_better`
    tells a scoring rule which way is good."""

    key: str
    label: str
    unit: str
    formula: str
    perm: str
    compute: object
    reads: tuple = ()
    scopes: tuple = SCOPE_LEVELS
    periods: tuple = PERIOD_KINDS
    compute_many: object = None
    breakdowns: tuple = ()
    higher_is_better: bool = True

    @property
    def module(self) -> str:
        return self.key.split(".", 1)[0]


_indicators: dict[str, Indicator] = {}


def register_indicator(key: str, *, label, unit: str, formula, perm: str, compute, **more) -> None:
    """Offer an indicator (from an AppConfig.ready); the key is "<app>.<name>". `more` takes the
    optional fields of `Indicator` (reads, scopes, periods, compute_many, breakdowns,
    higher_is_better)."""
    if "." not in key:
        raise ValueError(f"indicator key {key!r} must be '<app>.<name>'")
    _indicators[key] = Indicator(key, label, unit, formula, perm, compute, **more)


def indicators() -> dict[str, Indicator]:
    return dict(_indicators)


def indicator(key: str) -> Indicator | None:
    return _indicators.get(key)


# --- places: rooms and grounds one module keeps, where another module's records happen ------------
_places: dict[str, object] = {}


def register_places(*, options, get) -> None:
    """The module that keeps the premises (facilities) offers them as places: options(user, code) →
    [(id, label, capacity)] the user may choose under an org code; get(user, id) → {"id", "name",
    "community", "capacity", "url", "scope_code"} or None when it does not exist or is not the user's
    to see. Another module (an activity held in a room) stores the id and a copy of the name."""
    _places["options"] = options
    _places["get"] = get


def place_options(user, code: str) -> list:
    """Places the user may choose under `code` ([] when no module keeps premises)."""
    fn = _places.get("options")
    return list(fn(user, code)) if fn is not None and code else []


def place(user, pk):
    """One place as the user may see it, or None."""
    fn = _places.get("get")
    return fn(user, pk) if fn is not None and pk not in (None, "") else None


# --- counts and money one app keeps for another (the finance module's hooks) -----------------------
_headcounts: dict[str, object] = {}


def register_headcount(kind: str, fn) -> None:
    """fn(codes) -> {community code: count}: how many of `kind` ("workers") each community has,
    offered by the app that keeps them (the workforce roster) to one that computes with them."""
    _headcounts[kind] = fn


def headcount(kind: str, codes) -> dict[str, int] | None:
    """Counts of `kind` per community code, or None when no installed app keeps them."""
    fn = _headcounts.get(kind)
    return fn(list(codes)) if fn is not None else None


_task_money: dict[str, object] = {}


def register_task_money(*, arrived, record) -> None:
    """The finance module keeps the arrivals of the money that follows admitted tasks:
    arrived(commitment_ids) -> {commitment id: Decimal yuan arrived}; record(actor, commitment_id,
    amount, **details) records one arrival (the one record both modules read)."""
    _task_money.update(arrived=arrived, record=record)


def task_money_arrived(commitment_ids) -> dict | None:
    """Yuan arrived per funding commitment, or None when no app records arrivals."""
    fn = _task_money.get("arrived")
    return fn(list(commitment_ids)) if fn is not None else None


def task_money_recorder():
    """The function that records an arrival of task money, or None."""
    return _task_money.get("record")


# --- figures an award in place of a subsidy (以奖代补) can rest on ---------------------------------
@dataclass(frozen=True)
class AwardBasis:
    """What a 以奖代补 scheme rewards: compute(codes, year) -> {community code: Decimal} (the figure
    of each community in the year, in `unit`); compute None means a score entered by the reviewer."""

    key: str
    label: str
    unit: str
    compute: object


_award_bases: dict[str, AwardBasis] = {}


def register_award_basis(key: str, *, label, unit: str, compute=None) -> None:
    """Offer a figure per community and year (from an AppConfig.ready); the key is "<app>.<name>"."""
    _award_bases[key] = AwardBasis(key, label, unit, compute)


def award_bases() -> dict[str, AwardBasis]:
    return dict(_award_bases)


def award_basis(key: str) -> AwardBasis | None:
    return _award_bases.get(key)


# --- records another module files in the community archives --------------------------------------
@dataclass(frozen=True)
class ArchiveCandidate:
    """One record a module offers for filing: its id and number, the title, the responsible party
    (责任者), the document date, and the org code of the fonds it belongs to (community or street)."""

    source_id: str
    label: str
    title: str
    responsible: str
    date: object
    org_code: str


@dataclass(frozen=True)
class ArchiveSource:
    """A capture rule: which records of a module are filed, where (class, retention, 机构/问题,
    and the retention-schedule line), how to list a year's candidates and render one as a file.
    candidates(org_code, year) -> [ArchiveCandidate] (records of that fonds' subtree and year);
    render(source_id) -> (file name, bytes) or None when the record is gone."""

    key: str
    label: str
    archive_class: str
    retention: str
    topic: str
    entry: str
    candidates: object
    render: object
    openness: str = "open"  # open | restricted | closed: how the filed item is used
    openness_reason: str = ""


_archive_sources: dict[str, ArchiveSource] = {}


def register_archive_source(key: str, *, label, archive_class: str, retention: str, topic: str, entry: str,
                            candidates, render, openness: str = "open", openness_reason: str = "") -> None:  # fmt: skip
    """Offer a module's records to the archives (from an AppConfig.ready); key is "<app>.<name>".
    The archives module checks the class, retention and 机构/问题 against its retention schedule;
    a record holding residents' personal data is filed as restricted (`openness`, with the reason)."""
    _archive_sources[key] = ArchiveSource(key, label, archive_class, retention, topic, entry, candidates, render,
                                          openness, openness_reason)  # fmt: skip


def archive_sources() -> dict[str, ArchiveSource]:
    return dict(_archive_sources)


def archive_document(title: str, fields, body: str = "", sections=(), tables=()) -> bytes:
    """A record rendered for filing as a UTF-8 XML document (a long-term format): its title, its
    described fields [(label, value)], its text, further sections [(heading, [lines])] and tables
    [(heading, [column], [[cell]])] (an annual ledger: XML rather than a workbook, because the four
    checks flag spreadsheets as not fit for long-term keeping)."""
    from xml.etree import ElementTree as ET

    root = ET.Element("record")
    ET.SubElement(root, "title").text = str(title)
    meta = ET.SubElement(root, "fields")
    for label, value in fields:
        ET.SubElement(meta, "field", name=str(label)).text = "" if value is None else str(value)
    if body:
        ET.SubElement(root, "body").text = str(body)
    for heading, lines in sections:
        sec = ET.SubElement(root, "section", heading=str(heading))
        for line in lines:
            ET.SubElement(sec, "line").text = str(line)
    for heading, columns, rows in tables:
        tab = ET.SubElement(root, "table", heading=str(heading))
        head = ET.SubElement(tab, "columns")
        for c in columns:
            ET.SubElement(head, "column").text = str(c)
        for row in rows:
            r = ET.SubElement(tab, "row")
            for cell in row:
                ET.SubElement(r, "cell").text = "" if cell is None else str(cell)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


# --- training records of a person (the workforce roster's), for the archives' staff report ---------
@dataclass(frozen=True)
class TrainingRecord:
    """One training a person attended: its title, kind (label), first and last day, days counted,
    and whether they passed its assessment (None when it was not assessed)."""

    title: str
    kind: str
    start: object
    end: object
    days: object
    passed: bool | None = None


_training_source = None


def register_training_records(fn) -> None:
    """fn(user_ids) -> {user_id: [TrainingRecord]}: the app that keeps training records (workforce)
    answers for the accounts it knows; accounts it has no record for are left out."""
    global _training_source
    _training_source = fn


def training_records(user_ids) -> dict | None:
    """Training records by account, or None when no module keeps training records."""
    if _training_source is None:
        return None
    return _training_source(list(user_ids))


def annual_ledger_candidate(code: str, name: str, year: int, what: str) -> ArchiveCandidate | None:
    """An annual ledger of one community as a capture candidate (source id "<code>:<year>"), dated
    31 December; None for a street or district fonds (each community files its own ledgers) and for
    a year not yet over (the ledger would be incomplete)."""
    import datetime as dt

    from django.utils import timezone

    if len(code) != 12 or year >= timezone.localdate().year:
        return None
    return ArchiveCandidate(source_id=f"{code}:{year}", label=f"{code}-{year}", title=f"{name}{year}年度{what}",
                            responsible=name, date=dt.date(year, 12, 31), org_code=code)  # fmt: skip


def annual_ledger_of(source_id: str) -> tuple[str, int] | None:
    """(community code, year) of an annual ledger's source id, or None when it is not one."""
    code, _sep, year = str(source_id).partition(":")
    if len(code) != 12 or not code.isdigit() or not year.isdigit():
        return None
    return code, int(year)


# --- ledgers a module can print from its own list (一表通's generated ledgers) ----------------------
@dataclass(frozen=True)
class Ledger:
    """A ledger (台账) communities are asked to keep that the platform prints from its data: `rows(user,
    code, start, end) -> (headers, rows)` gives the lines of scope `code` the user may see (masked as
    in the module's own export); `asked_by` names who usually asks for it, `frequency` how often."""

    key: str
    label: str
    perm: str
    rows: object
    asked_by: str = ""
    frequency: str = ""
    url_name: str = ""


_ledgers: dict[str, Ledger] = {}


def register_ledger(key: str, *, label, perm: str, rows, **more) -> None:
    """Offer a ledger the platform generates (from an AppConfig.ready); key "<app>.<name>"."""
    _ledgers[key] = Ledger(key, label, perm, rows, **more)


def ledgers() -> dict[str, Ledger]:
    return dict(_ledgers)


# --- the burden ledger's counts of ledgers and forms, as the register of forms measures them ----------
_burden_measure: dict[str, object] = {}


def register_burden_measure(fn) -> None:
    """fn(user, code) -> {"ledgers": {"total", "generated", "typed"}, "forms": {...}} or None: the
    ledgers and forms communities under `code` are asked for, counted by the module that keeps
    their register (一表通), shown by the burden ledger beside its estimates."""
    _burden_measure["fn"] = fn


def burden_measure(user, code: str) -> dict | None:
    fn = _burden_measure.get("fn")
    return fn(user, code) if fn is not None else None


# --- inspections and ratings counted against the burden ledger's caps ------------------------------
_burden: dict[str, object] = {}


def register_burden_counter(*, load, record) -> None:
    """The module that keeps the burden ledger (duties) counts inspections, appraisals and ratings:
    load(codes, metric, day) -> {community code: (count active on day, cap or None)} for metric
    "inspections", "appraisals" or "evaluations"; record(actor, codes, metric, *, title, body, start,
    end) adds one of `metric` to each community's ledger from start to end."""
    _burden.update(load=load, record=record)


def burden_load(codes, metric: str, day) -> dict | None:
    """{code: (count, cap)} of `metric`, or None when no installed app keeps the burden ledger."""
    fn = _burden.get("load")
    return fn(list(codes), metric, day) if fn is not None else None


def burden_record(actor, codes, metric: str, **details) -> None:
    """Count one `metric` for each community (nothing when no app keeps the ledger)."""
    fn = _burden.get("record")
    if fn is not None:
        fn(actor, list(codes), metric, **details)


_burden_baselines: dict[str, object] = {}


def register_burden_baseline(key: str, *, label, count) -> None:
    """A baseline another module keeps for the burden ledger: count(code) -> int (the delegated
    administrative matters of a district, say), shown beside the ledger's own baselines."""
    _burden_baselines[key] = (label, count)


def burden_baselines(code: str) -> list[tuple[str, str, int]]:
    """(key, label, baseline count) of every registered baseline for `code`."""
    return [(k, str(label), int(count(code))) for k, (label, count) in _burden_baselines.items()]
