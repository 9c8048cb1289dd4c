"""Browser fixtures: the system Chromium driven through Playwright's sync API against live_server.

Every page a test opens is watched: console errors (CSP violations land there), uncaught page
errors, failed requests and sub-resources answered with 4xx/5xx are collected, and a test must see
none of them (`Tab.assert_clean`, and once more when the tab is closed)."""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in this thread; Django would otherwise refuse
# ORM calls from the test body and from pytest-django's own database teardown.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SHEQU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

# Map tiles (only when SHEQU_MAP_TILE_URL points at a tile server) may fail without failing a test.
_TILE_RE = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp)(\?|$)")
_FAILED_LOAD = "Failed to load resource"


def _unavailable(reason: str):
    if os.environ.get("SHEQU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} — and SHEQU_REQUIRE_BROWSER=1, so the browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM} (install the chromium package or set SHEQU_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Python Playwright is not installed (pip install -e '.[dev]')")
    pw = sync_playwright().start()
    try:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # pragma: no cover - depends on the machine
        pw.stop()
        _unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
    yield instance
    instance.close()
    pw.stop()


class Tab:
    """One page in its own browser context, with everything that went wrong on it collected."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.problems: list[str] = []
        self._documents: set[str] = set()
        # Chromium reports a navigation that turns into a download as an aborted request, and the
        # report may come before or after the download event: aborts wait here until the tab is
        # checked, and those of downloaded URLs are dropped.
        self._downloads: set[str] = set()
        self._aborted: list[tuple[str, str]] = []
        self.page.on("download", lambda d: self._downloads.add(d.url))
        self.page.on("console", self._on_console)
        self.page.on(
            "pageerror", lambda exc: self.problems.append(f"uncaught JS error on {self.page.url}: {exc}")
        )
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)

    # -- watchers --------------------------------------------------------------------------------
    @staticmethod
    def _is_tile(url: str) -> bool:
        return bool(_TILE_RE.search(url))

    def _on_console(self, msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        # Chromium reports every 4xx/5xx answer as a console error. For the page itself the test
        # checks the status (an intended 404 page, a form answered with 400); sub-resources are
        # reported by _on_response with their URL.
        if msg.text.startswith(_FAILED_LOAD) and (url in self._documents or self._is_tile(url) or not url):
            return
        self.problems.append(f"console error on {self.page.url}: {msg.text} ({url})")

    def _on_request_failed(self, request):
        if self._is_tile(request.url) or request.url in self._downloads:
            return
        if "ERR_ABORTED" in (request.failure or "") and "/org/basemap.json" in request.url:
            return  # the map's viewport data, cancelled by the next pan or by leaving the page
        problem = f"request failed on {self.page.url}: {request.method} {request.url} — {request.failure}"
        if "ERR_ABORTED" in (request.failure or "") and request.resource_type == "document":
            self._aborted.append((request.url, problem))
        else:
            self.problems.append(problem)

    def take_problems(self) -> list[str]:
        """Everything that went wrong since the last check (aborted downloads excepted)."""
        aborted, self._aborted = self._aborted, []
        problems, self.problems = self.problems, []
        return problems + [p for url, p in aborted if url not in self._downloads]

    def _on_response(self, response):
        request = response.request
        if request.resource_type == "document":
            self._documents.add(response.url)
            return
        if response.status >= 400 and not self._is_tile(response.url):
            self.problems.append(
                f"{response.status} for {request.resource_type} {request.method} {response.url} "
                f"(on {self.page.url})"
            )

    # -- actions ---------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, status: int = 200):
        response = self.page.goto(self.url(path))
        assert response is not None, path
        assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
        self.settle()
        return response

    def settle(self):
        """Wait until the page, its htmx requests and its web fonts have finished."""
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def charts_drawn(self, at_least: int = 1):
        """Wait until the page has at least `at_least` ECharts charts and every one of them has
        finished drawing (shequ.js marks each with data-chart-drawn on ECharts' "finished")."""
        self.page.wait_for_function(
            "n => { const all = document.querySelectorAll('[data-chart]');"
            " return all.length >= n && [...all].every(el => el.dataset.chartDrawn === '1'); }",
            arg=at_least,
        )

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def submit(self, form_selector: str, fields: dict):
        """Fill a form's fields and submit it by its button; returns the response of the page reached."""
        form = self.page.locator(form_selector)
        for name, value in fields.items():
            form.locator(f"[name={name}]").fill(value)
        with self.page.expect_navigation() as nav:
            form.locator("button[type=submit]").click()
        self.settle()
        return nav.value

    def login(self, username: str, password: str, next_path: str = "/"):
        """Sign in through the login form (from wherever `next_path` redirects to it)."""
        if not self.path().startswith("/login/"):
            self.goto(next_path)
        assert self.path().startswith("/login/"), f"expected the login page, got {self.path()}"
        return self.submit("form:has(input[name=password])", {"username": username, "password": password})

    def pass_totp(self, secret: str, code: str | None = None):
        import pyotp

        return self.submit("form:has(input[name=code])", {"code": code or pyotp.TOTP(secret).now()})

    def assert_clean(self, where: str = ""):
        problems = self.take_problems()
        assert not problems, f"browser problems{' on ' + where if where else ''}:\n  " + "\n  ".join(problems)

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        self.settle()
        self.page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path


def sign_in(t, user, secrets: dict, password: str | None = None):
    """Sign in through the login form; street, district and administrator accounts enrol and pass
    the TOTP second factor (the secret is read from the enrolment page, once per account)."""
    from shequ.core.testing.world import PASSWORD

    t.login(user.username, password or PASSWORD)
    if t.path() == "/login/totp/":
        if user.username not in secrets:
            secrets[user.username] = t.page.inner_text("#totp-secret").strip()
        t.pass_totp(secrets[user.username])
    assert t.path() == "/", f"{user.username} should land on the home page, not {t.path()}"
    t.assert_clean(f"signed in as {user.username}")


def shoot(t, name: str):
    """A full-page screenshot taken from the top (a scrolled page would draw its sticky navbar
    across the middle of the picture)."""
    t.page.evaluate("window.scrollTo(0, 0)")
    return t.screenshot(name)


@pytest.fixture
def new_tab(browser, live_server):
    """Factory: new_tab(viewport=DESKTOP) → a Tab on live_server in a fresh context (own cookies)."""
    tabs: list[Tab] = []

    def make(viewport=DESKTOP) -> Tab:
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            device_scale_factor=1,
            is_mobile=viewport["width"] < 500,
            has_touch=viewport["width"] < 500,
        )
        tab = Tab(context, live_server.url)
        tabs.append(tab)
        return tab

    yield make
    leftovers = []
    for tab in tabs:
        leftovers += tab.take_problems()
        tab.context.close()
    assert not leftovers, "browser problems not checked by the test:\n  " + "\n  ".join(leftovers)


@pytest.fixture
def tab(new_tab) -> Tab:
    return new_tab()


PEOPLE_PER_COMMUNITY = 400  # the demo's 5,000–7,000 per community would take far longer to load


@pytest.fixture
def demo_data(transactional_db, monkeypatch):
    """The org demo (as test_walkthrough loads it), with a few hundred residents per community.

    (tests/conftest.py puts back what the migrations seeded after every flush.)"""
    from shequ.org import demo as org_demo
    from shequ.people import demo as people_demo
    from shequ.people.models import Resident, TagDefinition

    assert TagDefinition.objects.filter(code="living_alone").exists()
    monkeypatch.setattr(
        org_demo,
        "_load_people",
        lambda seed, echo: people_demo.load(
            seed=seed,
            echo=echo,
            targets={code: PEOPLE_PER_COMMUNITY for code, *_rest in org_demo.COMMUNITIES},
        ),
    )
    org_demo.load(echo=lambda *a: None)
    assert Resident.objects.filter(community__code=org_demo.COMMUNITIES[0][0]).count() >= PEOPLE_PER_COMMUNITY
