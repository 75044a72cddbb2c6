"""The whole flow over real HTTP: the site's views, the stand-in's dialog, the Graph calls.

A live server runs the site with the Facebook stand-in; a requests-based browser clicks
through the dialog as a person would, and the site's Graph client calls the stand-in over
HTTP exactly as it calls Facebook.
"""

import pytest
from django.contrib.auth import get_user_model

from django_facebook.models import FacebookAccount
from fakebook import faults

from .browser import Browser, login_with_facebook, path_of
from .conftest import asks_to_verify, verification_link

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]
User = get_user_model()

ADA = "Ada Lovelace"
GRACE = "Grace Hopper"  # no email on her Facebook profile
ALAN = "Alan Turing"  # declines the email permission
KATHERINE = "Katherine Johnson"


def password_login(site, browser, username, password):
    browser.get(f"{site}/accounts/login/")
    parser_form = browser.response.text
    assert "csrfmiddlewaretoken" in parser_form
    browser.session.headers["Referer"] = f"{site}/accounts/login/"
    from .browser import FormParser

    parser = FormParser()
    parser.feed(browser.response.text)
    form = next(f for f in parser.forms if "password" in f.fields or "username" in str(f.fields))
    # Django's field, userena's, allauth's: the one the form has.
    account_field = next(n for n in ("username", "identification", "login") if n in form.fields)
    data = dict(form.fields, **{account_field: username}, password=password)
    browser.response = browser.session.post(f"{site}/accounts/login/", data=data, timeout=30)


class TestActions:
    def test_register_lands_on_the_welcome_page(self, site):
        browser = Browser()
        assert login_with_facebook(site, browser, KATHERINE) == "/accounts/welcome/"
        user = User.objects.get()
        assert user.email == "katherine@example.com"
        assert user.facebook_account.picture_url.startswith(site)
        assert "Katherine" in browser.response.text

    def test_returning_person_logs_in(self, site):
        login_with_facebook(site, Browser(), ADA)
        browser = Browser()
        assert login_with_facebook(site, browser, ADA, login_next="/accounts/profile/") == (
            "/accounts/profile/"
        )
        assert "Ada Lovelace" in browser.response.text
        assert User.objects.count() == 1

    def test_logged_in_user_connects(self, site):
        User.objects.create_user("grace", "grace@example.org", "a-long-passphrase-42")
        browser = Browser()
        password_login(site, browser, "grace", "a-long-passphrase-42")
        assert login_with_facebook(site, browser, ADA, connect_next="/accounts/profile/") == (
            "/accounts/profile/"
        )
        account = FacebookAccount.objects.get()
        assert (account.user.username, account.name) == ("grace", ADA)
        assert "now connected" in browser.response.text

    def test_cancel_goes_to_error_next(self, site):
        browser = Browser()
        browser.get(f"{site}/facebook/login/", error_next="/privacy/")
        browser.click("Cancel")
        assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"
        assert "cancelled" in browser.response.text
        assert not User.objects.exists()


@pytest.mark.parametrize(
    ("action", "params", "expected"),
    [
        ("register", {"register_next": "/privacy/", "next": "/"}, "/privacy/"),
        ("register", {"next": "/privacy/"}, "/accounts/welcome/?next=%2Fprivacy%2F"),
        ("register", {}, "/accounts/welcome/"),
        ("login", {"login_next": "/privacy/", "next": "/"}, "/privacy/"),
        ("login", {"next": "/privacy/"}, "/privacy/"),
        ("login", {}, "/"),
        ("connect", {"connect_next": "/privacy/", "next": "/"}, "/privacy/"),
        ("connect", {"next": "/privacy/"}, "/privacy/"),
        ("connect", {}, "/"),
        ("login", {"login_next": "https://evil.example/", "next": "//evil.example"}, "/"),
    ],
)
def test_redirect_parameters(site, action, params, expected):
    browser = Browser()
    if action == "login":
        login_with_facebook(site, Browser(), ADA)
    if action == "connect":
        User.objects.create_user("grace", "grace@example.org", "a-long-passphrase-42")
        password_login(site, browser, "grace", "a-long-passphrase-42")
    assert login_with_facebook(site, browser, ADA, **params) == expected


class TestIncompleteProfiles:
    @pytest.mark.parametrize("person", [GRACE, ALAN])
    def test_without_email_the_person_completes_the_account(self, site, person):
        browser = Browser()
        assert login_with_facebook(site, browser, person, register_next="/privacy/") == (
            "/facebook/register/"
        )
        assert not User.objects.exists()
        from .browser import FormParser

        parser = FormParser()
        parser.feed(browser.response.text)
        form = next(f for f in parser.forms if "username" in f.fields)
        data = dict(form.fields, email="me@example.net")
        browser.response = browser.session.post(
            browser.response.url, data=data, headers={"Referer": browser.response.url}, timeout=30
        )
        if asks_to_verify(browser.response.url):
            browser.get(f"{site}{verification_link()}")
            browser.click("Confirm")
        assert path_of(browser.response.url) == "/privacy/"
        user = User.objects.get()
        assert user.email == "me@example.net"
        assert user.facebook_account.name == person


class TestDeclinedEmail:
    """A person who declined the email permission is offered to share it after all
    (auth_type=rerequest), beside the form; the redirect parameters hold as for any login."""

    def test_a_declined_email_asked_again_and_shared_makes_the_account(self, site):
        browser = Browser()
        assert login_with_facebook(site, browser, ALAN, register_next="/privacy/") == (
            "/facebook/register/"
        )
        browser.click("Share my email with Facebook")
        assert "auth_type=rerequest" in browser.response.url
        browser.click(f"Continue as {ALAN}, sharing email")
        assert path_of(browser.response.url) == "/privacy/"
        user = User.objects.get()
        assert (user.email, user.facebook_account.name) == ("alan@example.com", ALAN)
        browser.get(f"{site}/facebook/register/")
        assert "expired" in browser.response.text  # the sign-up that waited is over

    def test_an_email_declined_again_leaves_the_form(self, site):
        browser = Browser()
        login_with_facebook(site, browser, ALAN)
        browser.click("Share my email with Facebook")
        browser.click(f"Continue as {ALAN}")
        assert path_of(browser.response.url) == "/facebook/register/"
        assert 'name="email"' in browser.response.text
        assert not User.objects.exists()

    def test_a_profile_without_email_is_not_offered_to_share_one(self, site):
        browser = Browser()
        assert login_with_facebook(site, browser, GRACE) == "/facebook/register/"
        assert 'name="email"' in browser.response.text
        assert "Share my email" not in browser.response.text


COMMON_FAULTS = ["timeout", "connection", "500", "503", "rate_limit", "bad_json", "not_json"]
FAULTS = [
    # A timeout waits out the site's read timeout: seconds, where the others take milliseconds.
    pytest.param(endpoint, kind, marks=pytest.mark.slow) if kind == "timeout" else (endpoint, kind)
    for endpoint, kind in [("token", kind) for kind in [*COMMON_FAULTS, "code_used"]]
    + [("me", kind) for kind in [*COMMON_FAULTS, "revoked", "expired", "missing_id", "bad_id"]]
]


@pytest.mark.parametrize(("endpoint", "kind"), FAULTS)
def test_graph_faults_end_on_the_error_page_and_change_nothing(site, settings, endpoint, kind):
    if kind == "timeout":
        settings.FACEBOOK_GRAPH_TIMEOUT = (2.0, 1.0)  # the fault waits a second past it
    faults.inject(endpoint, kind, times=None)
    browser = Browser()
    assert login_with_facebook(site, browser, ADA, error_next="/privacy/") == (
        "/privacy/?fb_error_or_cancel=1"
    )
    assert not User.objects.exists()
    assert not FacebookAccount.objects.exists()


@pytest.mark.slow
@pytest.mark.system_independent
@pytest.mark.parametrize("endpoint", ["token", "me"])
def test_timeout_fault_outlasts_the_sites_read_timeout(site, settings, endpoint):
    """However long the site waits for Facebook, the "timeout" fault answers later: the site
    gives up, says Facebook could not be reached, and makes nothing."""
    settings.FACEBOOK_GRAPH_TIMEOUT = (2.0, 2.0)
    faults.inject(endpoint, "timeout")
    browser = Browser()
    assert login_with_facebook(site, browser, ADA) == "/?fb_error_or_cancel=1"
    assert "Facebook could not be reached" in browser.response.text
    assert not User.objects.exists()
    assert not FacebookAccount.objects.exists()


def test_code_already_used_is_refused(site):
    faults.inject("token", "code_used")
    browser = Browser()
    assert login_with_facebook(site, browser, ADA) == "/?fb_error_or_cancel=1"
    assert "used already" in browser.response.text
