# Everything goes through the project's virtual environment, created on first use.
#   make lab       set up, then open JupyterLab on notebooks/
#   make course    set up, then run every notebook headless and write a report
#   make test      set up, then run the whole test suite (what CI runs)
#   make site      set up, then build the course website into workspace/site/html (offline)
#   make update    take the course's updates, keeping your answers (changed notebooks go to backups/)
# Options: NB=01_python_for_ml/01_numpy (one notebook) or MODULE=01_python_for_ml,
#          QUICK=1, JOBS=2, KIND=solutions|notebooks, PARAMS="-p SEED 7".
# TORCH=cpu (Linux): PyTorch's CPU build from PyTorch's own index (PyPI's Linux wheel is the
# CUDA build, several GB more); TORCH=<variant> names another folder of that index. The choice
# is kept in .venv/.torch, so a reinstall after new pins (make update) makes the same one.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2
KIND   ?= all
TORCH  ?= $(shell cat $(VENV)/.torch 2>/dev/null)
TORCH_INDEX := $(if $(TORCH),--extra-index-url https://download.pytorch.org/whl/$(TORCH),)

SELECT := $(if $(NB),--notebook $(NB),) $(if $(MODULE),--module $(MODULE),)
# JupyterLab refuses to start as root (Docker, many cloud VMs) unless it is told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab course test notebooks update execute progress datasets site lint clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet $(TORCH_INDEX) -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	echo "$(TORCH)" > $(VENV)/.torch
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks $(ALLOW_ROOT)

course: $(STAMP)
	$(BIN)/python -m utils.cli course --kind $(KIND) --jobs $(JOBS) $(SELECT) $(if $(QUICK),--quick,) $(PARAMS)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests solutions

notebooks: $(STAMP)
	$(BIN)/python -m utils.cli notebooks

update: $(STAMP)
	$(BIN)/python -m utils.cli update

execute: $(STAMP)
	$(BIN)/python -m utils.cli execute $(if $(NB),solutions/$(NB).ipynb,)

progress: $(STAMP)
	$(BIN)/python -m utils.cli progress

datasets: $(STAMP)
	$(BIN)/python -m utils.cli datasets

site: $(STAMP)
	$(BIN)/python -m utils.cli site

lint: $(STAMP)
	$(BIN)/ruff check utils tests solutions

clean:
	rm -rf workspace .pytest_cache
