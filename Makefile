# Thin wrappers: tasks.py does the work (python3 tasks.py --help).
.PHONY: run test

PORT ?= 8000
ARGS ?=

run:
	python3 tasks.py run --port $(PORT)

test:
	python3 tasks.py test $(ARGS)
