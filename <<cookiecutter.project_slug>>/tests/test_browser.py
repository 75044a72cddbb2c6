"""A person registers with Facebook in a real browser: Debian's Chromium, driven by Playwright.

Outside CI the test is skipped when /usr/bin/chromium is missing (`apt-get install
chromium`); in CI (CI=true) a missing Chromium is a failure.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.database,
    pytest.mark.slow,
]

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


def test_register_with_facebook_lands_on_the_welcome_page(page, live_server):
    """Home page, "Log in with Facebook", the stand-in's dialog, the welcome page."""
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Log in with Facebook").first.click()
    page.get_by_role("button", name="Continue as Katherine Johnson").click()
    page.wait_for_url(f"{live_server.url}/accounts/welcome/")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "welcome.png"), full_page=True)
    assert "Katherine" in page.locator("h1").first.inner_text()
    user = get_user_model().objects.get()
    assert user.facebook_account.name == "Katherine Johnson"
    page.goto(f"{live_server.url}/accounts/profile/")
    assert "Katherine Johnson" in page.content()
    page.goto(f"{live_server.url}/privacy/")
    violations = [text for text in page.console_messages if "Content Security Policy" in text]
    assert violations == []


def test_cancelling_the_dialog_is_a_notice_back_on_the_login_page(page, live_server):
    login_url = f"{live_server.url}{reverse('login')}"
    page.goto(login_url)
    page.get_by_role("link", name="Log in with Facebook").first.click()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(f"{login_url}?fb_error_or_cancel=1")
    notice = page.locator(".message")
    assert "cancelled" in notice.inner_text()
    assert notice.get_attribute("role") == "status"
    assert page.locator(".message--error").count() == 0


def test_the_dialog_again_after_a_login_lands_quietly(page, live_server):
    """The back button to the dialog and "Continue" again: the login is done, not an error."""
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Log in with Facebook").first.click()
    page.get_by_role("button", name="Continue as Katherine Johnson").click()
    page.wait_for_url(f"{live_server.url}/accounts/welcome/")
    page.go_back()
    page.get_by_role("button", name="Continue as Katherine Johnson").click()
    page.wait_for_url(f"{live_server.url}/accounts/welcome/")
    assert page.locator(".message").count() == 0
    assert get_user_model().objects.count() == 1
