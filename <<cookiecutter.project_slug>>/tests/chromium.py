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
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

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
def page(request, chromium, live_server, settings):
    """A page of a new browser context; parametrized indirectly with a language ("de"), the
    browser asks for that language (Accept-Language) as a German Chromium does."""
    settings.FACEBOOK_WWW_URL = f"{live_server.url}/fakebook/www"
    settings.FACEBOOK_GRAPH_URL = f"{live_server.url}/fakebook/graph"
    language = getattr(request, "param", None)
    context = chromium.new_context(locale=language) if language else chromium.new_context()
    page_language = language or "en"
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every message the browser logs, to catch Content-Security-Policy violations; and every
    # error it logs (a resource that answered 404, a CSP violation, a script error), each of
    # which fails the test unless the test expects it (`page.expected_errors`: patterns).
    page.language = page_language
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


def log_in_with_facebook(page, base, person):
    """From the home page, through the stand-in's dialog as `person` (a test user's name);
    the buttons are named in the active language (translation.override)."""
    page.goto(f"{base}/")
    page.get_by_role("link", name=gettext("Log in with Facebook")).first.click()
    continue_as = gettext("Continue as %(name)s") % {"name": person}
    page.get_by_role("button", name=continue_as, exact=True).click()


PASSWORD = "a-long-passphrase-42"


def sign_up_with_a_password(page, base, username, email):
    """The sign-up form, as a person fills it in (the same fields in every system)."""
    page.goto(f"{base}{reverse('registration_register')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form:has(input[name=password2]) [type=submit]").first.click()
    page.wait_for_load_state()


def confirm_the_address_if_asked(page, base):
    """Open the emailed link in the page's browser and confirm, if the site asked for it
    (allauth: an address typed on "complete your account"); the link logs the person in."""
    from .conftest import asks_to_verify, verification_link

    if asks_to_verify(page.url):
        page.goto(f"{base}{verification_link()}")
        page.get_by_role("button", name=gettext("Confirm")).click()
        page.wait_for_load_state()


def assert_email_in_language(email, language, msgid, **values):
    """The email is in `language`: no English of the site's catalog left, and the
    translation of `msgid` (its placeholders filled with `values`) in its body."""
    from . import i18n_checks  # here: it reads the settings, which a browser test has

    text = f"{email.subject}\n{email.body}"
    assert i18n_checks.english_left(text, language) == [], text
    english = msgid % values if values else msgid
    with translation.override(language):
        expected = gettext(msgid) % values if values else gettext(msgid)
    assert expected != english, f"{msgid!r} has no {language} translation"
    assert expected in email.body, email.body
