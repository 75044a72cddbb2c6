"""Benchmark the template: bake time, and the baked site's login cost and test-suite time.

    python3 scripts/benchmark.py [--rounds N] [--bakes N] [--skip-tests]

Bakes the template with its defaults (timing several bakes), installs the baked site's
virtualenv, then runs scripts/benchmark_site.py inside it: SQL statements, Graph API round
trips and median wall time of a full login round trip (start + callback) for a returning
login, a new registration and a connect, with database-backed sessions; on SQLite, and on
PostgreSQL too when DATABASE_URL is set. Last, it times the baked site's own test suite.
Prints a Markdown table for the README.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_SCRIPT = Path(__file__).resolve().parent / "benchmark_site.py"


BACKENDS = ("builtin", "django-registration", "userena")


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


def site_figures(site, rounds, database_url):
    env = {**os.environ, "BENCHMARK_ROUNDS": str(rounds)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    python = str(site / ".venv" / "bin" / "python")
    return json.loads(run([python, str(SITE_SCRIPT)], cwd=site, env=env).stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--bakes", type=int, default=5)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    args = parser.parse_args()

    bake_seconds = time_bakes(args.bakes)
    rows, suites = [], {}
    for backend in args.backend or BACKENDS:
        with tempfile.TemporaryDirectory() as tmp:
            site = bake(tmp, backend)
            run([sys.executable, "tasks.py", "install"], cwd=site)
            databases = [None]
            if os.environ.get("DATABASE_URL"):
                base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
                databases.append(f"{base}/benchmark")
            rows += [(backend, site_figures(site, args.rounds, url)) for url in databases]
            if not args.skip_tests:
                env = {
                    k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
                }
                started = time.perf_counter()
                run([sys.executable, "tasks.py", "test", "-q"], cwd=site, env=env)
                suites[backend] = time.perf_counter() - started

    print(
        "| system | flow | database | SQL statements (data only) | Graph round trips | median ms |"
    )
    print("|---|---|---|---|---|---|")
    for backend, result in rows:
        for flow in result["flows"]:
            print(
                f"| {backend} | {flow['flow']} | {result['database']} | "
                f"{flow['sql_statements']:.0f} ({flow['sql_without_transaction_control']:.0f}) | "
                f"{flow['graph_round_trips']:.0f} | {flow['median_ms']:.1f} |"
            )
    print()
    print(f"Bake time (median of {args.bakes}): {bake_seconds:.2f} s")
    for backend, seconds in suites.items():
        print(f"Baked {backend} site's test suite (SQLite, tasks.py test): {seconds:.1f} s")
    print(f"Rounds per flow: {args.rounds}")


if __name__ == "__main__":
    main()
