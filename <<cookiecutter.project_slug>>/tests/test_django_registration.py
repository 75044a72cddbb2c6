"""The django-registration system (present only in sites baked with it): sign-up by form with
activation by email, sign-up with Facebook through the same backend, closed registration, and
accounts waiting for their activation."""

import importlib.util
import re
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import resolve, reverse
from django_registration import signals as registration_signals

from django_facebook import django_registration_views, signals
from django_facebook.models import FacebookAccount
from django_facebook.registration_backends import (
    DjangoRegistrationDefaultBackend,
    backend_class,
    get_registration_backend,
)

from .chromium import assert_email_in_language, sign_up_with_a_password
from .conftest import ADA, facebook_login, logged_in_user, messages_of, signals_sent
from .dev_server import follow_activation_link, sign_up_by_form

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()

PASSWORD = "a-long-passphrase-42"
GRACE = {
    "username": "grace",
    "email": "grace@example.org",
    "password1": PASSWORD,
    "password2": PASSWORD,
}
LINK_RE = re.compile(r"http://testserver(/accounts/activate/\?activation_key=\S+)")


@pytest.fixture
def received():
    """The signals of a new user sent, as (signal, keyword arguments)."""
    with signals_sent(
        registration_signals.user_registered,
        registration_signals.user_activated,
        signals.user_registered,
        signals.facebook_user_registered,
    ) as sent:
        yield sent


def sign_up(client, **fields):
    return client.post(reverse("registration_register"), {**GRACE, **fields})


def activation_path(message):
    """The site path of the activation link in an email."""
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def activation_key(path):
    return parse_qs(urlsplit(path).query)["activation_key"][0]


def activate(client, key):
    return client.post(reverse("django_registration_activate"), {"activation_key": key})


class TestSetUp:
    def test_the_site_backend_is_django_registrations(self):
        backend = backend_class(settings.FACEBOOK_REGISTRATION_BACKEND)
        assert backend.__name__ == "SiteRegistrationBackend"
        assert issubclass(backend, DjangoRegistrationDefaultBackend)
        assert "django_registration" in settings.INSTALLED_APPS
        assert settings.ACCOUNT_ACTIVATION_DAYS == 7
        assert settings.REGISTRATION_OPEN is True

    def test_sign_up_urls_go_through_the_backend(self):
        assert reverse("registration_register") == reverse("django_registration_register")
        match = resolve(reverse("django_registration_register"))
        assert match.func.view_class is django_registration_views.RegistrationView
        match = resolve(reverse("django_registration_activate"))
        assert match.func.view_class is django_registration_views.ActivationView
        for name in ("login", "logout", "password_reset", "password_change"):
            assert reverse(name).startswith("/accounts/")

    def test_no_module_of_another_registration_system(self):
        for module in (
            "django_facebook.auth_urls",
            "django_facebook.registration_views",
            "django_facebook.registration_backends.userena",
        ):
            assert importlib.util.find_spec(module) is None, module

    def test_pages_link_to_the_sign_up_form(self, client):
        for name in ("home", "login"):
            assert (
                f'href="{reverse("registration_register")}"'
                in client.get(reverse(name)).content.decode()
            )


class TestSignUpByForm:
    def test_sign_up_activate_and_log_in(self, client, mailoutbox, received):
        page = client.get(reverse("registration_register"))
        assert page.status_code == 200
        assert "django_registration/registration_form.html" in [t.name for t in page.templates]

        response = sign_up(client)

        assert response["Location"] == reverse("django_registration_complete")
        assert "Check your email" in client.get(response["Location"]).content.decode()
        user = User.objects.get()
        assert (user.username, user.email, user.is_active) == ("grace", "grace@example.org", False)
        assert user.check_password(PASSWORD)
        assert not logged_in_user(client).is_authenticated
        assert [signal for signal, _ in received] == [
            registration_signals.user_registered,
            signals.user_registered,
        ]
        assert all(kwargs["user"] == user for _, kwargs in received)
        (message,) = mailoutbox
        assert message.to == ["grace@example.org"]
        assert message.subject == f"Activate your account on {settings.SITE_NAME}"
        assert "\n" not in message.subject
        assert "grace" in message.body
        assert "7 days" in message.body

        # Not before the activation.
        assert not client.login(username="grace", password=PASSWORD)
        # Opening the link shows a button and changes nothing (mail scanners open links).
        link = activation_path(message)
        page = client.get(link)
        assert page.status_code == 200
        assert "Activate my account" in page.content.decode()
        assert activation_key(link) in page.content.decode()
        user.refresh_from_db()
        assert not user.is_active

        response = activate(client, activation_key(link))

        assert response["Location"] == reverse("django_registration_activation_complete")
        assert "Your account is active" in client.get(response["Location"]).content.decode()
        user.refresh_from_db()
        assert user.is_active
        assert received[-1][0] is registration_signals.user_activated
        response = client.post(reverse("login"), {"username": "grace", "password": PASSWORD})
        assert response.status_code == 302
        assert logged_in_user(client) == user

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"username": "GRACE"}, "A user with that username already exists."),
            ({"email": "Grace@Example.org"}, "An account with this email address exists already."),
            ({"username": "admin"}, "This name is reserved and cannot be registered."),
            # A Cyrillic "\u0430" among Latin letters: a homoglyph of "paypal".
            ({"username": "p\u0430ypal"}, "This name cannot be registered."),
            ({"email": "gr\u0430ce@example.org"}, "This email address cannot be registered."),
            ({"password2": "something-else-42"}, "fields didn\u2019t match"),
            ({"password1": "password", "password2": "password"}, "This password is too common."),
            # A field runs every validator: the uniqueness checks must not send a NUL to the
            # database (PostgreSQL refuses it with an error).
            ({"username": "gr\x00ace"}, "Null characters are not allowed."),
            ({"email": "gr\x00ace@example.org"}, "Enter a valid email address."),
        ],
    )
    def test_django_registrations_rules_are_applied(self, client, mailoutbox, fields, message):
        User.objects.create_user("grace", "grace@example.org", PASSWORD)
        other = {"username": "grace2", "email": "grace2@example.org"}
        response = sign_up(client, **{**other, **fields})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert User.objects.count() == 1
        assert mailoutbox == []

    def test_logged_in_user_goes_to_the_account_page(self, client):
        client.force_login(User.objects.create_user("ada", "ada@example.com", PASSWORD))
        response = client.get(reverse("registration_register"))
        assert response["Location"] == reverse("accounts:profile")


class TestActivation:
    @pytest.fixture
    def user(self, client, mailoutbox):
        sign_up(client)
        return User.objects.get()

    def test_an_expired_key_is_refused(self, client, user):
        eight_days_ago = time.time() - 8 * 86400
        with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
            key = DjangoRegistrationDefaultBackend.registration_view_class().get_activation_key(
                user
            )
        response = activate(client, key)
        assert response.status_code == 200
        assert "django_registration/activation_failed.html" in [t.name for t in response.templates]
        assert "This account has expired." in response.content.decode()
        user.refresh_from_db()
        assert not user.is_active

    @pytest.mark.parametrize("change", ["signature", "username", "garbage"])
    def test_a_tampered_key_is_refused(self, client, user, mailoutbox, change):
        key = activation_key(activation_path(mailoutbox[0]))
        payload, timestamp, signature = key.split(":")
        tampered = {
            "signature": f"{payload}:{timestamp}:{signature[::-1]}",
            "username": key.replace(payload, payload[::-1]),
            "garbage": "not-a-key",
        }[change]
        response = activate(client, tampered)
        assert "The activation key you provided is invalid." in response.content.decode()
        user.refresh_from_db()
        assert not user.is_active

    def test_a_key_used_twice_says_the_account_is_active(self, client, user, mailoutbox):
        key = activation_key(activation_path(mailoutbox[0]))
        activate(client, key)
        response = activate(client, key)
        assert "Your account is already active" in response.content.decode()

    def test_the_key_of_a_deleted_account_is_refused(self, client, user, mailoutbox):
        key = activation_key(activation_path(mailoutbox[0]))
        user.delete()
        response = activate(client, key)
        assert "The account you attempted to activate is invalid." in (response.content.decode())

    def test_the_activation_page_without_a_key_asks_for_it(self, client):
        page = client.get(reverse("django_registration_activate")).content.decode()
        assert 'name="activation_key"' in page
        assert "Paste the activation key" in page


class TestClosedRegistration:
    def test_the_form_shows_the_closed_page_and_makes_no_user(self, client, settings):
        settings.REGISTRATION_OPEN = False
        closed = reverse("django_registration_disallowed")
        assert client.get(reverse("registration_register"))["Location"] == closed
        assert sign_up(client)["Location"] == closed
        assert not User.objects.exists()
        assert "Sign-ups are closed" in client.get(closed).content.decode()

    def test_facebook_shows_the_closed_page_and_makes_no_user(self, client, graph, settings):
        settings.REGISTRATION_OPEN = False
        response = facebook_login(client)
        assert response["Location"] == reverse("django_registration_disallowed")
        assert not User.objects.exists()
        assert not FacebookAccount.objects.exists()
        assert not logged_in_user(client).is_authenticated

    def test_closing_while_a_facebook_sign_up_is_completed(self, client, graph, settings):
        del graph.profile["email"]
        facebook_login(client)
        settings.REGISTRATION_OPEN = False
        response = client.post(
            reverse("facebook:complete_registration"),
            {"username": "ada", "email": "ada@example.org"},
        )
        assert response["Location"] == reverse("django_registration_disallowed")
        assert not User.objects.exists()

    def test_returning_facebook_users_still_log_in(self, client, graph, settings):
        facebook_login(client)
        client.logout()
        settings.REGISTRATION_OPEN = False
        assert facebook_login(client, login_next="/l/")["Location"] == "/l/"


class TestSignUpWithFacebook:
    def test_is_active_at_once_and_lands_on_register_next(
        self, client, graph, mailoutbox, received
    ):
        response = facebook_login(client, register_next="/r/", next="/n/")

        assert response["Location"] == "/r/"
        user = User.objects.get()
        assert (user.username, user.email) == ("ada.lovelace", ADA["email"])
        assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
        assert user.is_active
        assert not user.has_usable_password()
        assert logged_in_user(client) == user
        assert user.facebook_account.facebook_id == ADA["id"]
        assert [signal for signal, _ in received] == [
            registration_signals.user_registered,
            signals.user_registered,
            signals.facebook_user_registered,
        ]
        assert all(kwargs["user"] == user for _, kwargs in received)
        assert mailoutbox == []

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("Admin", "This name is reserved and cannot be registered."),
            ("\u0410da Lovelace", "This name cannot be registered."),
        ],
    )
    def test_failing_the_forms_rules_asks_to_complete_the_account(
        self, client, graph, name, message
    ):
        graph.profile["name"] = name
        response = facebook_login(client, register_next="/r/")
        assert response["Location"] == reverse("facebook:complete_registration")
        page = client.get(response["Location"]).content.decode()
        assert message in page
        assert 'name="password1"' not in page
        assert not User.objects.exists()

        response = client.post(
            reverse("facebook:complete_registration"),
            {"username": "ada", "email": ADA["email"]},
        )

        assert response["Location"] == "/r/"
        user = User.objects.get()
        assert user.username == "ada"
        assert user.is_active
        assert logged_in_user(client) == user

    def test_an_email_facebook_gives_that_html5_refuses_asks_to_complete(self, client, graph):
        # Django's email check accepts a quoted local part; django-registration's HTML5 rule
        # does not.
        graph.profile["email"] = '"ada"@example.com'
        response = facebook_login(client)
        assert response["Location"] == reverse("facebook:complete_registration")
        assert "Enter a valid email address." in client.get(response["Location"]).content.decode()

    def test_with_required_activation_it_waits_for_the_emailed_link(
        self, client, graph, settings, mailoutbox, received
    ):
        settings.FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION = True

        response = facebook_login(client, register_next="/r/")

        assert response["Location"] == reverse("django_registration_complete")
        user = User.objects.get()
        assert not user.is_active
        assert not user.has_usable_password()
        assert not logged_in_user(client).is_authenticated
        assert [signal for signal, _ in received] == [
            registration_signals.user_registered,
            signals.user_registered,
            signals.facebook_user_registered,
        ]
        (message,) = mailoutbox
        assert message.to == [ADA["email"]]
        assert "log in with Facebook" in message.body

        # Before the activation, Facebook says so.
        response = facebook_login(client, error_next="/e/")
        assert response["Location"] == "/e/?fb_error_or_cancel=1"
        assert "not active yet" in messages_of(response)[0]
        assert not logged_in_user(client).is_authenticated

        activate(client, activation_key(activation_path(message)))
        response = facebook_login(client, login_next="/l/")
        assert response["Location"] == "/l/"
        assert logged_in_user(client) == user


class TestAnAccountWaitingForActivation:
    def test_facebook_with_its_email_is_told_to_activate_then_connects(
        self, client, graph, mailoutbox
    ):
        sign_up(client, username="ada", email=ADA["email"])

        response = facebook_login(client, error_next="/e/")

        assert response["Location"] == "/e/?fb_error_or_cancel=1"
        assert "waiting to be activated" in messages_of(response)[0]
        assert not logged_in_user(client).is_authenticated
        assert not FacebookAccount.objects.exists()
        user = User.objects.get()
        assert not user.is_active

        # Activated and logged in with the password, the person connects Facebook...
        activate(client, activation_key(activation_path(mailoutbox[0])))
        client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
        response = facebook_login(client, connect_next="/c/")
        assert response["Location"] == "/c/"
        assert FacebookAccount.objects.get().user == user
        # ...and from then on logs in with it.
        client.logout()
        assert facebook_login(client, login_next="/l/")["Location"] == "/l/"
        assert logged_in_user(client) == user
        assert User.objects.count() == 1

    def test_a_deactivated_account_gets_the_usual_message(self, client, graph):
        from django.utils import timezone

        User.objects.create_user(
            "ada", ADA["email"], PASSWORD, is_active=False, last_login=timezone.now()
        )
        response = facebook_login(client)
        assert "exists already" in messages_of(response)[0]
        assert not logged_in_user(client).is_authenticated

    def test_an_expired_sign_up_is_not_said_to_wait(self, client, graph, settings):
        sign_up(client, username="ada", email=ADA["email"])
        settings.ACCOUNT_ACTIVATION_DAYS = 0
        response = facebook_login(client)
        assert "exists already" in messages_of(response)[0]

    def test_logging_in_with_its_password_says_it_is_not_active_yet(self, client, mailoutbox):
        sign_up(client)

        response = client.post(reverse("login"), {"username": "grace", "password": PASSWORD})

        assert response.status_code == 200
        page = response.content.decode()
        assert "Your account is not active yet. Open the activation link we emailed" in page
        assert "correct username and password" not in page
        assert not logged_in_user(client).is_authenticated

    def test_a_wrong_password_is_not_told_the_account_exists(self, client, mailoutbox):
        sign_up(client)

        response = client.post(reverse("login"), {"username": "grace", "password": "wrong-42"})

        page = response.content.decode()
        assert "Please enter a correct username and password." in page
        assert "not active" not in page
        assert "inactive" not in page

    def test_a_deactivated_account_is_told_it_is_inactive(self, client):
        from django.utils import timezone

        User.objects.create_user(
            "ada", ADA["email"], PASSWORD, is_active=False, last_login=timezone.now()
        )

        response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

        assert "This account is inactive." in response.content.decode()
        assert not logged_in_user(client).is_authenticated

    def test_the_backend_tells_waiting_from_deactivated(self):
        backend = get_registration_backend()
        assert backend.awaits_activation(User(is_active=False))
        assert not backend.awaits_activation(User(is_active=True))
        assert not backend.awaits_activation(None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_up_by_form_in_a_browser(page, live_server, mailoutbox):
    """A person signs up by form, activates from the email, and logs in, in Chromium."""
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Email address").fill("grace@example.org")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server.url}/accounts/register/complete/")
    assert "Check your email" in page.locator("h1").inner_text()

    match = re.search(r"https?://[^/\s]+(/accounts/activate/\S+)", mailoutbox[0].body)
    page.goto(f"{live_server.url}{match.group(1)}")
    page.get_by_role("button", name="Activate my account").click()
    page.wait_for_url(f"{live_server.url}/accounts/activate/complete/")
    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(f"{live_server.url}/accounts/profile/")
    assert "grace" in page.content()
    assert User.objects.get().is_active
    violations = [text for text in page.console_messages if "Content Security Policy" in text]
    assert violations == []


@pytest.mark.own_server
def test_the_activation_link_follows_the_dev_servers_port(dev_server):
    """`make run PORT=N`: the emailed link points at port N and activates the account there."""
    browser = sign_up_by_form(dev_server, "/accounts/register/", "hedy")
    assert urlsplit(browser.response.url).path == "/accounts/register/complete/"
    follow_activation_link(dev_server, browser, "hedy")
    assert browser.response.url == f"{dev_server.url}/accounts/activate/complete/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["de"], indirect=True)
def test_the_activation_email_is_in_the_language_signed_up_in(page, live_server, mailoutbox):
    sign_up_with_a_password(page, live_server.url, "jonas", "jonas@example.com")
    (email,) = mailoutbox
    assert_email_in_language(email, "de", "Hello %(username)s,", username="jonas")
