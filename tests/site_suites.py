"""The baked sites' own test suites: which tests each site runs on which database, and the
runner that runs them two at a time in the background while the template's other tests go on.

A site's suite is the longest step of the template's run, and most of its tests test code that
is the same in every bake. So the plan (docs/testing.md):

- the builtin site runs every test on SQLite, measured (its `make coverage`, with the site's
  own floor);
- the other systems' sites leave out the tests marked `system_independent` (the stand-in, the
  Graph client, signed requests, redirect resolution, health checks, gunicorn's settings),
  which the builtin site ran on the same code, and draw a fifth of the property-based examples
  (TEST_EXAMPLES_SCALE): the full counts ran in the builtin site;
- on PostgreSQL + Redis every site runs the tests marked `database`, whose meaning depends on
  the database or the cache (transactions, races, sessions, several processes), the
  system-independent ones in the builtin site only.

Every run is measured, and the union of what they cover must not fall under the union of the
full plan (test_baked_sites.py, UNION_FLOOR). TEMPLATE_TEST_PLAN=full runs every test of every
site on both databases, the plan before this one, to measure that union again;
TEMPLATE_TEST_PLAN=quick (`tasks.py test --quick`) only the builtin site's quick suite.
"""

import os
import queue
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

# The registration system whose site runs every test.
REFERENCE = "builtin"
# Two suites at once: the machine's two cores, each suite spending part of its time waiting
# (on a browser, a timeout, a server starting).
SLOTS = 2
# The share of each property-based test's examples drawn outside the reference site.
EXAMPLES_SCALE = "0.2"
# Every run records what it covers; the union is checked, not each run's share of its site.
NO_FLOOR = ["--cov", "--cov-report=", "--cov-fail-under=0"]


def full_plan():
    return os.environ.get("TEMPLATE_TEST_PLAN") == "full"


def quick_plan():
    """`tasks.py test --quick`: the builtin site's quick suite on SQLite, the template's tests
    not marked slow, nothing of the other systems (conftest.py deselects the rest)."""
    return os.environ.get("TEMPLATE_TEST_PLAN") == "quick"


# The reference site on the next Django release (its tasks.py test-next-django): the quick
# suite and Django's own session tests, on SQLite; its CI job runs every test.
NEXT_DJANGO = "next-django"
NEXT_DJANGO_MARKS = "not slow or django_contract"


def suite_plan(system, database):
    """(tasks.py arguments, extra environment) of a site's suite on "sqlite", "postgresql" or
    NEXT_DJANGO."""
    if database == NEXT_DJANGO:
        return ["test-next-django", "-m", NEXT_DJANGO_MARKS], {}
    reference = system == REFERENCE or full_plan()
    env = {} if reference else {"TEST_EXAMPLES_SCALE": EXAMPLES_SCALE}
    if database == "sqlite":
        if quick_plan():
            return ["test"], env
        if reference:
            # The site's own `make coverage`: every test, and the site's floor.
            return ["coverage", "--cov-report="], env
        return ["test-all", *NO_FLOOR, "-m", "not system_independent"], env
    # The tests with a server of their own on SQLite ran in the SQLite run already.
    if full_plan():
        marks = "not own_server"
    elif reference:
        marks = "database and not own_server"
    else:
        marks = "database and not own_server and not system_independent"
    return ["test-all", *NO_FLOOR, "-m", marks], env


# The tests that wait for a site's own suite, and the one that waits for them all: the last of
# the run (conftest.py orders them), so that the suites run behind the other tests.
SUITE_TESTS = (
    "test_site_tests_pass_on_sqlite",
    "test_site_tests_pass_on_postgresql_and_redis",
    "test_site_tests_pass_on_the_next_django",
)
LAST_TESTS = (*SUITE_TESTS, "test_the_suites_together_cover_as_much_as_every_test_everywhere")
DATABASES = {
    "test_site_tests_pass_on_sqlite": "sqlite",
    "test_site_tests_pass_on_the_next_django": NEXT_DJANGO,
}
# The test that runs before the suites start, with the machine to itself: the scale-out
# test's promises hang on latencies that two suites beside it on two cores would stretch.
FIRST_TESTS = ("test_scale_out_short_run",)
# Where the session's runner is kept, for conftest.py to print its lines between tests.
RUNNER = pytest.StashKey()


def expected_length(run):
    """A (system, database) run's rank by length, as measured: the SQLite runs (the builtin
    one runs every test) before the PostgreSQL ones, userena's the longest of each."""
    system, database = run
    return (database == "sqlite", system == "userena", system == REFERENCE, database != NEXT_DJANGO)


# pytest's closing line: "593 passed, 2 skipped in 38.20s".
RESULT_RE = re.compile(r"^=* ?(\d+ (passed|failed).*? in [\d.]+s.*?) ?=*$", re.MULTILINE)
# pytest-cov's total line: "TOTAL    5210    301   1460    120  93.01%".
TOTAL_RE = re.compile(r"^TOTAL\s.*?(\d+(?:\.\d+)?%)\s*$", re.MULTILINE)


@dataclass
class Outcome:
    """What a finished suite left: its exit code, its output, its pytest line."""

    code: int
    output: str
    seconds: float
    timed_out: bool = False
    result: str = field(init=False, default="")
    coverage: str = field(init=False, default="")

    def __post_init__(self):
        results = RESULT_RE.findall(self.output)
        self.result = results[-1][0] if results else ""
        totals = TOTAL_RE.findall(self.output)
        self.coverage = totals[-1] if totals else ""


class SuiteRunner:
    """Runs commands SLOTS at a time in threads; their output lines wait in one queue, marked
    with their label, until the main thread prints them (pytest captures what other threads
    write during a test, so only the main thread writes to the terminal)."""

    def __init__(self, start_command):
        # start_command(command, cwd, env, on_line) -> (exit code, output, timed out)
        self.start_command = start_command
        self.pool = ThreadPoolExecutor(max_workers=SLOTS, thread_name_prefix="site-suite")
        self.lines = queue.SimpleQueue()
        self.lock = threading.Lock()

    def submit(self, label, command, cwd, env):
        def job():
            self.lines.put(f"[{label}] started: {' '.join(map(str, command))}\n")
            started = time.monotonic()
            code, output, timed_out = self.start_command(
                command, cwd, env, lambda line: self.lines.put(f"[{label}] {line}")
            )
            self.lines.put(f"[{label}] ended with exit code {code}\n")
            return Outcome(code, output, time.monotonic() - started, timed_out)

        return self.pool.submit(job)

    def drain(self, write):
        """Write every line waiting so far."""
        while True:
            try:
                write(self.lines.get_nowait())
            except queue.Empty:
                return

    def wait(self, future, write, interval=0.5):
        """The suite's Outcome, writing the lines of every running suite meanwhile."""
        while True:
            try:
                outcome = future.result(timeout=interval)
            except TimeoutError:
                self.drain(write)
                continue
            self.drain(write)
            return outcome

    def shutdown(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class SuiteOutput:
    """A pytest plugin (conftest.py registers it): between two tests, it prints what the
    sites' suites printed meanwhile, so that their progress shows as they go."""

    def __init__(self, config):
        self.config = config

    def pytest_runtest_logfinish(self):
        runner = self.config.stash.get(RUNNER, None)
        lines = []
        if runner is not None:
            runner.drain(lines.append)
        if lines:
            # A line of its own, and pytest's progress resumes under it.
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            reporter.ensure_newline()
            reporter.write("".join(lines), flush=True)
