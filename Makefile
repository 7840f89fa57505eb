# Everyday commands. The README's two commands are scripts/run and scripts/test, which
# need nothing but bash on a fresh Debian machine; these targets call the same scripts.
.PHONY: setup run test test-fast lint format bench dist

setup:
	scripts/setup

run:
	scripts/run

test:
	scripts/test

# The everyday run: in-process tests only, no live server, browser, PostgreSQL or Redis.
test-fast: setup
	.venv/bin/pytest -m "not browser and not scale and not live"

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: setup
	.venv/bin/qhall bench

# A wheel a hall server installs with pip alone: the front-end files and the voice clips
# are in it (scripts/setup makes them), so the server needs no npm and no network.
dist: setup
	rm -rf build dist
	.venv/bin/pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl
