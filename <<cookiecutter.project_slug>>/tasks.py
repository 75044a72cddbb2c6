"""The site's task runner: one file, standard library only, so a fresh checkout needs nothing
but Python 3.11+ to install, run, test and lint itself.

    python3 tasks.py install              # .venv with the site and its test tools, from the lock
    python3 tasks.py run [--port N]       # install, migrate, dev server on 127.0.0.1
    python3 tasks.py test [pytest args]   # install, then pytest without the slow tests
    python3 tasks.py test-all [pytest args]  # install, then every test (as CI runs them)
    python3 tasks.py lint                 # install, then ruff, djlint and mypy
    python3 tasks.py messages             # update locale/'s catalogs from the code (GNU gettext)
    python3 tasks.py format               # install, then ruff check --fix and ruff format
    python3 tasks.py coverage [pytest args]  # install, then every test, with a coverage report
    python3 tasks.py test-next-django [pytest args]  # every test on Django NEXT_DJANGO
    python3 tasks.py lock [--uv PATH]     # regenerate requirements.txt from pyproject.toml
    python3 tasks.py template-check       # cruft check: is the site behind its template?

Every command prints what it runs and exits with the exit code of what it ran.
"""

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
# The installer, the lock's own version of it (bootstrap_uv).
UV = VENV / "bin" / "uv"
PYPROJECT = ROOT / "pyproject.toml"
# The lock: every dependency of pyproject.toml (with the test extras) pinned, with hashes.
LOCK = ROOT / "requirements.txt"
# Holds the hash of the pyproject.toml and lock last installed, so that unchanged ones cost no
# installer run.
STAMP = VENV / ".installed-pyproject.sha256"
# uv resolves for every platform and every Python the site supports, so one lock serves a
# laptop, CI and production alike; no annotations, since they would name the project.
LOCK_OPTIONS = [
    "--extra=test",
    "--extra=dev",
    "--generate-hashes",
    "--universal",
    "--python-version=3.11",
    "--no-annotate",
    "--quiet",
    "--custom-compile-command=python3 tasks.py lock",
]
# makemessages as the catalogs are kept (docs/languages.md): no file names or line numbers
# (a moved line changes no catalog), no obsolete entries, the site's code only.
MAKEMESSAGES_OPTIONS = [
    *("--no-location", "--no-obsolete", "--no-wrap"),
    *("--ignore", ".venv", "--ignore", "tests", "--ignore", "staticfiles", "--ignore", "build"),
]


# The next Django feature release, which the site is tested on before it moves to it
# (README.md, "Support window"): in a venv of its own inside .venv, with the lock's versions
# of everything else. Django 6 runs on Python 3.12 and newer.
NEXT_DJANGO = "6.1"
NEXT_VENV = VENV / f"django-{NEXT_DJANGO}"
NEXT_DJANGO_PYTHONS = ("python3.14", "python3.13", "python3.12")
NO_NEXT_PYTHON = "needs Python 3.12 or newer, and none was found (set NEXT_DJANGO_PYTHON)"


def run(*command, env=None):
    """Run a command in the site's directory, after printing it, and return its exit code.

    The commands are lists built here from fixed names and the user's own arguments; no
    shell is involved.
    """
    print("+", shlex.join(str(part) for part in command), flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603 -- fixed argv, no shell


def replace_with(*command, env):
    """Become the command (exec), so that Ctrl-C and signals reach it directly, as if it had
    been typed, and its exit code is ours."""
    print("+", shlex.join(str(part) for part in command), flush=True)
    os.chdir(ROOT)
    os.execve(command[0], [str(part) for part in command], env)  # noqa: S606 -- fixed argv, no shell


def install_inputs_hash():
    digest = hashlib.sha256(PYPROJECT.read_bytes())
    digest.update(LOCK.read_bytes())
    return digest.hexdigest()


def locked_requirement(name, lock_text):
    """The lock's entry for one package: its pin and its hashes (the lines up to the first
    one without a continuation), as a requirements file of its own."""
    lines = lock_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}=="))
    end = next(i for i in range(start, len(lines)) if not lines[i].endswith("\\"))
    return "\n".join(lines[start : end + 1]) + "\n"


def bootstrap_uv():
    """Install the lock's own uv into .venv with pip, checked against the lock's hashes.

    uv then installs everything else: it does in seconds what pip does in a minute (it
    resolves nothing, verifies the same hashes, and copies from its cache, so a second
    checkout or a container build installs without downloading). One pip run of one wheel
    with no dependencies is all a fresh machine needs first.
    """
    wanted = locked_requirement("uv", LOCK.read_text())
    stamp = VENV / ".installed-uv.txt"
    if UV.exists() and stamp.exists() and stamp.read_text() == wanted:
        return 0
    with tempfile.TemporaryDirectory(prefix="uv-") as folder:
        requirement = Path(folder) / "uv.txt"
        requirement.write_text(wanted)
        pip = [PYTHON, "-m", "pip", "--disable-pip-version-check", "--quiet"]
        code = run(*pip, "install", "--require-hashes", "--no-deps", "-r", requirement)
    if code == 0:
        stamp.write_text(wanted)
    return code


def install():
    """Create .venv if it is missing and install the locked dependencies, then the site.

    The lock installs with --require-hashes, so every machine gets the same files; the site
    itself goes in editable and without dependencies, and `uv pip check` then fails if
    pyproject.toml asks for something the lock lacks. The installer is skipped when
    pyproject.toml and the lock are byte for byte the ones last installed, because every
    other command starts with install.
    """
    if not PYTHON.exists():
        code = run(sys.executable, "-m", "venv", VENV)
        if code:
            return code
    wanted = install_inputs_hash()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        print(
            f"{PYPROJECT.name} unchanged since the last install; skipping the installer", flush=True
        )
        return 0
    STAMP.unlink(missing_ok=True)
    uv = [UV, "pip"]
    target = ["--python", PYTHON]
    code = (
        bootstrap_uv()
        or run(*uv, "install", *target, "--require-hashes", "-r", LOCK.name)
        or run(*uv, "install", *target, "--no-deps", "-e", ".")
        or run(*uv, "check", *target)
    )
    if code:
        print(f"If {LOCK.name} lacks a dependency: python3 tasks.py lock", file=sys.stderr)
    else:
        STAMP.write_text(wanted + "\n")
    return code


def compile_catalogs():
    """The translations' .mo files from locale/'s .po files, with Babel in .venv: no GNU
    gettext needed (config/catalogs.py). Cheap, so every install does it."""
    return run(PYTHON, "-m", "config.catalogs")


def django_env(settings):
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings
    return env


def cmd_install(args):
    return install() or compile_catalogs()


def cmd_messages(args):
    """Update every catalog in locale/ from the code (Django's makemessages, which needs GNU
    gettext), then compile them: after a string is added or changed (docs/languages.md)."""
    code = install()
    if code:
        return code
    languages = [path.name for path in sorted((ROOT / "locale").iterdir()) if path.is_dir()]
    command = [PYTHON, "manage.py", "makemessages", *MAKEMESSAGES_OPTIONS]
    for language in languages:
        command += ["-l", language]
    return run(*command, *args, env=django_env("config.settings.local")) or compile_catalogs()


def run_env(port):
    """The development server's environment: local settings, and the port it serves on.

    The stand-in's URLs follow each request's host and port by themselves; the port is for
    the links that are made without a request (userena's emails name SITE_DOMAIN, which
    `migrate` writes into the Site).
    """
    env = django_env("config.settings.local")
    env["DJANGO_RUNSERVER_PORT"] = str(port)
    return env


def cmd_run(args):
    parser = argparse.ArgumentParser(prog="tasks.py run")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (8000)")
    options = parser.parse_args(args)
    code = install() or compile_catalogs()
    if code:
        return code
    # The development server is for this machine only: local settings and the loopback address.
    env = run_env(options.port)
    code = run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
    if code:
        return code
    return replace_with(PYTHON, "manage.py", "runserver", f"127.0.0.1:{options.port}", env=env)


def cmd_test_all(args):
    """Every test, the slow ones too: what CI runs."""
    code = install() or compile_catalogs()
    if code:
        return code
    # pytest-django prefers DJANGO_SETTINGS_MODULE from the environment over pyproject.toml;
    # a value left over from `run` or a deployment shell must not point the tests elsewhere.
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return run(PYTHON, "-m", "pytest", *args, env=env)


def cmd_test(args):
    """The tests a change is checked with as it is made: all but those marked slow (the
    browser, real servers, timeouts waited out, the large property-based runs), which
    test-all, coverage and CI run. A -m of one's own replaces this selection."""
    return cmd_test_all(["-m", "not slow", *args])


def next_django_python():
    """The Python to run Django NEXT_DJANGO with: NEXT_DJANGO_PYTHON if set, this one if
    new enough, else the newest 3.12+ on PATH or installed by pyenv that starts (a version
    manager's shim may name one it does not have)."""
    if os.environ.get("NEXT_DJANGO_PYTHON"):
        return os.environ["NEXT_DJANGO_PYTHON"]
    if sys.version_info >= (3, 12):
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates: list[str | Path] = [
        path for name in NEXT_DJANGO_PYTHONS if (path := shutil.which(name))
    ]
    candidates += sorted(pyenv.glob("3.1[2-9]*/bin/python3"), reverse=True)
    check = "import sys; sys.exit(sys.version_info < (3, 12))"
    for found in candidates:
        if subprocess.run([found, "-c", check], capture_output=True).returncode == 0:  # noqa: S603 -- a Python found on this machine, no shell
            return str(found)
    return None


def cmd_test_next_django(args):
    """Every test (or those the arguments select) on Django NEXT_DJANGO: what breaks first
    when the site moves to it (its session stores override Django internals). The lock's
    versions of everything but Django, which an override replaces."""
    code = install()
    if code:
        return code
    python = next_django_python()
    if python is None:
        print(f"test-next-django: Django {NEXT_DJANGO} {NO_NEXT_PYTHON}", file=sys.stderr)
        return 2
    next_python = NEXT_VENV / "bin" / "python"
    if not next_python.exists():
        code = run(python, "-m", "venv", NEXT_VENV)
        if code:
            return code
    target = ["--python", next_python]
    with tempfile.TemporaryDirectory(prefix="next-django-") as folder:
        override = Path(folder) / "django.txt"
        override.write_text(f"django~={NEXT_DJANGO}.0\n")
        code = run(UV, "pip", "install", *target, "-r", LOCK.name, "--override", override)
    code = code or run(UV, "pip", "install", *target, "--no-deps", "-e", ".")
    if code:
        return code
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return run(next_python, "-m", "pytest", *args, env=env)


def cmd_lint(args):
    code = install()
    if code:
        return code
    # All run even if one fails, so one pass shows every problem.
    check = run(PYTHON, "-m", "ruff", "check", ".")
    fmt = run(PYTHON, "-m", "ruff", "format", "--check", ".")
    # The Django templates, with the rules chosen in pyproject.toml's [tool.djlint].
    templates = run(PYTHON, "-m", "djlint", "--lint", ".")
    # The types, with django-stubs' plugin ([tool.mypy] in pyproject.toml).
    types = run(PYTHON, "-m", "mypy")
    return check or fmt or templates or types


def cmd_format(args):
    code = install()
    if code:
        return code
    # Fixes first (import order, for one), then the formatter tidies what they changed.
    check = run(PYTHON, "-m", "ruff", "check", "--fix", ".")
    fmt = run(PYTHON, "-m", "ruff", "format", ".")
    return check or fmt


def cmd_coverage(args):
    """The tests, measuring which lines they run; fails under [tool.coverage.report]
    fail_under in pyproject.toml."""
    return cmd_test_all(["--cov", "--cov-report=term-missing:skip-covered", *args])


def cmd_lock(args):
    """Resolve pyproject.toml again into requirements.txt, keeping every pin that still fits
    (uv prefers the versions already in the output file); --uv names a uv to use instead of
    the one in .venv, so that a lock can be made before anything is installed."""
    parser = argparse.ArgumentParser(prog="tasks.py lock")
    parser.add_argument("--uv", help="the uv executable (default: .venv's)")
    options, extra = parser.parse_known_args(args)
    if options.uv:
        uv = [options.uv]
    else:
        code = install()
        if code:
            return code
        uv = [UV]
    return run(*uv, "pip", "compile", PYPROJECT.name, *LOCK_OPTIONS, "-o", LOCK.name, *extra)


def cmd_template_check(args):
    """Exit 0 if the site is at its template's latest commit (.cruft.json), 1 if behind."""
    code = install()
    if code:
        return code
    return run(VENV / "bin" / "cruft", "check", *args)


COMMANDS = {
    "install": cmd_install,
    "run": cmd_run,
    "test": cmd_test,
    "test-all": cmd_test_all,
    "lint": cmd_lint,
    "format": cmd_format,
    "coverage": cmd_coverage,
    "test-next-django": cmd_test_next_django,
    "lock": cmd_lock,
    "messages": cmd_messages,
    "template-check": cmd_template_check,
}


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
