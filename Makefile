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
REPORTS := reports
NBOUT   := $(REPORTS)/notebooks
RUN     := $(PY) -m civicposts.run
export PYTHONHASHSEED := 0
# This tree's own package, also for notebook kernels (a copy being verified must not import another checkout's).
export PYTHONPATH := $(CURDIR)/src
export SOURCE_DATE_EPOCH ?= 1614384000

PKG     := src/civicposts
CORE    := $(addprefix $(PKG)/,__init__.py config.py iorw.py errors.py artefacts.py style.py display.py run.py)
PAPER   := $(wildcard data/raw/paper/*)
DEPS    := $(PARAMS) $(ENV_OK) $(CORE)

NOTEBOOKS := 00_paper_facts
EXECUTED  := $(NOTEBOOKS:%=$(NBOUT)/%.ipynb)
HTML      := $(NOTEBOOKS:%=$(NBOUT)/%.html)
PDF       := $(REPORTS)/civicposts-report.pdf
INDEX     := $(REPORTS)/index.html
MANIFEST  := $(REPORTS)/manifest.json

.DEFAULT_GOAL := all
.PHONY: all test verify bench lab clean distclean help publish env FORCE

all: $(MANIFEST) ## regenerate every report, figure, table and the manifest (sets up the environment on first use)

## ---------------------------------------------------------------- environment
$(VENV)/.civicposts-env: requirements.lock pyproject.toml tools/setup-env.sh
	tools/setup-env.sh $(VENV)
	touch $@

env: $(ENV_OK) ## create the locked Python environment in .venv (done by `make all` on first use)

# Effective parameters: rewritten only when STUDY, SET or the study file change what they say.
$(PARAMS): FORCE $(ENV_OK)
	@$(PY) -m civicposts.config --study $(STUDY) --set "$(SET)" --out $@

## ---------------------------------------------------------------- notebooks
$(NBOUT)/00_paper_facts.ipynb: notebooks/00_paper_facts.ipynb $(DEPS) $(PAPER) \
		$(PKG)/paper.py $(PKG)/figures/profile.py $(PKG)/tables/paper.py
	$(RUN) execute $< --params $(PARAMS)

## ---------------------------------------------------------------- reports
# nbconvert's import is the largest fixed cost: one process converts every stale notebook.
$(HTML) $(INDEX) &: $(EXECUTED) $(PKG)/report.py $(PKG)/artefacts.py $(ENV_OK)
	$(RUN) html $(EXECUTED) --params $(PARAMS)

$(PDF): $(EXECUTED) $(PKG)/report.py $(PKG)/artefacts.py $(PKG)/paper.py $(PARAMS) $(ENV_OK)
	$(PY) -m civicposts.report pdf --params $(PARAMS)

$(MANIFEST): $(HTML) $(INDEX) $(PDF) $(PKG)/manifest.py
	$(PY) -m civicposts.manifest build --params $(PARAMS)

## ---------------------------------------------------------------- checks
test: $(ENV_OK) ## run the test suite
	$(PY) -m pytest

verify: $(ENV_OK) ## rebuild everything from data/raw in a temporary folder and compare with published/manifest.json
	$(PY) -m civicposts.manifest verify

publish: $(MANIFEST) ## (maintainers) make the current reports the committed reference in published/
	$(PY) -m civicposts.manifest publish --params $(PARAMS)

bench: $(ENV_OK) ## run the benchmarks and print their tables
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lab: $(ENV_OK) ## open JupyterLab on the notebooks (coding app: notebooks/02_code_posts.ipynb)
	$(VENV)/bin/jupyter lab --notebook-dir=. notebooks/

clean: ## remove derived files (reports/, data/processed/, build/); never touches data/raw or coding files
	rm -rf build $(REPORTS)/notebooks $(REPORTS)/figures $(REPORTS)/tables $(PDF) $(INDEX) $(MANIFEST)
	find data/processed -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

distclean: clean ## also remove the environment
	rm -rf $(VENV)

help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

FORCE:
