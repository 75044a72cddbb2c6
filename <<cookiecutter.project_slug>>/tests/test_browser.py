"""A person registers with Facebook in a real browser: Debian's Chromium, driven by Playwright.

Outside CI the test is skipped when /usr/bin/chromium is missing (`apt-get install
chromium`); in CI (CI=true) a missing Chromium is a failure (the `chromium` fixture,
tests/chromium.py).
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from .chromium import RESULTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.database,
    pytest.mark.slow,
]


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
