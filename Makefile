# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CASE ?= cases/jilin-2016.toml

.PHONY: run test test-all venv clean bench bench-year bench-scaling walkthrough docs

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]" -c constraints.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gridmodel run $(CASE) --force

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

# everything, including the tests that start local dask clusters (marker `slow`)
test-all: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist worksteal -m ""

# the year in the rounded mode and as a 0.5 %-gap MIP with the same windows, back to back
# (docs/performance.md "Year speed"; ≈ 20 min)
bench-year: $(STAMP)
	$(BIN)/python benchmarks/jilin_year.py
	$(BIN)/python benchmarks/jilin_year.py cases/jilin-2016-mip.toml --set solver.mip_gap=0.005 \
		--set horizon.window_h=12 --set horizon.lookahead_h=6

# Planner walk-through on the full year (docs/jilin.md "Planner walk-through"): baseline and six
# flexibility scenarios, their comparison workbook (net benefit and causes per scenario), and a 4-size sweep of Baicheng electric boilers on a
# local dask cluster. Finished runs are kept, so an interrupted walk-through picks up again.
# A quick variant on one week:
#   make walkthrough WALK_OUT=results/week WALK_SET="--set time.start=2016-01-11T00:00:00 --set time.days=7"
WALK_OUT ?= results
WALK_SET ?=
SIZE_KEY := electric_boiler.baicheng.p_max_mw
SWEEP = $(WALK_OUT)/jilin-2016-eboiler-sweep
RUNS = $(WALK_OUT)/jilin-2016 $(WALK_OUT)/jilin-2016-heat-storage $(WALK_OUT)/jilin-2016-eboiler-west \
	$(WALK_OUT)/jilin-2016-chp-retrofit-40 $(WALK_OUT)/jilin-2016-chp-lpc-bypass \
	$(WALK_OUT)/jilin-2016-battery $(WALK_OUT)/jilin-2016-flexible-load

walkthrough: $(WALK_OUT)/walkthrough.xlsx $(SWEEP)/merit_order.csv

$(WALK_OUT)/%/summary.json: cases/%.toml | $(STAMP)
	$(BIN)/gridmodel run $< --out $(WALK_OUT)/$* --resume $(WALK_SET)

$(WALK_OUT)/walkthrough.xlsx: $(addsuffix /summary.json,$(RUNS))
	$(BIN)/gridmodel compare $(RUNS) --xlsx $@ --force

$(SWEEP)/merit_order.csv: | $(STAMP)
	$(BIN)/gridmodel sweep cases/jilin-2016.toml --workers 2 --out $(SWEEP) $(WALK_SET) \
		--set $(SIZE_KEY)=0,500,1000,2000 --merit $(SIZE_KEY) --xlsx $(SWEEP)/sweep.xlsx --force

# the reference tables generated from the code's declarations (tests/test_docs.py checks them)
docs: $(STAMP)
	$(BIN)/gridmodel describe > docs/reference-tables.md

# the year with K = 1, 2, 4, 8 blocks (docs/performance.md "Scaling with blocks"; ≈ 17 min)
bench-scaling: $(STAMP)
	$(BIN)/python benchmarks/scaling.py

bench: $(STAMP)
	$(BIN)/python benchmarks/dcopf_equivalence.py
	$(BIN)/python benchmarks/rolling_demo.py
	$(BIN)/python benchmarks/pglib_uc.py

clean:
	rm -rf $(VENV) .pytest_cache
