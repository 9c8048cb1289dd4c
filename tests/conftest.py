import os

import pytest

from shequ.core import crypto
from shequ.core.testing.world import build_world


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Keep pytest-django's database per xdist worker, and close every connection at the end of its
    request: a live server's request threads, kept alive by the browser, would otherwise hold
    PostgreSQL sessions open and stop the test database from being dropped."""
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _isolated_keys(settings, tmp_path):
    """Every test gets its own key file, so rotation tests cannot disturb others."""
    settings.FIELD_KEYS = None
    settings.FIELD_KEY_FILE = tmp_path / "field_keys.json"
    crypto.reset_keyring()
    yield
    crypto.reset_keyring()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; the tests create many users. Production settings keep Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Background jobs run in-process in tests, even when SHEQU_REDIS_URL points at a broker with
    no worker; the Redis round trip has its own test that starts a real worker."""
    from shequ.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture(autouse=True)
def _seeded_reference_data(request, django_db_blocker):
    """What the migrations seed (default tag definitions, the holiday calendar) is gone after a
    transactional test's flush; put it back before a test that uses the database."""
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if uses_db or request.node.get_closest_marker("django_db"):
        from shequ.people.models import TagDefinition

        with django_db_blocker.unblock():
            if not TagDefinition.objects.exists():
                import importlib

                from django.apps import apps

                for module in (
                    "shequ.people.migrations.0002_seed_tags",
                    "shequ.core.migrations.0004_seed_calendar",
                    "shequ.cases.migrations.0002_seed_categories",
                    "shequ.workforce.migrations.0002_specialist_posts",
                    "shequ.facilities.migrations.0002_seed_standards",
                    "shequ.participation.migrations.0002_seed_types",
                    "shequ.workforce.migrations.0005_pay",
                    "shequ.ledgers.migrations.0002_seed_matter_types",
                    "shequ.services.migrations.0002_seed_categories",
                    "shequ.teams.migrations.0002_seed_kinds",
                    "shequ.finance.migrations.0002_seed_kinds",
                    "shequ.archives.migrations.0002_seed_scheme",
                    "shequ.assessment.migrations.0002_seed_reference",
                    "shequ.teams.migrations.0003_cobuilding",
                    ("shequ.teams.migrations.0005_party_awards", "seed_awards"),
                ):
                    module, fn = module if isinstance(module, tuple) else (module, "seed")
                    getattr(importlib.import_module(module), fn)(apps, None)
    yield


# --- groups of tests a run may leave out ---------------------------------------------------------
# SHEQU_TEST_SKIP=browser,scope,schemathesis leaves those groups out of a run. CI's PostgreSQL pass
# does so: they drive pages and the API through the same ORM filters and run in full on SQLite in
# the same CI run, which keeps the whole CI under 30 minutes (see docs/operations.md).
SKIPPABLE = {
    "browser": "tests/browser/",
    "scope": "tests/core/test_scope_isolation.py",
    "schemathesis": "tests/core/test_schemathesis.py",
}


def _skipped_groups() -> list[str]:
    wanted = [g.strip() for g in os.environ.get("SHEQU_TEST_SKIP", "").split(",") if g.strip()]
    unknown = [g for g in wanted if g not in SKIPPABLE]
    if unknown:
        raise pytest.UsageError(f"SHEQU_TEST_SKIP: unknown group(s) {unknown}; known: {sorted(SKIPPABLE)}")
    return wanted


def pytest_report_header(config):
    groups = _skipped_groups()
    return [f"left out by SHEQU_TEST_SKIP: {', '.join(groups)}"] if groups else []


def pytest_collection_modifyitems(config, items):
    prefixes = tuple(SKIPPABLE[g] for g in _skipped_groups())
    if not prefixes:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.nodeid.startswith(prefixes) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
