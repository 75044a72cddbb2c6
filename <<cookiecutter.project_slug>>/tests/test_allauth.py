"""The allauth system (docs/allauth.md): a Facebook sign-up made as allauth makes its users,
every Facebook login through allauth's login stages (its second factor, an address to
verify), the takeover rule over every EmailAddress, allauth's rate limits on the password
side, and those limits holding when the cache fails during a login."""

import re
from contextlib import contextmanager
from unittest import mock

import pytest
from allauth.account import signals as allauth_signals
from allauth.account.internal import stagekit
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal import auth as totp
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.cache import caches
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from django_facebook import shared_cache, signals
from django_facebook.models import FacebookAccount
from django_facebook.registration_backends import AllauthBackend, get_registration_backend
from django_facebook.session_tokens import HEADER

from .browser import Browser, FormParser, login_with_facebook, path_of
from .conftest import (
    Clock,
    app_login,
    facebook_login,
    logged_in_user,
    messages_of,
    native,
    new_nonce,
    signals_sent,
    verification_link,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()
PASSWORD = "a-long-passphrase-42"


def test_the_site_runs_the_allauth_backend():
    assert isinstance(get_registration_backend(), AllauthBackend)


def addresses(user):
    return list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary"))


class TestFacebookSignUp:
    def test_facebooks_email_becomes_a_verified_primary_address(self, client, graph):
        watched = (allauth_signals.user_signed_up, signals.user_registered)
        with signals_sent(*watched) as sent:
            response = facebook_login(client, register_next="/r/")
        assert response["Location"] == "/r/"
        user = User.objects.get()
        assert logged_in_user(client) == user
        assert addresses(user) == [("ada@example.com", True, True)]
        assert not user.has_usable_password()
        assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
        assert [signal for signal, _ in sent] == list(watched)

    def test_a_typed_address_is_verified_before_the_first_login(self, client, graph):
        del graph.profile["email"]
        facebook_login(client, register_next="/r/")
        typed = {"username": "ada", "email": "ada@elsewhere.example"}
        response = client.post(reverse("facebook:complete_registration"), typed)
        assert response["Location"] == reverse("account_email_verification_sent")
        user = User.objects.get()
        assert not logged_in_user(client).is_authenticated
        assert addresses(user) == [("ada@elsewhere.example", False, True)]
        assert mail.outbox[-1].to == ["ada@elsewhere.example"]
        # The link, opened in the same browser, logs her in where the login was going.
        response = client.post(verification_link())
        assert response["Location"] == "/r/"
        assert logged_in_user(client) == user
        assert addresses(user) == [("ada@elsewhere.example", True, True)]

    def test_without_register_next_the_link_leads_to_the_welcome_page(self, client, graph):
        del graph.profile["email"]
        facebook_login(client, next="/n/")
        typed = {"username": "ada", "email": "ada@elsewhere.example"}
        client.post(reverse("facebook:complete_registration"), typed)
        response = client.post(verification_link())
        assert response["Location"] == reverse("accounts:welcome") + "?next=%2Fn%2F"
        assert logged_in_user(client) == User.objects.get()

    def test_with_optional_verification_a_typed_address_logs_in_at_once(
        self, client, graph, settings
    ):
        settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
        del graph.profile["email"]
        facebook_login(client, register_next="/r/")
        typed = {"username": "ada", "email": "ada@elsewhere.example"}
        response = client.post(reverse("facebook:complete_registration"), typed)
        assert response["Location"] == "/r/"
        user = logged_in_user(client)
        assert addresses(user) == [("ada@elsewhere.example", False, True)]
        assert mail.outbox[-1].to == ["ada@elsewhere.example"]  # the link, to verify later

    def test_without_a_username_field_allauth_makes_the_username(self, client, graph, settings):
        settings.ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
        settings.ACCOUNT_LOGIN_METHODS = {"email"}
        del graph.profile["email"]
        facebook_login(client)
        page = client.get(reverse("facebook:complete_registration")).content.decode()
        assert 'name="username"' not in page
        client.post(reverse("facebook:complete_registration"), {"email": "ada@example.org"})
        user = User.objects.get()
        assert user.username  # allauth's populate_username, from the names and the address
        assert addresses(user) == [("ada@example.org", False, True)]

    def test_a_username_allauth_refuses_asks_to_complete_the_account(self, client, graph, settings):
        settings.ACCOUNT_USERNAME_BLACKLIST = ["ada.lovelace"]
        response = facebook_login(client)
        assert response["Location"] == reverse("facebook:complete_registration")
        assert not User.objects.exists()


class TestTakeover:
    @pytest.mark.parametrize("verified", [True, False])
    def test_an_address_another_account_holds_among_its_others_is_refused(
        self, client, graph, verified
    ):
        victim = User.objects.create_user("victim", "victim@example.org", PASSWORD)
        EmailAddress.objects.create(
            user=victim, email="ada@example.com", verified=verified, primary=False
        )
        response = facebook_login(client, error_next="/oops/")
        assert response["Location"] == "/oops/?fb_error_or_cancel=1"
        assert "exists already" in messages_of(response)[0]
        assert User.objects.count() == 1
        assert not FacebookAccount.objects.exists()
        assert not logged_in_user(client).is_authenticated

    def test_a_typed_address_another_account_holds_is_refused_on_the_form(self, client, graph):
        victim = User.objects.create_user("victim", "victim@example.org", PASSWORD)
        EmailAddress.objects.create(user=victim, email="second@example.org", verified=False)
        del graph.profile["email"]
        facebook_login(client)
        typed = {"username": "ada", "email": "SECOND@example.org"}
        page = client.post(reverse("facebook:complete_registration"), typed)
        assert page.status_code == 400  # the form again, with the error
        assert "exists already" in page.content.decode()
        assert User.objects.count() == 1


@pytest.fixture
def ada_with_totp(client, graph, monkeypatch):
    """Ada, who signed up with Facebook and then turned on an authenticator app: (user,
    secret). Logged out. The codes' 30 s periods stand still (allauth accepts the current
    one only), so a code made just before a period ends is still right when it is posted."""
    monkeypatch.setattr(totp, "time", Clock())
    facebook_login(client)
    user = User.objects.get()
    client.logout()
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(user, secret)
    return user, secret


def current_code(secret):
    counter = next(totp.yield_hotp_counters_from_time())
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


class TestSecondFactor:
    def test_a_facebook_login_asks_for_the_code_then_goes_on(self, client, ada_with_totp):
        user, secret = ada_with_totp
        response = facebook_login(client, login_next="/l/", next="/n/")
        assert response["Location"] == reverse("mfa_authenticate")
        assert not logged_in_user(client).is_authenticated
        page = client.get(response["Location"])
        assert 'id="language-menu"' in page.content.decode()  # the site's layout
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert wrong.status_code == 200
        assert not logged_in_user(client).is_authenticated
        right = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
        assert right["Location"] == "/l/"
        assert logged_in_user(client) == user

    def test_a_post_connect_of_the_sites_own_is_where_the_code_leads(
        self, client, ada_with_totp, monkeypatch
    ):
        backend = type(get_registration_backend())
        monkeypatch.setattr(backend, "post_connect", lambda *args: HttpResponseRedirect("/own/"))
        user, secret = ada_with_totp
        assert facebook_login(client)["Location"] == reverse("mfa_authenticate")
        right = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
        assert right["Location"] == "/own/"
        assert logged_in_user(client) == user

    def test_a_code_used_during_an_outage_stays_used_once_the_cache_is_back(
        self, client, ada_with_totp
    ):
        _, secret = ada_with_totp
        code = current_code(secret)
        facebook_login(client)
        with cache_down():
            assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        shared_cache.forget_outages()  # the cache answers again, as after the retry interval
        again = Client()
        facebook_login(again)
        assert again.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
        assert not logged_in_user(again).is_authenticated

    def test_a_code_used_once_is_refused_again(self, client, ada_with_totp):
        _, secret = ada_with_totp
        code = current_code(secret)
        facebook_login(client)
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        client.logout()
        again = Client()
        facebook_login(again)
        assert again.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
        assert not logged_in_user(again).is_authenticated

    def test_an_app_login_is_refused_and_leaves_no_login_waiting(self, client, fakebook):
        first = app_login(Client(), {"access_token": fakebook.access_token("katherine")})
        user = User.objects.get(pk=first.json()["user_id"])
        totp.TOTP.activate(user, totp.generate_totp_secret())
        answer = app_login(client, {"access_token": fakebook.access_token("katherine")})
        account = FacebookAccount.objects.values().get()
        answer = app_login(client, {"access_token": fakebook.access_token("katherine")})
        assert answer.status_code == 403
        assert answer.json()["error"] == "second_factor_required"
        assert not answer.get(HEADER)
        assert stagekit.LOGIN_SESSION_KEY not in answer.wsgi_request.session
        assert not answer.wsgi_request.user.is_authenticated
        assert FacebookAccount.objects.values().get() == account  # the refusal changed nothing


@pytest.mark.parametrize("kind", ["access_token", "id_token"])
def test_an_app_sign_up_records_facebooks_address_verified(client, fakebook, kind):
    if kind == "access_token":
        body = {"access_token": fakebook.access_token("katherine")}
    else:
        nonce = new_nonce(client)
        body = {"id_token": fakebook.id_token("katherine", nonce), "nonce": nonce}
    answer = app_login(client, body)
    assert answer.json()["authenticated"] is True
    assert addresses(User.objects.get()) == [("katherine@example.com", True, True)]


def test_an_app_sign_up_with_a_typed_address_waits_for_its_link(client, fakebook):
    body = {"access_token": fakebook.access_token("grace")}  # no email on her profile
    data = app_login(client, body).json()
    typed = {**data["data"], "email": "grace@example.org"}
    answer = native(client, data["complete_url"], typed, token=data["session_token"])
    assert answer.status_code == 200, answer.content
    assert (answer.json()["action"], answer.json()["authenticated"]) == ("register", False)
    assert addresses(User.objects.get()) == [("grace@example.org", False, True)]
    assert mail.outbox[-1].to == ["grace@example.org"]
    assert stagekit.LOGIN_SESSION_KEY not in answer.wsgi_request.session


def password_login(client, login, password, **headers):
    return client.post(reverse("login"), {"login": login, "password": password}, **headers)


@contextmanager
def cache_down():
    """Every call to the default cache fails from here on (Redis went away), the requests
    in flight included."""
    cache = caches["default"]
    refused = ConnectionError("the cache went away")
    with (
        mock.patch.object(cache, "get", side_effect=refused),
        mock.patch.object(cache, "set", side_effect=refused),
        mock.patch.object(cache, "add", side_effect=refused),
        mock.patch.object(cache, "delete", side_effect=refused),
    ):
        yield


class TestPasswordSide:
    def test_sign_up_verify_then_connect_facebook(self, site):
        browser = Browser()
        browser.get(f"{site}{reverse('registration_register')}")
        fields = {"username": "ada", "email": "ada@example.org"}
        browser.click(
            "Create account", fill={**fields, "password1": PASSWORD, "password2": PASSWORD}
        )
        assert path_of(browser.response.url) == reverse("account_email_verification_sent")
        browser.get(f"{site}{verification_link()}")
        browser.click("Confirm")
        user = User.objects.get()
        assert addresses(user) == [("ada@example.org", True, True)]
        path = login_with_facebook(site, browser, "Ada Lovelace", connect_next="/privacy/")
        assert path == "/privacy/"
        assert FacebookAccount.objects.get().user == user
        assert User.objects.count() == 1

    def test_allauths_limit_refuses_a_guesser_even_the_right_password(self, client, settings):
        settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/300s/key"}
        User.objects.create_user("guessed", "guessed@example.org", PASSWORD)
        for attempt in range(5):
            assert password_login(client, "guessed", f"wrong-{attempt}").status_code == 200
        refused = password_login(client, "guessed", PASSWORD)
        assert "Too many failed login attempts" in refused.content.decode()
        assert not logged_in_user(client).is_authenticated

    def test_a_cache_failing_during_the_login_fails_no_login(self, client, settings):
        """The cache fails at its first call inside the login's request (allauth's rate
        limit), and stays down: the login goes through, the limits hold per process."""
        settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/300s/key"}
        User.objects.create_user("grace", "grace@example.org", PASSWORD)
        with cache_down():
            response = password_login(client, "grace", PASSWORD)
            assert response.status_code == 302
            assert logged_in_user(client).get_username() == "grace"
            client.logout()
            for attempt in range(5):
                assert password_login(client, "grace", f"wrong-{attempt}").status_code == 200
            refused = password_login(client, "grace", PASSWORD)
            assert "Too many failed login attempts" in refused.content.decode()

    def test_another_port_in_the_host_header_counts_against_the_same_account(
        self, client, settings
    ):
        settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/300s/key"}
        User.objects.create_user("ported", "ported@example.org", PASSWORD)
        for port in range(1, 6):
            wrong = password_login(client, "ported", "wrong", HTTP_HOST=f"testserver:{port}")
            assert wrong.status_code == 200
        refused = password_login(client, "ported", PASSWORD, HTTP_HOST="testserver:6")
        assert "Too many failed login attempts" in refused.content.decode()
        assert not logged_in_user(client).is_authenticated

    def test_a_next_off_the_site_is_dropped(self, client):
        User.objects.create_user("ada", "ada@example.org", PASSWORD)
        response = client.post(
            reverse("login"),
            {"login": "ada", "password": PASSWORD, "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("accounts:profile")

    def test_a_facebook_sign_up_sets_its_first_password_on_allauths_page(
        self, client, graph, mailoutbox
    ):
        """The account page's password link leads to allauth's set page (its rate limit, its
        signal and its notification, which the site's own page would skip), with the site's
        word on why there is no password yet; the notification is in the person's language."""
        facebook_login(client)
        user = User.objects.get()
        User.objects.filter(pk=user.pk).update(language="de")
        mailoutbox.clear()
        page = client.get(reverse("accounts:password"), follow=True)
        assert page.request["PATH_INFO"] == reverse("account_set_password")
        assert "You signed up with Facebook" in page.content.decode()
        with signals_sent(allauth_signals.password_set) as sent:
            response = client.post(
                reverse("account_set_password"), {"password1": PASSWORD, "password2": PASSWORD}
            )
        assert response["Location"] == reverse("accounts:profile")
        assert [signal for signal, _ in sent] == [allauth_signals.password_set]
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
        assert logged_in_user(client) == user
        (notice,) = mailoutbox
        assert notice.to == ["ada@example.com"]
        assert "Passwort" in notice.subject

    def test_a_password_change_needs_the_current_one_and_is_notified(self, client, mailoutbox):
        user = User.objects.create_user("grace", "grace@example.org", PASSWORD)
        client.force_login(user)
        page = client.get(reverse("accounts:password"), follow=True)
        assert page.request["PATH_INFO"] == reverse("account_change_password")
        new = {"password1": "another-passphrase-7", "password2": "another-passphrase-7"}
        wrong = client.post(reverse("account_change_password"), {"oldpassword": "x", **new})
        assert wrong.status_code == 200
        assert not mailoutbox
        response = client.post(reverse("account_change_password"), {"oldpassword": PASSWORD, **new})
        assert response["Location"] == reverse("accounts:profile")
        (notice,) = mailoutbox
        assert notice.to == ["grace@example.org"]
        assert logged_in_user(client) == user

    def test_the_admin_logs_in_through_allauth(self, client):
        """The admin's own login form would skip allauth's limits and second factor."""
        response = client.get(reverse("admin:login"), {"next": "/admin/"})
        assert response["Location"] == f"{reverse('login')}?next=%2Fadmin%2F"


def test_the_sign_up_form_reads_as_the_other_systems(client):
    page = client.get(reverse("registration_register")).content.decode()
    parser = FormParser()
    parser.feed(page)
    assert any(
        {"username", "email", "password1", "password2"} <= set(f.fields) for f in parser.forms
    )
    assert "Your password can" not in page


def test_allauths_pages_bring_their_scripts(client):
    """allauth's address page asks before an address is removed, by scripts its template
    names in the layout's extra_body block: the site's layout renders that block, and the
    site's static files hold the scripts (the CSP allows them: same origin, no inline code)."""
    client.force_login(User.objects.create_user("ada", "ada@example.org", PASSWORD))
    page = client.get(reverse("account_email")).content.decode()
    names = ["account/js/account.js", "account/js/onload.js"]
    assert re.findall(r'<script src="([^"]+)"', page) == [static(name) for name in names]
    assert all(finders.find(name) for name in names)
    assert "Do you really want to remove the selected email address?" in page
