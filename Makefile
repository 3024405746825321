# Two commands on a fresh machine: `make run` and `make test`. Both install what is missing:
# Debian packages through scripts/install-system.sh, Python packages into .venv.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run dev test lint system linking bench clean

run: system $(INSTALLED) linking
	@bash scripts/run.sh $(FILE)

# `make run`, restarting on source changes with the state kept (docs/dev-mode.md).
dev: system $(INSTALLED) linking
	@bash scripts/run.sh --dev $(FILE)

test: system $(INSTALLED) linking lint
	$(PY) -m pytest
	node --test tests/web/

# ruff's rules and format, and the import contracts of app/'s layers, all in pyproject.toml.
lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

bench: system $(INSTALLED) linking
	@bash scripts/install-system.sh bench
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) benchmarks/bench_open.py
	$(PY) benchmarks/bench_spectrum.py
	$(PY) benchmarks/bench_latency.py
	$(PY) benchmarks/bench_snap.py
	$(PY) benchmarks/bench_synth.py
	$(PY) benchmarks/bench_track.py
	$(PY) benchmarks/bench_devmode.py
	$(PY) benchmarks/bench_batch.py

system:
	@PYTHON=$(PYTHON) bash scripts/install-system.sh

# The tracker's linking compiled ahead of time, again whenever workers/track_link.py changes
# (about 6 s; a check of its digest otherwise).
linking: $(INSTALLED)
	@$(PY) scripts/compile_linking.py

# Reinstalled whenever pyproject.toml changes.
$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) build *.egg-info tests/artifacts workers/_track_link_*
