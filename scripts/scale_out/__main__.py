"""The command line of the scale-out test: its options, the baked site, the run, the verdict.

python3 -m scripts.scale_out --help   # from the template's root (tasks.py scale-out runs it)
"""

import argparse
import json
import os
import signal
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from . import __doc__ as ABOUT
from .load import People
from .phases import SHORT_PAGES_P99_MS
from .processes import LOAD_NICENESS, run
from .report import table
from .scenarios import scenarios
from .stack import Stack

ROOT = Path(__file__).resolve().parents[2]


def arguments():
    """The options, --short's values filled in."""
    parser = argparse.ArgumentParser(
        prog="python3 -m scripts.scale_out", description=ABOUT.splitlines()[0]
    )
    parser.add_argument("--site", type=Path, help="an installed baked site (default: bake one)")
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--concurrency", default="4,16,32", help="steady phases' concurrencies")
    parser.add_argument("--seconds", type=float, default=20.0, help="per steady phase")
    parser.add_argument("--max-logins", type=int, default=5000, help="per phase")
    parser.add_argument("--new-share", type=float, default=0.3, help="of logins, new people")
    parser.add_argument("--fault-seconds", type=float, default=10.0, help="a fault's length")
    parser.add_argument("--crowd", type=int, default=64, help="people at once while Graph is slow")
    parser.add_argument("--pages-p99-ms", type=float, default=300.0, help="the other pages' goal")
    parser.add_argument("--phases", help="only the phases whose names hold one of these words")
    parser.add_argument("--short", action="store_true", help="CI: 2 hosts, 2 and 6 at once, 4 s")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--logs", type=Path, help="keep the processes' logs here")
    args = parser.parse_args()
    if args.short:
        args.hosts, args.concurrency, args.seconds, args.max_logins = 2, "2,6", 4.0, 400
        args.fault_seconds, args.crowd, args.pages_p99_ms = 3.0, 24, SHORT_PAGES_P99_MS
    return args


def bake(directory):
    from cookiecutter.main import cookiecutter

    site = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(directory)))
    run(sys.executable, "tasks.py", "install", cwd=site, timeout=900)
    return site


def main():
    args = arguments()
    if os.geteuid() != 0:
        sys.exit("scripts.scale_out needs root: it makes network namespaces (ip netns)")
    os.setpriority(os.PRIO_PROCESS, 0, LOAD_NICENESS)
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    # SIGTERM (a CI timeout) tears down as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with ExitStack() as cleanup:
        work = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="scale-out-")))
        site = args.site.resolve() if args.site else bake(work / "site")
        logs = (args.logs or work / "run").resolve()
        logs.mkdir(parents=True, exist_ok=True)
        stack = Stack(site, logs)
        cleanup.callback(stack.close)
        try:
            stack.build(args.hosts, args.max_logins * 8, database_url)
            results = scenarios(stack, People(args.max_logins * 8, args.new_share), args)
        except BaseException:
            for log in sorted(logs.glob("*.log")):
                lines = log.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {log.name} (last lines)", *lines, sep="\n", file=sys.stderr)
            raise
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    failed = [r["phase"] for r in results if not r["passed"]]
    if failed:
        sys.exit(f"scale-out: these phases broke their promise: {', '.join(failed)}")


if __name__ == "__main__":
    main()
