# Thin wrappers: tasks.py does the work (python3 tasks.py --help).
.PHONY: run test scale-out

PORT ?= 8000
ARGS ?=

run:
	python3 tasks.py run --port $(PORT)

test:
	python3 tasks.py test $(ARGS)

# The long scale-out test (root): three app hosts behind HAProxy under load (docs/scale-out.md).
scale-out:
	python3 tasks.py scale-out $(ARGS)
