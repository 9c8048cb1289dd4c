"""Scope cases of the cases module: each part of the module registers its own routes."""

from tests.cases import (  # noqa: F401  (importing registers the cases)
    scope_cases_api,
    scope_cases_indicators,
    scope_cases_intake,
    scope_cases_open311,
    scope_cases_work,
)
