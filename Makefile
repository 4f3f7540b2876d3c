# The front door. `make report` and `make test` do all the set-up on a machine with only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := cape-study
# The suite runs over the cores (pytest-xdist; one test file per unit of work, the demo
# report's one pipeline run shared by the workers: tests/conftest.py). TEST_WORKERS=0 runs
# it in one process.
TEST_WORKERS ?= auto

.PHONY: help install git-filter report screenshots test lint lab demo bench clean-reports

help:
	@echo "make report   create .venv, install, run the pipeline on the demo data -> reports/index.html,"
	@echo "              report.html, report.docx and report.pdf (A4)"
	@echo "make screenshots  open reports/ in headless Chromium: broken images, links, scripts -> reports/screenshots/"
	@echo "make test     create .venv, install, run the test suite over the cores (TEST_WORKERS=0: one process)"
	@echo "make lab      open JupyterLab on the project kernel"
	@echo "make lint     ruff over the library, tests, notebooks and benchmarks"
	@echo "make demo     regenerate the committed synthetic demo case file in data/raw/demo"
	@echo "make bench    the benchmark suite (1k, 10k, 100k cases) -> reports/benchmarks/results.csv"

install: $(STAMP)
	@$(MAKE) --no-print-directory git-filter

# Idempotent: re-runs only when the dependency declarations change. The installer is uv
# (the version pinned in constraints.txt, installed into .venv with pip, or one already on
# PATH), which resolves and links the pinned packages from its cache in seconds; where uv
# cannot be had, pip installs the same exact versions (INSTALLER=pip forces that).
INSTALLER ?= uv
PIP_QUIET := --quiet --disable-pip-version-check

$(STAMP): pyproject.toml constraints.txt Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if [ "$(INSTALLER)" = uv ] && { command -v uv >/dev/null 2>&1 || \
		$(BIN)/python -m pip install $(PIP_QUIET) -c constraints.txt uv 2>/dev/null; }; then \
		uv=$$(test -x $(BIN)/uv && echo $(BIN)/uv || command -v uv); \
		echo "installing with $$($$uv --version)"; \
		$$uv pip install --quiet --python $(BIN)/python -c constraints.txt hatchling wheel && \
		$$uv pip install --quiet --python $(BIN)/python --no-build-isolation \
			-c constraints.txt -e ".[dev]"; \
	else \
		echo "installing with pip (uv not available)"; \
		$(BIN)/python -m pip install $(PIP_QUIET) -c constraints.txt hatchling wheel && \
		$(BIN)/python -m pip install $(PIP_QUIET) --no-build-isolation \
			-c constraints.txt -e ".[dev]"; \
	fi
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) \
		--display-name "Python (cape-study)" >/dev/null
	touch $(STAMP)

# Notebooks are committed without outputs: in a git work tree, nbstripout cleans every
# *.ipynb as it is staged (.gitattributes names the filter), keeping cell ids, tags and
# the kernelspec, and language_info's name only. Outside a work tree (an unpacked
# tarball) there is nothing to set up.
NBSTRIPOUT     := "$(abspath $(BIN))/python" -m nbstripout --keep-id
NBSTRIPOUT_DROP := $(addprefix metadata.language_info.,codemirror_mode file_extension mimetype \
	nbconvert_exporter pygments_lexer version)

git-filter:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git config filter.nbstripout.clean '$(NBSTRIPOUT)' && \
		git config filter.nbstripout.smudge cat && \
		git config filter.nbstripout.required true && \
		git config filter.nbstripout.extrakeys '$(NBSTRIPOUT_DROP)' && \
		git config diff.ipynb.textconv '$(NBSTRIPOUT) -t'; \
	fi

# Byte-compiled modules: where the environment sets PYTHONDONTWRITEBYTECODE (some CI images
# and containers do), every kernel of every step compiled its whole import stack again
# (about 1,200 modules: importing a step's stack took 9.9-10.4 CPU s against 3.5-3.8 s with
# .pyc files). The report, test and bench targets let Python write .pyc files into the
# project's own .venv and src (git ignores __pycache__), so only the first kernel compiles.
# Compiling all of site-packages at install instead would take 27 s of the install.
PYC := env -u PYTHONDONTWRITEBYTECODE

report: install
	$(PYC) $(BIN)/cape-study run
	$(PYC) $(BIN)/cape-study print

# Needs Chromium and chromedriver from the system (Debian: apt-get install chromium chromium-driver).
screenshots: install
	$(BIN)/cape-study check-report

test: install
	$(PYC) OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

lint: install
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks

# Jupyter refuses to run as root unless told; root is normal in a container, so only then.
lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

demo: install
	$(BIN)/cape-study synth --cases 400 --seed 20240501 --out data/raw/demo --force

# The pipeline at 1,000, 10,000 and 100,000 cases, the runner's overhead, a no-op re-run
# and --jobs 2 (about 15 minutes on 2 cores; BENCH_ARGS=--quick for 1k and 10k only).
bench: install
	$(PYC) $(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# The published versions (.published/) go too, with data/processed when it is their link.
clean-reports:
	rm -rf reports .published
	if [ -L data/processed ]; then rm data/processed; fi
