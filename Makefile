# Set-up and entry points. `make reproduce` and `make test` are all a new user needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
CORES  ?= all

.PHONY: venv reproduce test test-all test-fast figure cluster-dry-run robustness plan report bench clean

$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/snakemake                     ## the virtual environment with pinned dependencies

reproduce: venv                            ## every paper at mini scale (2-core CPU, < 1 h)
	$(BIN)/snakemake --cores $(CORES)

test: venv                                 ## unit tests, the smoke DAG, the SLURM cluster (< 15 min on 2 cores)
	OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 $(BIN)/pytest -q -ra --durations=15 -m "not slow" tests

test-all: venv                             ## also the tests marked slow (a second DAG run, killed jobs, reruns; ~45 min)
	OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 $(BIN)/pytest -q -ra --durations=25 tests

test-fast: venv                            ## unit tests only (~2 min)
	OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 $(BIN)/pytest -q -m "not slow and not slurm and not workflow" tests

figure: venv                               ## one artefact: make figure F=paper_figures/ntp_pitfalls/accuracy.png
	$(BIN)/snakemake --cores $(CORES) $(F)

cluster-dry-run: venv                      ## plan the paper-scale DAG for SLURM
	$(BIN)/snakemake -n --directory runs/full --configfile config/full.yaml --workflow-profile profiles/slurm

robustness: venv                           ## rerun the mini reproduction with config/seeds_b.yaml and compare verdicts
	rm -rf results/seeds_b && mkdir -p results/seeds_b && git archive HEAD | tar -x -C results/seeds_b
	cd results/seeds_b && rm -rf paper_figures/*/ && ../../$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml config/seeds_b.yaml
	$(BIN)/python bench/robustness.py . results/seeds_b paper_figures
	$(BIN)/snakemake --cores 1 paper_figures/REPORT.md --forcerun report   # the report: robust-verdict column

plan: venv                                 ## tabulate that plan per paper: jobs, GPU and CPU hours
	$(BIN)/python bench/plan_full_scale.py > paper_figures/FULL_SCALE_PLAN.md.tmp
	mv paper_figures/FULL_SCALE_PLAN.md.tmp paper_figures/FULL_SCALE_PLAN.md

report: venv                               ## HTML report with a caption for every figure
	$(BIN)/snakemake --report report.html

clean:                                     ## intermediate results (keeps paper_figures/)
	rm -rf results .snakemake

bench: venv                                ## training-core benchmark + K=3 seeds side by side vs one by one → bench/results.json
	$(BIN)/python bench/bench_core.py --out bench/results.json
