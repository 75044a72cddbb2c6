"""`python3 tasks.py test` shows its progress and ends with a table a person reads at a glance."""

import sys
from types import SimpleNamespace

import run_summary
from conftest import run


def report(nodeid, when, outcome="passed", duration=1.0, reason=None, result=None, start=0):
    return SimpleNamespace(
        nodeid=nodeid,
        when=when,
        start=start,
        outcome=outcome,
        duration=duration,
        longrepr=("test_baked_sites.py", 1, f"Skipped: {reason}") if reason else None,
        user_properties=[("result", result)] if result else [],
    )


SQLITE = "tests/test_baked_sites.py::test_site_tests_pass_on_sqlite[userena]"
POSTGRESQL = "tests/test_baked_sites.py::test_site_tests_pass_on_postgresql_and_redis[userena]"
REPORTS = [
    report(SQLITE, "setup", duration=60.0),
    report(SQLITE, "call", duration=40.0, result="593 passed in 38.20s"),
    report(SQLITE, "teardown", duration=0.5),
    report(POSTGRESQL, "setup", "skipped", 0.1, reason="set DATABASE_URL", start=200),
    report("tests/test_hooks.py::test_bake[builtin]", "call", duration=2.0),
    report("tests/test_hooks.py::test_x", "call", outcome="failed", duration=3.0),
]


def test_a_suite_run_in_the_background_shows_its_own_time():
    waited = report(SQLITE, "call", duration=2.0, result="593 passed in 38.20s")
    waited.user_properties.append(("seconds", 39.5))

    table, _ = run_summary.rows([waited])

    assert table == [
        ("userena", "site tests pass on sqlite", "passed", 39.5, "593 passed in 38.20s")
    ]


def test_each_baked_systems_step_is_a_row_with_its_time_and_detail():
    table, others = run_summary.rows(REPORTS)

    assert table == [
        ("userena", "site tests pass on sqlite", "passed", 100.5, "593 passed in 38.20s"),
        ("userena", "site tests pass on postgresql and redis", "skipped", 0.1, "set DATABASE_URL"),
    ]
    assert others == {"passed": [1, 2.0], "failed": [1, 3.0]}


def test_the_table_is_a_section_of_its_own():
    lines = []
    reporter = SimpleNamespace(
        stats={"passed": REPORTS[:3], "skipped": REPORTS[3:4], "": REPORTS[4:]},
        write_line=lines.append,
        section=lambda title: lines.append(f"== {title} =="),
    )

    run_summary.write_table(reporter)

    assert lines[0] == "== what ran =="
    assert "userena" in lines[1] and "100.5s" in lines[1] and "593 passed" in lines[1]
    assert "skipped" in lines[2] and lines[2].endswith("set DATABASE_URL")
    assert any("1 other tests" in line and "failed" in line for line in lines[3:])


def test_a_long_command_is_shown_as_it_runs(tmp_path):
    """The command waits for proof that its first line was seen before it goes on: it can
    only finish if run() passes each line on while the command still runs."""
    seen = tmp_path / "seen"
    script = (
        "import pathlib, sys, time\n"
        "print('first', flush=True)\n"
        f"seen = pathlib.Path({str(seen)!r})\n"
        "deadline = time.monotonic() + 60\n"
        "while not seen.exists():\n"
        "    if time.monotonic() > deadline: sys.exit('first line never shown')\n"
        "    time.sleep(0.05)\n"
        "print('second')\n"
    )
    shown = []

    def echo(line):
        shown.append(line)
        seen.touch()

    output = run([sys.executable, "-c", script], cwd=tmp_path, echo=echo)

    assert shown == ["first\n", "second\n"]
    assert output == "first\nsecond\n"
