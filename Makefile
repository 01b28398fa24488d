# Two entry points: `make demo` and `make test`. Both build .venv from scratch if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,finetune]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f parallax.db
	$(BIN)/parallax ingest examples/ --db parallax.db
	$(BIN)/parallax summary --db parallax.db
	$(BIN)/parallax ls --db parallax.db --limit 5
	$(BIN)/parallax claims --db parallax.db --by-source --limit 5
	$(BIN)/parallax timeline --db parallax.db --from 2020-11 --to 2023-12 --type ASSAULT --type AGREE --limit 12
	$(BIN)/parallax report --db parallax.db --html report.html
	@echo "Open report.html in a browser; explore further with: $(BIN)/parallax --help"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m parallax bench

clean:
	rm -rf $(VENV) parallax.db report.html build src/*.egg-info
