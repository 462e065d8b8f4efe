# The two commands of the README. Each installs what it lacks (Debian packages, .venv).
.PHONY: run test setup lint bench

run:            ## the assistant on the bundled recorded live view
	scripts/dev.sh run $(ARGS)

test:           ## the whole test suite (starts its own Xvfb and PulseAudio)
	scripts/dev.sh test $(ARGS)

setup:
	scripts/dev.sh setup test

lint:           ## ruff and mypy, as `make test` runs them first
	.venv/bin/ruff check .
	.venv/bin/mypy

bench:
	.venv/bin/studio bench
