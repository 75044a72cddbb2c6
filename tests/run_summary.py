"""The closing table of `python3 tasks.py test`: what ran for each registration system, on
which database, what was skipped and why, and how long each step took.

A whole run takes minutes and its output is long; this table is what a person reads first.
It is built from pytest's own reports, so it shows what really happened: a step that did
not run says why (its skip reason), and each baked site's own test run adds its result line
("593 passed in 38.20s") through the test's user_properties.
"""

import re
from collections import defaultdict

BAKED_SITES = "test_baked_sites.py::"
# A baked site's test id ends in the registration system it baked: test_x[userena].
SYSTEM_RE = re.compile(r"\[([^\]]+)\]$")


def step_label(nodeid):
    """test_site_tests_pass_on_sqlite[userena] -> "site tests pass on sqlite"."""
    name = nodeid.split("::")[-1].split("[")[0]
    return name.removeprefix("test_").replace("_", " ")


def outcome_of(reports):
    outcomes = {report.outcome for report in reports}
    for outcome in ("failed", "skipped"):
        if outcome in outcomes:
            return outcome
    return "passed"


def detail_of(reports):
    """The skip reason, or what the step recorded of its result (a site's pytest line)."""
    for report in reports:
        if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
            return report.longrepr[2].removeprefix("Skipped: ")
    for report in reports:
        properties = dict(report.user_properties)
        if "result" in properties:
            coverage = properties.get("coverage")
            return properties["result"] + (f", coverage {coverage}" if coverage else "")
    return ""


def rows(all_reports):
    """(system, step, outcome, seconds, detail) per baked-site test, and the rest summed."""
    by_test = defaultdict(list)
    for report in all_reports:
        if getattr(report, "when", None) in ("setup", "call", "teardown"):
            by_test[report.nodeid].append(report)
    table, others = [], defaultdict(lambda: [0, 0.0])
    for nodeid, reports in by_test.items():
        # A site's suite runs in the background: its own time, not the time waited for it.
        recorded = [dict(report.user_properties).get("seconds") for report in reports]
        timed = [seconds for seconds in recorded if seconds is not None]
        seconds = timed[0] if timed else sum(report.duration for report in reports)
        if BAKED_SITES in nodeid and SYSTEM_RE.search(nodeid):
            system = SYSTEM_RE.search(nodeid).group(1)
            started = min(report.start for report in reports)
            table.append(
                (
                    (system, started),
                    (system, step_label(nodeid), outcome_of(reports), seconds, detail_of(reports)),
                )
            )
        else:
            counted = others[outcome_of(reports)]
            counted[0] += 1
            counted[1] += seconds
    table.sort(key=lambda keyed: keyed[0])  # grouped by system, each in the order it ran
    return [row for _, row in table], dict(others)


def write_table(terminalreporter):
    reports = [report for values in terminalreporter.stats.values() for report in values]
    table, others = rows(reports)
    if not table and not others:
        return
    write = terminalreporter.write_line
    terminalreporter.section("what ran")
    for system, step, outcome, seconds, detail in table:
        write(f"{system:<20} {step:<45} {outcome:<8} {seconds:7.1f}s  {detail}".rstrip())
    for outcome, (count, seconds) in sorted(others.items()):
        write(f"{'template':<20} {f'{count} other tests':<45} {outcome:<8} {seconds:7.1f}s")
