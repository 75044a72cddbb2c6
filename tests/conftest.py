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
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
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


def run(command, cwd, env=None, timeout=TIMEOUT, echo=None):
    """Run a command; fail the test with the end of its output unless it exits 0 in time.

    The command gets its own process group, so that on a timeout the whole tree is killed
    (a baked site's tasks.py runs pytest, which may run a browser) and no grandchild keeps
    the output pipe open. Returns the combined stdout and stderr. `echo`, when given, is
    called with each line of output as it comes, to show a long run's progress.
    """
    __tracebackhide__ = True  # a failure shows the test's line and the output, not this helper
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
    output = "".join(lines)
    if timed_out.is_set():
        problem = f"timed out after {timeout}s"
    elif not process.returncode:
        return output
    else:
        problem = f"exit code {process.returncode}"
    # The output goes to the test's captured stdout, shown once in the failure report; the
    # message stays one line, for the short summary.
    print(output[-SHOWN_OUTPUT:])
    pytest.fail(f"{problem}: {' '.join(command)} (in {cwd}); its output is in 'Captured stdout'")


def ruff(*args):
    """The template venv's ruff, the one `tasks.py test` installs from requirements-dev.txt."""
    return [sys.executable, "-m", "ruff", *args]


def pytest_terminal_summary(terminalreporter):
    run_summary.write_table(terminalreporter)
