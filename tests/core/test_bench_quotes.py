"""The READMEs quote the benchmark results files as bench/quote_results.py copies them: a figure
retyped by hand, or a results file replaced without running the script, fails here."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_figures_are_the_results_files_own():
    spec = importlib.util.spec_from_file_location("quote_results", ROOT / "bench" / "quote_results.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run .venv/bin/python bench/quote_results.py"
