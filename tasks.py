"""The template's task runner: standard library only, so that the README's two commands need
nothing but Python 3.11+.

    python3 tasks.py run [--port N]       # bake a site with the defaults into build/ and run it
    python3 tasks.py test [pytest args]   # lint the template's own code, then its tests
    python3 tasks.py test --quick [args]  # the same, but only the builtin site's quick suite
    python3 tasks.py scale-out [args]     # the long scale-out test (root; docs/scale-out.md)
    python3 tasks.py lock                 # regenerate every registration system's lock

Both create .venv beside this file with cookiecutter, pytest and ruff (requirements-dev.txt),
and print every command they run.
"""

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements-dev.txt"
# Holds the hash of the requirements last installed, so that unchanged ones cost no pip run.
STAMP = VENV / ".installed-requirements.sha256"
BUILD = ROOT / "build"
# The template's own Python code; the site directory holds Jinja markers and is linted only
# once baked, by the tests.
LINTED = ["hooks", "local_extensions.py", "tests", "tasks.py", "scripts"]

# Tells the post-gen hook the port `run` serves the new site on, so that the "make run" line it
# prints names the URL that really opens (hooks/post_gen_project.py reads it).
RUN_PORT_VARIABLE = "TEMPLATE_RUN_PORT"

NO_DATABASE_URL = (
    "DATABASE_URL is not set: the baked sites' tests run on SQLite only. Set DATABASE_URL "
    "(postgres://...) and REDIS_URL to run them on PostgreSQL + Redis too."
)

# Prints the project_slug that cookiecutter derives from the defaults, with cookiecutter's own
# rendering (custom delimiters, slugify), so that tasks.py never guesses it.
DEFAULT_SLUG = """\
import sys
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
context = generate_context(context_file=sys.argv[1])
print(prompt_for_config(context, no_input=True)["project_slug"])
"""


def show(command):
    print("+", shlex.join(str(part) for part in command), flush=True)


def run(*command):
    """Run a command in the template's directory, after printing it, and return its exit code.

    The commands are lists built here from fixed names and the user's own arguments; no shell
    is involved.
    """
    show(command)
    return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603 -- fixed argv, no shell


def default_slug():
    """The project_slug of a bake with the defaults, or None (after saying why)."""
    result = subprocess.run(  # noqa: S603 -- fixed argv, no shell
        [PYTHON, "-c", DEFAULT_SLUG, "cookiecutter.json"],
        cwd=ROOT,
        check=False,
        text=True,
        capture_output=True,
    )
    if result.returncode:
        print(result.stdout + result.stderr, file=sys.stderr)
        return None
    return result.stdout.strip()


def venv():
    """Create .venv with the template's tools; skip the installer while requirements-dev.txt
    is unchanged.

    pip installs uv alone, and uv the rest: uv takes seconds where pip takes half a minute,
    and its cache is the one the baked sites' own installs share.
    """
    if not PYTHON.exists():
        code = run(sys.executable, "-m", "venv", VENV)
        if code:
            return code
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return 0
    STAMP.unlink(missing_ok=True)
    uv_requirement = next(
        line for line in REQUIREMENTS.read_text().splitlines() if line.startswith("uv")
    )
    code = run(
        PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", uv_requirement
    ) or run(VENV / "bin" / "uv", "pip", "install", "--python", PYTHON, "-r", REQUIREMENTS.name)
    if code == 0:
        STAMP.write_text(wanted + "\n")
    return code


def requested_port(args):
    """The --port among `run`'s arguments (which go on to the site's own tasks.py run, where
    a bad one is refused), or None when none or no plain port number is given."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--port")
    options, _ = parser.parse_known_args(args)
    return options.port if options.port and re.fullmatch(r"[0-9]{1,5}", options.port) else None


def cmd_run(args):
    """Bake once into build/<slug> and hand over to the baked site's own `tasks.py run`.

    An existing build/<slug> is reused, never overwritten: it may hold the developer's
    database, .env and edits. Delete it to bake afresh.
    """
    code = venv()
    if code:
        return code
    slug = default_slug()
    if not slug:
        return 1
    site = BUILD / slug
    if site.is_dir():
        print(f"Reusing {site.relative_to(ROOT)} (delete it to bake the template again)")
    else:
        # The template's absolute path, which the site records as its origin (.cruft.json);
        # the port asked for, which the hook's closing message names.
        command = [VENV / "bin" / "cookiecutter", "--no-input", ROOT, "--output-dir", BUILD]
        env = dict(os.environ)
        port = requested_port(args)
        if port:
            env[RUN_PORT_VARIABLE] = port
        show(command)
        code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603
        if code:
            return code
    command = [sys.executable, "tasks.py", "run", *args]
    show(command)
    os.chdir(site)
    # exec, so that Ctrl-C reaches the development server directly and its exit code is ours.
    os.execv(command[0], command)  # noqa: S606 -- fixed argv, no shell


def cmd_test(args):
    """Lint the template's own code, then run its tests; non-zero if either fails.

    The tests end with their own table of what ran per registration system and database
    (tests/run_summary.py); this ends with one line per step and how long it took. --quick:
    the inner loop of a change, a few minutes (docs/testing.md): only the
    builtin site, on SQLite, without its slow tests, nor the template's (tests/site_suites.py).
    """
    if args[:1] == ["--quick"]:
        args = args[1:]
        os.environ["TEMPLATE_TEST_PLAN"] = "quick"
    code = venv()
    if code:
        return code
    paths = [path for path in LINTED if (ROOT / path).exists()]
    if not os.environ.get("DATABASE_URL"):
        print(NO_DATABASE_URL, flush=True)
    # Every step runs even after a failure, so one CI run shows every problem.
    steps = [
        ("ruff check", [PYTHON, "-m", "ruff", "check", *paths]),
        ("ruff format --check", [PYTHON, "-m", "ruff", "format", "--check", *paths]),
        ("pytest tests/", [PYTHON, "-m", "pytest", "tests/", *args]),
    ]
    results = []
    for label, command in steps:
        started = time.monotonic()
        code = run(*command)
        results.append((label, code, time.monotonic() - started))
    print("\ntasks.py test:")
    for label, code, seconds in results:
        print(f"  {label:<20} {'ok' if code == 0 else f'FAILED (exit {code})':<16} {seconds:6.1f}s")
    if not os.environ.get("DATABASE_URL"):
        print(NO_DATABASE_URL)
    return next((code for _, code, _ in results if code), 0)


def cmd_scale_out(args):
    """Bake a site and run scripts/scale_out/ on it: several app hosts under load."""
    code = venv()
    if code:
        return code
    return run(PYTHON, "-m", "scripts.scale_out", *args)


def lock_combinations():
    """(lock file, answers) for every lock the template ships: each registration system, alone
    and with each error_monitoring answer that adds a dependency, named as the post-gen hook's
    lock_name() names them ("userena.txt", "userena+sentry.txt")."""
    context = json.loads((ROOT / "cookiecutter.json").read_text())
    for system in context["registration_backend"]:
        for monitoring in context["error_monitoring"]:
            name = system if monitoring == "none" else f"{system}+{monitoring}"
            yield f"{name}.txt", {"registration_backend": system, "error_monitoring": monitoring}


def cmd_lock(args):
    """Regenerate every lock, <site>/locks/<combination>.txt, after a change to the site's
    pyproject.toml (a new dependency, say): bake the combination, run the baked site's own
    `tasks.py lock` (which keeps every pin that still fits), copy its lock back. A new
    combination's lock starts from its registration system's."""
    code = venv()
    if code:
        return code
    locks = ROOT / "<<cookiecutter.project_slug>>" / "locks"
    with tempfile.TemporaryDirectory(prefix="lock-") as output:
        for name, answers in lock_combinations():
            lock = locks / name
            if not lock.exists():
                shutil.copyfile(locks / f"{answers['registration_backend']}.txt", lock)
            bake_dir = Path(output) / name
            code = run(
                VENV / "bin" / "cookiecutter",
                "--no-input",
                ".",
                "--output-dir",
                bake_dir,
                *(f"{key}={value}" for key, value in answers.items()),
            )
            if code:
                return code
            (site,) = bake_dir.iterdir()
            command = [sys.executable, "tasks.py", "lock", "--uv", VENV / "bin" / "uv", *args]
            show(command)
            code = subprocess.run(command, cwd=site, check=False).returncode  # noqa: S603
            if code:
                return code
            shutil.copyfile(site / "requirements.txt", lock)
            print(f"{lock.relative_to(ROOT)}: {lock.stat().st_size:,} bytes", flush=True)
    return 0


COMMANDS = {"run": cmd_run, "test": cmd_test, "lock": cmd_lock, "scale-out": cmd_scale_out}


def main(argv):
    if sys.version_info < (3, 11):  # noqa: UP036 -- say so plainly to an older python3
        print("tasks.py needs Python 3.11 or newer", file=sys.stderr)
        return 2
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
