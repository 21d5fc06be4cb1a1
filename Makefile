# TradeKG: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
TRADEKG := $(VENV)/bin/tradekg
STORE  := out/store
STAMP  := $(VENV)/.installed

.PHONY: demo test bench bench-quick eval docs clean venv

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	@echo "== build the graph from articles/ into $(STORE)"
	$(TRADEKG) build articles --store $(STORE)
	@echo "== write the Turtle export"
	$(TRADEKG) export --store $(STORE) -o out/tradekg.ttl
	@echo "== draw the interactive graph page (open out/graph.html in a browser; works offline)"
	$(TRADEKG) viz --store $(STORE) -o out/graph.html
	@echo "== officials of the seed article's talks, with posts and governments"
	$(TRADEKG) query meeting-participants --store $(STORE) --param meeting=event:us-japan-talks-2025-04-16
	@echo "== tariffs in force on 2025-04-20 (the 24% on Japan is paused then)"
	$(TRADEKG) query tariffs-in-force --store $(STORE) --param date=2025-04-20
	@echo "== where the sources disagree"
	$(TRADEKG) query source-disagreements --store $(STORE)
	@echo "== SHACL validation of the whole graph"
	$(TRADEKG) validate --store $(STORE)
	@echo "== done: out/tradekg.ttl (Turtle export), out/graph.html (graph page), out/store (the store)"

test: $(STAMP)
	$(VENV)/bin/ruff check kg tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest

# Benchmarks (not part of make test / CI): see bench/README.md. Each step runs in its own process.
bench: $(STAMP)
	$(PY) bench/bench.py

bench-quick: $(STAMP)
	$(PY) bench/bench.py --quick

eval: $(STAMP)
	@echo "== drafting assistant, leave-one-out on articles/: recall and precision per article and overall"
	$(TRADEKG) eval-assistant articles
	@echo "== drafting assistant on the frozen evaluation set eval/frozen (never tuned on), knowing articles/ only: per article and per fact family"
	$(TRADEKG) eval-assistant articles --held-out eval/frozen

# The command-line reference docs/cli.md, generated from the --help texts (tests/test_docs.py checks it is current).
docs: $(STAMP)
	$(PY) docs/gen_cli.py > docs/cli.md.tmp && mv docs/cli.md.tmp docs/cli.md

clean:
	rm -rf out $(VENV) .pytest_cache
