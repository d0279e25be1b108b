# Everything goes through the project's virtual environment, created on first use.
#   make lab       set up, then open JupyterLab on notebooks/
#   make course    set up, then run every notebook headless and write a report
#   make test      set up, then run the whole test suite (what CI runs)
# Options: NB=01_python_for_ml/01_numpy (one notebook) or MODULE=01_python_for_ml,
#          QUICK=1, JOBS=2, KIND=solutions|notebooks, PARAMS="-p SEED 7".

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2
KIND   ?= all

SELECT := $(if $(NB),--notebook $(NB),) $(if $(MODULE),--module $(MODULE),)
# JupyterLab refuses to start as root (Docker, many cloud VMs) unless it is told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab course test notebooks execute progress datasets lint clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks $(ALLOW_ROOT)

course: $(STAMP)
	$(BIN)/python -m utils.runner --kind $(KIND) --jobs $(JOBS) $(SELECT) $(if $(QUICK),--quick,) $(PARAMS)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests solutions

notebooks: $(STAMP)
	$(BIN)/python -m utils.colab
	$(BIN)/python -m utils.generator

execute: $(STAMP)
	$(BIN)/python -m utils.execute $(if $(NB),solutions/$(NB).ipynb,)
	$(BIN)/python -m utils.generator

progress: $(STAMP)
	$(BIN)/python -m utils.progress

datasets: $(STAMP)
	$(BIN)/python -m utils.datasets

lint: $(STAMP)
	$(BIN)/ruff check utils tests solutions

clean:
	rm -rf workspace .pytest_cache
