# civicposts: data/raw -> data/processed -> reports, as a DAG of files.
#   make all      set up the environment on first use, then regenerate every report
#   make test     run the test suite
#   make help     list every target
# Each product has one file rule with its real prerequisites: the notebook, the
# src modules it calls, its input data and the effective study parameters.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules
# Independent rules (notebooks 00, 01 and 03, each notebook's HTML, the exchange file) run side by side, one per CPU;
# each rule's log is printed whole when it ends. `make -j1 all` runs one at a time.
JOBS    ?= $(shell nproc 2>/dev/null || echo 1)
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(JOBS) --output-sync=target
endif
# Builds started from a recipe (the tests' copies, verify, bench) are a user's own `make`, not sub-makes
# sharing this one's job slots.
FRESH   := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL

VENV    ?= .venv
PY      := $(VENV)/bin/python
ifeq ($(origin VENV),command line)
ENV_OK  :=   # an environment passed in (tests, verify) is used as it is, never rebuilt
else
ENV_OK  := $(VENV)/.civicposts-env
endif
STUDY   ?= config/study.yaml
SET     ?=
PARAMS  := build/study.json
CLI     := $(PY) -m civicposts
export PYTHONHASHSEED := 0
# This tree's own package, also for notebook kernels (a copy being verified must not import another checkout's).
export PYTHONPATH := $(CURDIR)/src
export SOURCE_DATE_EPOCH ?= 1614384000

PKG     := src/civicposts
# The study's inputs (corpus, paper facts, interview, codebook, coder folders, adjudications, and the
# PROVENANCE.yaml markers that say whether they are real): variables in build/study.mk, written from the
# study configuration with the parameters.
-include build/study.mk
# Each study builds into its own folders (processed_dir, reports_dir in its configuration).
PROC    := $(or $(PROCESSED_DIR),data/processed)
REPORTS := $(or $(REPORTS_DIR),reports)
NBOUT   := $(REPORTS)/notebooks
CORPUS  := $(shell find $(CORPUS_INPUTS) -type f 2>/dev/null | LC_ALL=C sort)
PAPER   := $(if $(PAPER_DIR),$(wildcard $(PAPER_DIR)/*))
CODERS  := $(wildcard $(addsuffix /*.jsonl,$(CODING_DIRS)))
ADJUD   := $(wildcard $(ADJUDICATION_FILES))
DEPS    := $(PARAMS) $(ENV_OK) $(PKG)/run.py $(PROVENANCE_MARKERS)

NOTEBOOKS := 00_paper_facts 01_clean_corpus 02_code_posts 03_code_interview 04_reliability 05_findings 06_start_here
EXECUTED  := $(NOTEBOOKS:%=$(NBOUT)/%.ipynb)
HTML      := $(NOTEBOOKS:%=$(NBOUT)/%.html)
PDF       := $(REPORTS)/civicposts-report.pdf
INDEX     := $(REPORTS)/index.html
MANIFEST  := $(REPORTS)/manifest.json

.DEFAULT_GOAL := all
.PHONY: all test verify bench lab clean distclean help publish env

all: $(MANIFEST) ## regenerate every report, figure, table and the manifest (sets up the environment on first use)

## ---------------------------------------------------------------- environment
$(VENV)/.civicposts-env: requirements.lock pyproject.toml tools/setup-env.sh tools/jupyter/overrides.json
	tools/setup-env.sh $(VENV)
	touch $@

env: $(ENV_OK) ## create the locked Python environment in .venv (done by `make all` on first use)

# Effective parameters: build/study.json is rewritten only when STUDY, SET or the study file change
# what it says, so an unchanged rerun (or `make -n`) plans no work. STUDY and SET are kept in
# build/study.args, rewritten at parse time only when they differ from the last run.
PARAM_ARGS := $(STUDY) $(SET)
$(shell mkdir -p build)
ifneq ($(file <build/study.args),$(PARAM_ARGS))
$(file >build/study.args,$(PARAM_ARGS))
endif
# build/study.json has no prerequisites of its own (the study.mk step rewrites it when it changes),
# so touching the study file without changing it plans no work, even under `make -n`.
WRITE_PARAMS = $(CLI) params --study $(STUDY) --set "$(SET)" --out $(PARAMS) --mk build/study.mk
build/study.mk: $(STUDY) build/study.args $(PKG)/config.py $(PKG)/cli/build.py $(ENV_OK)
	@# the notebook runner starts first, while this rule and deps write what make reads next (its kernels take
	@# a second to boot; it serves the folder, environment and code, so it needs none of the parameters)
	@$(CLI) warm
	@$(WRITE_PARAMS)
	@touch $@
$(PARAMS):
	@$(WRITE_PARAMS)

## ---------------------------------------------------------------- notebooks
# Each notebook's source prerequisites are derived from its imports (civicposts.deps), never typed:
# build/deps.mk defines NB_DEPS_<notebook> and is rewritten when a notebook or module changes.
# It needs only the standard library, so it is written before the environment exists.
NB_SRC  := $(NOTEBOOKS:%=notebooks/%.ipynb)
PKG_PY  := $(shell find $(PKG) -name '*.py' -not -path '*/__pycache__/*' | LC_ALL=C sort)
build/deps.mk: $(NB_SRC) $(PKG_PY)
	@PYTHONPATH=src python3 -m civicposts deps --out $@ && touch $@
-include build/deps.mk

$(NBOUT)/00_paper_facts.ipynb: notebooks/00_paper_facts.ipynb $(DEPS) $(PAPER) $(NB_DEPS_00_paper_facts)
	$(CLI) execute $< --params $(PARAMS)

$(NBOUT)/01_clean_corpus.ipynb $(PROC)/posts.parquet $(PROC)/comments.parquet &: notebooks/01_clean_corpus.ipynb $(DEPS) $(CORPUS) \
		$(NB_DEPS_01_clean_corpus)
	$(CLI) execute $< --params $(PARAMS)

$(NBOUT)/02_code_posts.ipynb $(PROC)/post_decisions.parquet $(PROC)/comment_decisions.parquet \
		$(PROC)/coding_sample.parquet $(PROC)/unit_spans.parquet &: notebooks/02_code_posts.ipynb $(DEPS) $(PROC)/posts.parquet \
		$(PROC)/comments.parquet $(CODEBOOK) $(CODERS) $(NB_DEPS_02_code_posts)
	$(CLI) execute $< --params $(PARAMS)

$(NBOUT)/03_code_interview.ipynb $(PROC)/interview_decisions.parquet $(PROC)/interview_units.parquet \
		$(PROC)/interview_spans.parquet &: notebooks/03_code_interview.ipynb \
		$(DEPS) $(INTERVIEW) $(CODEBOOK) $(CODERS) $(NB_DEPS_03_code_interview)
	$(CLI) execute $< --params $(PARAMS)

$(NBOUT)/04_reliability.ipynb $(PROC)/final_codings.parquet $(PROC)/codes_wide.parquet &: \
		notebooks/04_reliability.ipynb $(DEPS) \
		$(PROC)/post_decisions.parquet $(PROC)/comment_decisions.parquet $(PROC)/interview_decisions.parquet \
		$(PROC)/unit_spans.parquet $(PROC)/interview_spans.parquet \
		$(CODEBOOK) $(ADJUD) $(NB_DEPS_04_reliability)
	$(CLI) execute $< --params $(PARAMS)

$(NBOUT)/05_findings.ipynb: notebooks/05_findings.ipynb $(DEPS) $(PROC)/final_codings.parquet \
		$(PROC)/posts.parquet $(PROC)/comments.parquet $(INTERVIEW) $(PAPER) \
		$(CODEBOOK) $(NB_DEPS_05_findings)
	$(CLI) execute $< --params $(PARAMS)

$(NBOUT)/06_start_here.ipynb: notebooks/06_start_here.ipynb $(DEPS) $(PROC)/posts.parquet $(CODEBOOK) \
		$(CODERS) $(NB_DEPS_06_start_here)
	$(CLI) execute $< --params $(PARAMS)

## ---------------------------------------------------------------- reports
# Each notebook's HTML is made as soon as the notebook has run, while later ones run, by the build's warm
# runner when one is up (nbconvert, the largest fixed cost, is then imported once per build); the runner then
# also scans both into the leak scan's cache, so the final scan finds them done. The source
# prerequisites, like the notebooks', are derived from imports (STEP_DEPS_* in build/deps.mk); the HTML also
# depends on the package's templates.
$(HTML): $(NBOUT)/%.html: $(NBOUT)/%.ipynb $(STEP_DEPS_html) $(wildcard $(PKG)/data/*.j2) $(PKG)/cli/build.py $(ENV_OK)
	$(CLI) html $< --params $(PARAMS) --no-index --force --leak-cache $(LEAKCACHE)

$(INDEX): $(HTML) $(STEP_DEPS_html) $(wildcard $(PKG)/data/*.j2) $(PKG)/cli/build.py $(ENV_OK)
	$(CLI) index --params $(PARAMS)

$(PDF): $(EXECUTED) $(STEP_DEPS_pdf) $(PAPER) $(PKG)/cli/build.py $(PARAMS) $(ENV_OK)
	$(CLI) pdf --params $(PARAMS)

# The leak scan (civicposts.leaks, independent of the masker) reads every output; with any finding the
# build stops here, before the manifest, so a leaking build never looks finished.
# The study's coding as a REFI-QDA project for QualCoder, ATLAS.ti, MAXQDA and NVivo (name from the study file,
# "fictional_" in front when its data are made up)
QDPX := $(REPORTS)/$(EXCHANGE_NAME).qdpx
# Side products start after a notebook of the build's longest path (01 -> 02 -> 04 -> 05), by an order-only
# prerequisite that never makes them stale. Make gives a freed job slot to the first ready rule it meets: on two
# CPUs the export and the corpus scan took both slots as soon as notebook 02 had run, and notebook 04 waited
# 2.3 s for one. Now the corpus scan starts after 02 and runs beside 04; the export starts after 04, beside 05.
SCAN_AFTER := $(NBOUT)/02_code_posts.ipynb
EXPORT_AFTER := $(NBOUT)/04_reliability.ipynb
$(QDPX): $(PROC)/coding_sample.parquet $(PROC)/interview_units.parquet $(PROC)/posts.parquet $(CODEBOOK) \
		$(CODERS) $(PKG)/cli/exchange.py $(wildcard $(PKG)/refi/*.py) $(PKG)/coding.py $(PARAMS) $(ENV_OK) | $(EXPORT_AFTER)
	$(CLI) export-qdpx --study $(STUDY) --out $@ $(if $(SET),--set "$(SET)") --leak-cache $(LEAKCACHE)

LEAKSCAN := build/leak-scan-$(subst /,-,$(REPORTS)).ok
# each study's findings in a file of its own
LEAKREPORT := $(LEAKSCAN:.ok=.csv)
LEAKCACHE := build/leak-cache-$(subst /,-,$(PROC))
# The corpus notebook's tables are the largest files the scan reads: they are scanned early, while the later
# notebooks run (after SCAN_AFTER, above), and their findings kept by content (a leak there stops the build
# at once). The full scan below reads them from that cache only if they are still byte for byte the same.
LEAKCORPUS := build/leak-scan-corpus-$(subst /,-,$(PROC)).ok
$(LEAKCORPUS): $(PROC)/posts.parquet $(PROC)/comments.parquet $(PKG)/leaks.py $(PKG)/cli/data.py $(PARAMS) | $(SCAN_AFTER)
	$(CLI) scan-leaks $(PROC)/posts.parquet $(PROC)/comments.parquet $$(find $(PROC) -maxdepth 1 -name posts.csv) \
		--params $(PARAMS) --cache $(LEAKCACHE) --jobs 1 --report $(LEAKCORPUS:.ok=.csv)
	@touch $@

# (the notebooks first: make starts ready prerequisites in this order, and they are the build's longest path)
$(LEAKSCAN): $(EXECUTED) $(HTML) $(INDEX) $(PDF) $(QDPX) $(LEAKCORPUS) $(PKG)/leaks.py $(PKG)/cli/data.py $(PARAMS)
	@rm -f $(MANIFEST)
	$(CLI) scan-leaks $(REPORTS) $(PROC) --params $(PARAMS) --cache $(LEAKCACHE) --prune-cache --report $(LEAKREPORT)
	@touch $@

# The manifest is computed beside the final leak scan (it reads what the scan reads, and the scan writes only
# below build/), then put in place, whole, once the scan has found nothing: a leaking build never has one.
# It records the parameters and every module's hash, so it depends on them too.
MANIFEST_NEXT := build/manifest-$(subst /,-,$(REPORTS)).json
$(MANIFEST_NEXT): $(EXECUTED) $(HTML) $(INDEX) $(PDF) $(QDPX) $(LEAKCORPUS) $(PARAMS) $(PKG_PY)
	$(CLI) manifest --params $(PARAMS) --out $@

$(MANIFEST): $(MANIFEST_NEXT) $(LEAKSCAN)
	@cp $(MANIFEST_NEXT) $@.tmp && mv $@.tmp $@

## ---------------------------------------------------------------- checks
test: $(ENV_OK) ## run the test suite
	$(FRESH) $(PY) -m pytest

verify: $(ENV_OK) ## rebuild everything from data/raw in a temporary folder and compare with published/manifest.json
	$(FRESH) $(CLI) verify

publish: $(MANIFEST) ## (maintainers) make the current reports the committed reference in published/
	$(CLI) publish --params $(PARAMS)

bench: $(ENV_OK) ## run the benchmarks and print their tables
	@for b in bench/bench_*.py; do echo "== $$b"; $(FRESH) $(PY) $$b || exit 1; done

lab: $(ENV_OK) ## open JupyterLab on the repository, at the start-here notebook (students begin there)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.news_url=None \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) notebooks/06_start_here.ipynb

clean: ## remove derived files (reports/, data/processed/, build/); never touches data/raw or coding files
	rm -rf build $(REPORTS)/notebooks $(REPORTS)/figures $(REPORTS)/tables $(PDF) $(INDEX) $(MANIFEST)
	find data/processed -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

distclean: clean ## also remove the environment
	rm -rf $(VENV)

help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

