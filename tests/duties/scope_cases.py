"""Scope cases of the duties module: each part of the module registers its own routes."""

from tests.duties import (  # noqa: F401  (importing registers the cases)
    scope_cases_burden,
    scope_cases_lists,
    scope_cases_requests,
    scope_cases_tasks,
)
