"""Benchmark the template: bake time, and the baked site's login cost and test-suite time.

    python3 scripts/benchmark.py [--rounds N] [--bakes N] [--skip-tests]

Bakes the template with its defaults (timing several bakes), installs the baked site's
virtualenv, then runs scripts/benchmark_site.py inside it: SQL statements, Graph API round
trips, median wall time of a full login round trip (start + callback) and CPU time of the
callback, for a returning login, a new registration and a connect; with the test settings on
SQLite, and on PostgreSQL too when DATABASE_URL is set; with the production settings
(sessions in Redis written through to PostgreSQL, the Redis cache, HTTPS behind a proxy)
when DATABASE_URL and REDIS_URL are both set. Last, it times the baked site's own test
suite, the quick one (`tasks.py test`) and the whole (`tasks.py test-all`), on SQLite.
Prints a Markdown table for docs/benchmarks.md; `--profile N` prints the N functions with the most
CPU time in the returning logins' callbacks (cProfile), per configuration.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_SCRIPT = Path(__file__).resolve().parent / "benchmark_site.py"


# The registration systems: cookiecutter.json's choices.
BACKENDS = tuple(json.loads((ROOT / "cookiecutter.json").read_text())["registration_backend"])


def bake(output_dir, backend="builtin"):
    from cookiecutter.main import cookiecutter

    return Path(
        cookiecutter(
            str(ROOT),
            no_input=True,
            output_dir=str(output_dir),
            extra_context={"registration_backend": backend},
        )
    )


def time_bakes(count):
    seconds = []
    for _ in range(count):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            bake(tmp)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def run(command, cwd, env=None):
    print("+", " ".join(command), file=sys.stderr)
    return subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True)  # noqa: S603


def configurations():
    """(settings module, environment) pairs to measure, as far as the services allow."""
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    found = [("config.settings.test", {})]
    if database_url:
        found.append(("config.settings.test", {"DATABASE_URL": database_url}))
    if database_url and redis_url:
        production = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "FACEBOOK_APP_ID": "100000000000001",
            "FACEBOOK_APP_SECRET": secrets.token_hex(16),
        }
        found.append(("config.settings.production", production))
    return found


def site_figures(site, rounds, settings_module, settings_env, profile_lines):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= settings_env | {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "BENCHMARK_ROUNDS": str(rounds),
        "BENCHMARK_PROFILE": str(profile_lines),
    }
    python = str(site / ".venv" / "bin" / "python")
    result = run([python, str(SITE_SCRIPT)], cwd=site, env=env)
    if profile_lines:
        database = "PostgreSQL" if "DATABASE_URL" in settings_env else "SQLite"
        print(f"--- profile: {site.name}, {settings_module}, {database}", file=sys.stderr)
        print(result.stderr, file=sys.stderr)
    # The figures are the last line; a site's own log lines may come before them.
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--bakes", type=int, default=5)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()

    bake_seconds = time_bakes(args.bakes)
    rows, suites = [], {}
    for backend in args.backend or BACKENDS:
        with tempfile.TemporaryDirectory() as tmp:
            site = bake(tmp, backend)
            run([sys.executable, "tasks.py", "install"], cwd=site)
            rows += [
                (backend, site_figures(site, args.rounds, module, env, args.profile))
                for module, env in configurations()
            ]
            if not args.skip_tests:
                env = {
                    k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
                }
                for task in ("test", "test-all"):
                    started = time.perf_counter()
                    run([sys.executable, "tasks.py", task, "-q"], cwd=site, env=env)
                    suites[backend, task] = time.perf_counter() - started

    print(
        "| system | flow | settings, database | SQL statements (data only) | of which callback "
        "| Graph round trips | median ms | callback CPU ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for backend, result in rows:
        for flow in result["flows"]:
            print(
                f"| {backend} | {flow['flow']} | {result['settings']}, {result['database']} | "
                f"{flow['sql_statements']:.0f} ({flow['sql_without_transaction_control']:.0f}) | "
                f"{flow['callback_sql_statements']:.0f} | {flow['graph_round_trips']:.0f} | "
                f"{flow['median_ms']:.1f} | {flow['callback_cpu_ms']:.1f} |"
            )
    print()
    print(f"Bake time (median of {args.bakes}): {bake_seconds:.2f} s")
    for (backend, task), seconds in suites.items():
        print(f"Baked {backend} site's suite (SQLite, tasks.py {task}): {seconds:.1f} s")
    print(f"Rounds per flow: {args.rounds}")


if __name__ == "__main__":
    main()
