"""The site in the person's language, in Chromium (docs/languages.md): a German browser sees
the Facebook login, its cancel, "complete your account" and the logout in German; Arabic
chosen from the menu turns the pages right to left and follows the person to another
device; a person who signed up in German gets German emails, whoever asks for them. (The
activation email of the systems that send one: their own test modules.)"""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from django_facebook.registration_backends.base import CANCELLED

from . import i18n_checks
from .chromium import (
    assert_email_in_language,
    confirm_the_address_if_asked,
    log_in_with_facebook,
    sign_up_with_a_password,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
User = get_user_model()
PASSWORD = "a-long-passphrase-42"  # the password of sign_up_with_a_password


def assert_in_language(page, language, direction="ltr"):
    """The page is in `language`, its text with no English of the site's catalog left."""
    page.wait_for_load_state()
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, direction)
    assert i18n_checks.english_left(page.inner_text("body"), language) == [], page.url


@pytest.mark.parametrize("page", ["de"], indirect=True)
def test_a_german_browser_logs_in_with_facebook_in_german(page, live_server):
    base = live_server.url
    with translation.override("de"):
        page.goto(f"{base}/")
        assert_in_language(page, "de")
        page.get_by_role("link", name=gettext("Log in with Facebook")).first.click()
        assert_in_language(page, "de")  # the stand-in's dialog
        page.get_by_role("button", name=gettext("Cancel")).click()
        assert_in_language(page, "de")
        assert gettext(CANCELLED) in page.inner_text("body")
        assert "You cancelled" not in page.inner_text("body")

        log_in_with_facebook(page, base, "Grace Hopper")  # no email on her profile
        page.wait_for_url(f"{base}/facebook/register/")
        assert_in_language(page, "de")
        page.fill("input[name=email]", "grace@example.org")
        page.get_by_role("button", name=gettext("Create my account")).click()
        assert_in_language(page, "de")
        confirm_the_address_if_asked(page, base)
        assert User.objects.get().email == "grace@example.org"

        page.get_by_role("button", name=gettext("Log out")).click()
        assert_in_language(page, "de")
        assert page.get_by_role("link", name=gettext("Log in")).first.is_visible()


@pytest.mark.parametrize("page", ["en"], indirect=True)
def test_arabic_from_the_menu_is_right_to_left_and_follows_the_person(page, live_server):
    base = live_server.url
    User.objects.create_user("layla", "layla@example.com", PASSWORD)
    log_in_with_password(page, base, "layla")
    page.select_option("#language-menu", "ar")
    page.get_by_role("button", name=translation.pgettext("language menu", "Change")).click()
    assert_in_language(page, "ar", "rtl")
    assert User.objects.get().language == "ar"
    with translation.override("ar"):
        page.get_by_role("button", name=gettext("Log out")).click()
    assert_in_language(page, "ar", "rtl")  # the cookie keeps it after logging out

    # Another device: no cookie, an English browser; the account brings Arabic back.
    page.context.clear_cookies()
    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "en"
    log_in_with_password(page, base, "layla")
    page.goto(f"{base}/")
    assert_in_language(page, "ar", "rtl")


def log_in_with_password(page, base, username):
    """The login page in the browser's language (userena names the field "identification",
    allauth "login")."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username], input[name=identification], input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("page", ["de"], indirect=True)
def test_emails_go_out_in_the_language_signed_up_in_whoever_asks(
    page, chromium, live_server, mailoutbox
):
    base = live_server.url
    sign_up_with_a_password(page, base, "jonas", "jonas@example.com")
    assert User.objects.get().language == "de"
    # Active (where the system activates by email, that is its own modules' test).
    User.objects.update(is_active=True)
    mailoutbox.clear()
    # Someone with an English browser asks for Jonas's password reset.
    english = chromium.new_context(locale="en-US").new_page()
    english.goto(f"{base}{reverse('password_reset')}")
    english.fill("input[name=email]", "jonas@example.com")
    english.locator("form:has(input[name=email]) [type=submit]").first.click()
    english.wait_for_load_state()
    assert english.locator("html").get_attribute("lang") == "en"
    english.context.close()
    (email,) = mailoutbox
    if apps.is_installed("allauth.account"):  # allauth's own email, in its words
        assert_email_in_language(
            email, "de", "Hello from %(site_name)s!", site_name=settings.SITE_NAME
        )
    else:
        assert_email_in_language(email, "de", "Hello,")
