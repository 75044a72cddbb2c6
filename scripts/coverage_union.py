"""The union of what the baked sites' suites cover: line and branch coverage of the generated
code, counted once for every file that several bakes share.

    python scripts/coverage_union.py SITE:DATAFILE [SITE:DATAFILE ...] [--json OUT]

Each argument names a baked site and a coverage data file one of its suites wrote. A file whose
text is the same in several bakes (django_facebook/graph.py, say) is one file of the union, and
a line of it counts as covered when any suite ran it in any bake; a file that differs (the
settings, each system's backends) is a file of its own per text. Files that no suite imported
count too, with nothing covered. The site's own [tool.coverage] omissions apply (tests,
migrations, manage.py, tasks.py, .venv).

Run it with a baked site's Python, whose coverage wrote the data (test_baked_sites.py does).
Prints one line, "lines 95.12% (4711/4953), branches 88.01% (1203/1367), total 93.70%", and
with --json writes those counts.
"""

import argparse
import fnmatch
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from coverage import Coverage, CoverageData

# The site's [tool.coverage.run] omit, relative to the site.
OMIT = ["tests/*", "*/migrations/*", "manage.py", "tasks.py", ".venv/*"]


def measured_files(site):
    """The site's Python files that coverage measures, relative to the site."""
    for path in sorted(site.rglob("*.py")):
        relative = path.relative_to(site).as_posix()
        if not any(fnmatch.fnmatch(relative, pattern) for pattern in OMIT):
            yield relative


def union(runs, folder):
    """Merge the runs' data into folder: a copy of every measured file, under a folder named by
    its text's hash, and one data file with the arcs of all runs. Returns the data file."""
    merged = CoverageData(basename=str(folder / ".coverage"))
    merged.set_context("union")
    copies = {}  # (site, relative) -> the copy's path

    def copy_of(site, relative):
        key = (site, relative)
        if key not in copies:
            text = (site / relative).read_bytes()
            target = folder / hashlib.sha256(text).hexdigest()[:16] / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text)
            copies[key] = str(target)
        return copies[key]

    for site, data_file in runs:
        data = CoverageData(basename=str(data_file))
        data.read()
        for measured in data.measured_files():
            path = Path(measured)
            if not path.is_relative_to(site):
                continue
            relative = path.relative_to(site).as_posix()
            if any(fnmatch.fnmatch(relative, pattern) for pattern in OMIT):
                continue
            merged.add_arcs({copy_of(site, relative): data.arcs(measured) or []})
    for site in {site for site, _ in runs}:
        for relative in measured_files(site):
            merged.touch_file(copy_of(site, relative))
    merged.write()
    return merged.base_filename()


def totals(data_file, folder):
    coverage = Coverage(data_file=data_file, branch=True, config_file=False)
    coverage.load()
    report = folder / "union.json"
    coverage.json_report(outfile=str(report), ignore_errors=False)
    summary = json.loads(report.read_text())["totals"]
    return {
        "lines_covered": summary["covered_lines"],
        "lines": summary["num_statements"],
        "branches_covered": summary["covered_branches"],
        "branches": summary["num_branches"],
        "percent": round(summary["percent_covered"], 2),
    }


def describe(counts):
    lines = 100 * counts["lines_covered"] / counts["lines"]
    branches = 100 * counts["branches_covered"] / counts["branches"]
    return (
        f"lines {lines:.2f}% ({counts['lines_covered']}/{counts['lines']}), "
        f"branches {branches:.2f}% ({counts['branches_covered']}/{counts['branches']}), "
        f"total {counts['percent']:.2f}%"
    )


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", metavar="SITE:DATAFILE")
    parser.add_argument("--json", type=Path, help="write the counts here too")
    options = parser.parse_args(argv)
    runs = []
    for run in options.runs:
        site, _, data_file = run.partition(":")
        if not Path(data_file).is_file():
            parser.error(f"no coverage data at {data_file}")
        runs.append((Path(site).resolve(), Path(data_file).resolve()))
    folder = Path(tempfile.mkdtemp(prefix="coverage-union-"))
    try:
        counts = totals(union(runs, folder), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if options.json:
        options.json.write_text(json.dumps(counts, indent=2) + "\n")
    print(describe(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
