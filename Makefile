# One command sets everything up and runs the demo, one sets up and runs the tests.
# Re-running is fast: setup is skipped while pyproject.toml is unchanged.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.vocmine-installed
OUT ?= demo_output

.PHONY: setup demo test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; } || \
		echo "warning: could not install chromium (needs root); the report screenshot test will be skipped"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m vocmine.embed.build
	touch $(STAMP)

demo: setup
	$(PY) -m vocmine demo --out $(OUT) --csv --report $(OUT)/report.html

test: setup
	$(PY) -m pytest

clean:
	rm -rf $(VENV) $(OUT)
