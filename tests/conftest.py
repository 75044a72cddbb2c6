"""Helpers shared by the template's tests: bake the template, run a command in a baked site."""

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import run_summary
import site_suites
from bakes import TEMPLATE_DIR
from cookiecutter.main import cookiecutter

# Generous: a baked site's first install downloads its dependencies, and its own test suite
# drives a browser.
TIMEOUT = 20 * 60
# What a failure message shows of a command's output: its end, where the error is.
SHOWN_OUTPUT = 20_000


@pytest.fixture(scope="session")
def cookiecutter_config(tmp_path_factory):
    """A cookiecutter config of our own, so the tests neither read the user's ~/.cookiecutterrc
    nor write replay files into their home directory."""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    # JSON strings are valid YAML, so any path is quoted correctly.
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(home / 'templates'))}\n"
        f"replay_dir: {json.dumps(str(home / 'replay'))}\n"
    )
    return config


@pytest.fixture(scope="session")
def bake(cookiecutter_config):
    """Return bake(output_dir, **answers) -> Path of the baked site; the answers not given
    take the defaults of cookiecutter.json, as with `cookiecutter --no-input`."""

    def bake(output_dir, **answers):
        return Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                extra_context=answers,
                output_dir=str(output_dir),
                config_file=str(cookiecutter_config),
            )
        )

    return bake


def execute(command, cwd, env=None, timeout=TIMEOUT, echo=None):
    """Run a command; return (exit code, combined stdout and stderr, whether it timed out).

    The command gets its own process group, so that on a timeout the whole tree is killed
    (a baked site's tasks.py runs pytest, which may run a browser) and no grandchild keeps
    the output pipe open. `echo`, when given, is called with each line of output as it comes,
    to show a long run's progress. Safe to call from any thread.
    """
    command = [str(part) for part in command]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if echo is not None:
                echo(line)
        process.wait()
    finally:
        timer.cancel()
    return process.returncode, "".join(lines), timed_out.is_set()


def fail_with_output(command, cwd, code, output, timed_out, timeout=TIMEOUT):
    """Fail the test: a one-line message, and the end of the output in its captured stdout."""
    __tracebackhide__ = True
    problem = f"timed out after {timeout}s" if timed_out else f"exit code {code}"
    # The output goes to the test's captured stdout, shown once in the failure report; the
    # message stays one line, for the short summary.
    print(output[-SHOWN_OUTPUT:])
    command = " ".join(str(part) for part in command)
    pytest.fail(f"{problem}: {command} (in {cwd}); its output is in 'Captured stdout'")


def run(command, cwd, env=None, timeout=TIMEOUT, echo=None):
    """Run a command (execute()); fail the test with the end of its output unless it exits 0
    in time. Returns the combined stdout and stderr."""
    __tracebackhide__ = True  # a failure shows the test's line and the output, not this helper
    code, output, timed_out = execute(command, cwd, env, timeout, echo)
    if code or timed_out:
        fail_with_output(command, cwd, code, output, timed_out, timeout)
    return output


def ruff(*args):
    """The template venv's ruff, the one `tasks.py test` installs from requirements-dev.txt."""
    return [sys.executable, "-m", "ruff", *args]


# The parameters that name a registration system, in the baked sites' and images' tests.
SYSTEM_PARAMETERS = ("system", "site", "installed_site", "image", "backend")


def left_out_by_the_quick_plan(item):
    """Whether `tasks.py test --quick` leaves the test out: marked slow, about a registration
    system other than the builtin one, or waiting for a PostgreSQL run or for every suite."""
    if item.get_closest_marker("slow"):
        return True
    params = getattr(item, "callspec", None)
    systems = {
        params.params[name] for name in SYSTEM_PARAMETERS if params and name in params.params
    }
    if systems - {site_suites.REFERENCE}:
        return True
    name = getattr(item, "originalname", None)
    return name in site_suites.LAST_TESTS and name != "test_site_tests_pass_on_sqlite"


def pytest_collection_modifyitems(config, items):
    """The scale-out test first, alone (site_suites.FIRST_TESTS); then the baked sites' quick
    checks: they install the sites, which starts the sites' own suites in the background
    (test_baked_sites.py); the tests that wait for those suites last, so that every other
    test runs meanwhile. The quick plan leaves out what it says."""
    if site_suites.quick_plan():
        left_out = [item for item in items if left_out_by_the_quick_plan(item)]
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not left_out_by_the_quick_plan(item)]

    def rank(item):
        name = getattr(item, "originalname", None)
        if name in site_suites.FIRST_TESTS:
            return -1
        if name in site_suites.LAST_TESTS:
            return 2
        return 0 if item.module.__name__ == "test_baked_sites" else 1

    items.sort(key=rank)


def pytest_configure(config):
    config.pluginmanager.register(site_suites.SuiteOutput(config), "site-suite-output")


def pytest_terminal_summary(terminalreporter):
    run_summary.write_table(terminalreporter)
