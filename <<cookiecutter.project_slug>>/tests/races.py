"""Races: calls run at the same instant, each in its own thread and database connection.

SQLite serialises writers, so there is no race to prove there: the race tests need
PostgreSQL (`needs_postgresql`, a mark skipping them on any other database).
"""

import threading

import pytest
from django.db import connection

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races need PostgreSQL (DATABASE_URL)"
)


def race(*calls):
    """Run the calls at the same instant, each in its own thread; their results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the outcome is what the test inspects
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results
