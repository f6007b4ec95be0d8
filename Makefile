# Two commands on a fresh machine:
#   make report   create .venv, install pinned dependencies, run every notebook to reports/
#   make test     run the whole test suite, notebooks included (nbval)
# Override the Python or the workload size:  make report PYTHON=python3.11 SCALE=large

PYTHON ?= python3
SCALE ?= medium
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install report test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0] + "; pass PYTHON=python3.11"'
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { echo "error: $(PYTHON) has no venv module; on Debian or Ubuntu run: sudo apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	touch $(STAMP)

report: install
	$(BIN)/python -m mismatch_core report --scale $(SCALE)

test: install
	MISMATCH_SCALE=small $(BIN)/python -m pytest

bench: install
	$(BIN)/python -m mismatch_core bench matching --jobs 100000 --resumes 1000 --json reports/bench_matching.json

clean:
	rm -rf $(VENV) reports data/generated .pytest_cache .hypothesis
