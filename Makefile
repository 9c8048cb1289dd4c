# shequ — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
ASSETS  = shequ/static/vendor/.built

.PHONY: demo test serve lint assets install check-prereqs clean

check-prereqs:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { echo "缺少 Python 3.11 或更高版本（$(PYTHON)）/ Python >= 3.11 is required"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "缺少 Python 的 venv 模块（Debian/Ubuntu：apt install python3-venv）/ python3-venv is required"; exit 1; }
	@command -v node >/dev/null 2>&1 || { echo "缺少 Node.js 18 或更高版本 / Node.js >= 18 is required"; exit 1; }
	@node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' || { echo "Node.js 版本过低，需要 18 或更高 / Node.js >= 18 is required"; exit 1; }
	@command -v npm >/dev/null 2>&1 || { echo "缺少 npm / npm is required"; exit 1; }

$(STAMP): pyproject.toml | check-prereqs
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

$(ASSETS): package.json package-lock.json scripts/build-assets.mjs | check-prereqs
	npm ci --no-audit --no-fund
	npm run build
	@touch $(ASSETS)

install: $(STAMP) $(ASSETS)

assets: $(ASSETS)

demo: install
	$(BIN)/shequ demo

serve: install
	$(BIN)/shequ serve

# The suite runs on every core (a database per worker) and names its slowest tests.
test: install
	$(BIN)/pytest -n auto --durations=15

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check shequ tests bench

clean:
	rm -rf $(VENV) node_modules shequ/static/vendor
