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
                ):
                    importlib.import_module(module).seed(apps, None)
    yield
