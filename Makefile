# gexlib: the two commands a newcomer needs are `make book` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# gexlib's matrix products are small: on a 2-core machine BLAS threads cost more than they save,
# and under load they slow notebooks several-fold. Override by setting the variable yourself.
export OPENBLAS_NUM_THREADS ?= 1
# Test processes run side by side (pytest-xdist), and lessons executed at once by the book and the student
# edition test: one per core by default. JOBS=1 runs the tests of each stage one
# after another (the two jobs `make test` runs beside its stages still do).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
export GEXLIB_BOOK_JOBS ?= $(JOBS)
export GEXLIB_TEST_JOBS ?= $(JOBS)

.PHONY: venv book test unit nbval booktests browsertests packagetests lab labextension bench lint clean student dist course

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@echo ">>> creating $(VENV) and installing pinned requirements (first run takes a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@# An editable install skips data files: link the prebuilt JupyterLab extension where a wheel puts it.
	mkdir -p $(VENV)/share/jupyter/labextensions
	ln -sfn $(CURDIR)/gexlib/course/labextension $(VENV)/share/jupyter/labextensions/gexlib-a11y
	@touch $(STAMP)

## Build the Jupyter Book (warnings are errors) and say where it is.
book: venv
	$(BIN)/python book/_ext/gexlib_book.py   # npm ci + copy of what pages load (offline reading)
	$(BIN)/jupyter-book build . -W --builder html
	@echo ">>> open file://$(CURDIR)/_build/html/index.html"
	@if [ -z "$${CI:-}" ] && [ -n "$${DISPLAY:-}$${BROWSER:-}" ]; then $(BIN)/python -m webbrowser -t "file://$(CURDIR)/_build/html/index.html" >/dev/null 2>&1 || true; fi

## Everything: unit tests, every notebook under strict nbval, the book (-W), the book in headless Chromium,
## the wheel and the student edition in fresh environments, and lesson 03 in a live JupyterLab (tests/book/).
## Each stage prints its own time. Two jobs run beside the stages, where those keep the cores only partly
## busy: `npm ci` and the vendored copy (the book's first step) beside the unit tests and nbval, and
## `make packagetests` (the book tests that need no built book; its output in _build/packagetests.log,
## printed when it ends) beside the book and `make browsertests`. Every check still runs and must pass.
test: venv
	@mkdir -p _build; pids=""; \
	trap 'for p in $$pids; do kill -- -$$p 2>/dev/null || kill $$p 2>/dev/null; done' EXIT; \
	t0=$$(date +%s); \
	set -m; $(BIN)/python book/_ext/gexlib_book.py > _build/vendor.log 2>&1 & vendor=$$!; set +m; pids="$$vendor"; \
	$(MAKE) --no-print-directory unit && t1=$$(date +%s) && \
	$(MAKE) --no-print-directory nbval && t2=$$(date +%s) && \
	{ wait $$vendor; ok=$$?; pids=""; cat _build/vendor.log; [ $$ok -eq 0 ]; } && \
	{ set -m; { $(MAKE) --no-print-directory packagetests > _build/packagetests.log 2>&1; echo $$? > _build/packagetests.rc; \
	            date +%s > _build/packagetests.end; } & package=$$!; set +m; pids="$$package"; } && \
	$(MAKE) --no-print-directory book && t3=$$(date +%s) && \
	$(MAKE) --no-print-directory browsertests && t4=$$(date +%s) && \
	{ wait $$package; pids=""; echo ">>> make packagetests, run beside the book and the browser tests:"; \
	  cat _build/packagetests.log; [ "$$(cat _build/packagetests.rc)" = 0 ]; } && t5=$$(date +%s) && \
	echo ">>> make test passed: unit $$((t1-t0)) s, nbval $$((t2-t1)) s, book $$((t3-t2)) s, browser $$((t4-t3)) s;" \
	     "wheel + student edition + JupyterLab $$(($$(cat _build/packagetests.end)-t2)) s beside book and browser;" \
	     "total $$((t5-t0)) s"

## The unit tests, $(JOBS) processes side by side.
unit: venv
	$(BIN)/python -m pytest tests -p no:nbval -n $(JOBS) --dist worksteal

nbval: venv
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then \
	  $(BIN)/python -m pytest --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg -p no:randomly \
	    -n $(JOBS) --dist loadscope; \
	else echo ">>> no notebooks yet: nbval skipped"; fi

## The built book in Chromium (skipped without a browser unless GEXLIB_REQUIRE_BROWSER=1), the wheel in a fresh
## environment, the student edition (its wheel installed in a fresh environment runs every lesson; the
## edition the test builds ships the wheel `make student` has just built, GEXLIB_STUDENT_EDITION), and lesson 03
## in a live JupyterLab. Its two parts: `make browsertests` (needs the built book; pages spread over the
## $(JOBS) processes) and `make packagetests` (needs only the vendored axe-core; one file per process).
booktests: venv student
	GEXLIB_STUDENT_EDITION=$(CURDIR)/_build/student $(BIN)/python -m pytest tests/book -p no:randomly -n $(JOBS) --dist loadfile

browsertests: venv
	$(BIN)/python -m pytest tests/book/test_browser.py -p no:randomly -n $(JOBS) --dist load

packagetests: venv student
	GEXLIB_STUDENT_EDITION=$(CURDIR)/_build/student $(BIN)/python -m pytest tests/book/test_wheel.py \
	  tests/book/test_student_edition.py tests/book/test_lab_a11y.py -p no:randomly -n $(JOBS) --dist loadfile

lab: venv
	$(BIN)/jupyter lab notebooks/

## Rebuild the prebuilt JupyterLab extension gexlib/course/labextension/ from labextension/ (needs npm).
labextension: venv
	$(BIN)/python labextension/build.py

## The student edition: lessons without solutions, the student wheel, requirements, README and a zip -> _build/student/.
student: venv
	$(BIN)/python -m gexlib.course student --out _build/student

## gexlib's sdist and wheel (every subpackage and the data) -> _build/dist/.
dist: venv
	$(BIN)/python -m build --no-isolation --outdir _build/dist .
## Graded assignments: an nbgrader course directory (each lesson an assignment) -> _build/course/.
course: venv
	$(BIN)/python -m gexlib.course course --out _build/course

## Library timings and slider events in the kernel (`make bench-browser`: the same dashboards felt in a browser).
bench: venv
	$(BIN)/python -m benchmarks

## Key press to updated figure in JupyterLab driven by headless Chromium, every lesson dashboard
## (`make bench-browser LESSON=03` for one lesson). Skips without Chromium; not part of `make test`.
.PHONY: bench-browser
bench-browser: venv
	$(BIN)/python -m benchmarks.browser $(if $(LESSON),--lesson $(LESSON))

lint: venv
	$(BIN)/ruff check gexlib tests benchmarks

clean:
	rm -rf _build .pytest_cache .hypothesis
