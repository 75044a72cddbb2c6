"""The browser tests' Chromium (Debian's, driven by Playwright), and a page in it.

The fixtures `chromium` (one browser per test module) and `page` (a fresh context on the
live server, whose logged errors fail the test unless expected) reach every test module
through conftest.py. Outside CI a test using them is skipped when /usr/bin/chromium is
missing (`apt-get install chromium`); in CI (CI=true) a missing Chromium is a failure.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet on a closed network (no background connections to Google).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parent.parent / "test-results"


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the database set-up and the
    # test's own ORM calls around it are still synchronous.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, settings):
    settings.FACEBOOK_WWW_URL = f"{live_server.url}/fakebook/www"
    settings.FACEBOOK_GRAPH_URL = f"{live_server.url}/fakebook/graph"
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every message the browser logs, to catch Content-Security-Policy violations; and every
    # error it logs (a resource that answered 404, a CSP violation, a script error), each of
    # which fails the test unless the test expects it (`page.expected_errors`: patterns).
    page.console_messages = []
    page.console_errors = []
    page.expected_errors = []
    page.on("console", lambda message: record_console(page, message))
    page.on("pageerror", lambda error: page.console_errors.append(f"page error: {error}"))
    yield page
    context.close()
    unexpected = [
        error
        for error in page.console_errors
        if not any(re.fullmatch(expected, error) for expected in page.expected_errors)
    ]
    assert unexpected == [], "the browser logged errors"


def record_console(page, message):
    page.console_messages.append(message.text)
    if message.type == "error":
        page.console_errors.append(f"{message.text} ({message.location.get('url', '')})")


def expect_error_status(page, url, status):
    """Let the test open `url` knowing it answers `status` (Chromium logs that as an error)."""
    page.expected_errors.append(
        rf"Failed to load resource: the server responded with a status of {status} \(.*\) "
        rf"\({re.escape(url)}\)"
    )
