"""Schemathesis against the OpenAPI document: every operation of /api/v1/, with generated valid and
invalid input, once anonymously and once as a district administrator, with all of its checks
(no 5xx, every status and body as documented, invalid input refused, valid input not refused
as invalid, a route with security does not ignore a missing or wrong token, ...).

The run is bounded and reproducible: a fixed seed, derandomized Hypothesis, a few examples per
operation and phase. Each operation is its own test with a fresh database (the world fixture), so
nothing depends on the order: a destructive call (revoking the token, publishing a list) cannot
disturb another operation.

Two generation settings say what the API means rather than exclude anything:
- strings carry no NUL character (`allow-x00 = false`): every request with one is refused with 400
  `invalid_characters` before any route (PostgreSQL cannot store it), which the tests in
  test_bad_input.py cover; generated NULs would only turn valid examples into that one refusal.
- no extra, undocumented query parameters: routes ignore unknown query parameters, as HTTP APIs
  commonly do, so a request with one is not invalid input.
Valid input may still be refused with 400 by a business rule the schema cannot state (an ID
number's check digit, a date order or range, a workflow state): positive data acceptance counts 400 as
such a refusal, while a 422 for schema-valid input (the document promising what the route
refuses) stays a failure."""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

# CI runs the fixed, small run; a deeper search by hand:
#   SHEQU_FUZZ_EXAMPLES=50 SHEQU_FUZZ_SEED=7 .venv/bin/pytest tests/core/test_schemathesis.py
SEED = int(os.environ.get("SHEQU_FUZZ_SEED", "20260311"))
EXAMPLES = int(os.environ.get("SHEQU_FUZZ_EXAMPLES", "3"))

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "allow-x00": False,
            "allow-extra-parameters": False,
        },
        "checks": {
            "enabled": True,  # all of them
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
            },
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    """Calls go through the real WSGI handler, whose request signals close the database
    connection at the end of each request (the test's transaction with it, on PostgreSQL);
    Django's own test client unhooks them in the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class DistrictAdmin:
    """The token of the current test's district administrator (a fresh world per operation)."""

    token: str | None = None

    def get(self, case, context):
        return DistrictAdmin.token

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def district_admin(world):
    DistrictAdmin.token = world.token(world.users["district"])
    yield
    DistrictAdmin.token = None


@pytest.mark.django_db
@schema.parametrize()
@HYPOTHESIS
def test_api_anonymously(case, world):
    case.call_and_validate()


@pytest.mark.django_db
@schema.auth.apply(DistrictAdmin, refresh_interval=None)
@schema.parametrize()
@HYPOTHESIS
def test_api_as_district_admin(case, district_admin):
    case.call_and_validate()
