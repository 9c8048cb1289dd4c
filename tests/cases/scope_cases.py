"""Scope cases of the cases module: each part of the module registers its own routes."""

import contextlib
import importlib

for _part in ("intake", "work", "indicators", "api", "open311"):
    with contextlib.suppress(ModuleNotFoundError):
        importlib.import_module(f"tests.cases.scope_cases_{_part}")
