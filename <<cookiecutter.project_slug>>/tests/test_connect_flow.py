"""The connect flow through the real views, with the Graph API answered in-process."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from django_facebook import signals
from django_facebook.models import FacebookAccount

from .conftest import (
    ADA,
    TOKEN,
    facebook_login,
    graph_error_body,
    logged_in_user,
    messages_of,
    signals_sent,
    start_login,
    through_verification,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()


def make_linked_user(username="ada", facebook_id=ADA["id"], **extra):
    user = User.objects.create_user(username, f"{username}@example.org", "pw-12345-long", **extra)
    FacebookAccount.objects.create(user=user, facebook_id=facebook_id, name="Ada Lovelace")
    return user


class TestStart:
    def test_redirects_to_the_versioned_dialog_with_state_and_scope(self, client, settings):
        response = client.get(reverse("facebook:login"))
        location = urlsplit(response["Location"])
        query = parse_qs(location.query)
        assert f"{location.scheme}://{location.netloc}{location.path}" == (
            f"{settings.FACEBOOK_WWW_URL}/{settings.FACEBOOK_API_VERSION}/dialog/oauth"
        )
        assert query["client_id"] == [settings.FACEBOOK_APP_ID]
        assert query["redirect_uri"] == ["http://testserver/facebook/callback/"]
        assert query["response_type"] == ["code"]
        assert query["scope"] == ["email,public_profile"]
        assert len(query["state"][0]) >= 40

    def test_the_dialog_reports_granted_and_declined_permissions(self, client):
        query = parse_qs(urlsplit(client.get(reverse("facebook:login"))["Location"]).query)
        assert query["return_scopes"] == ["true"]
        assert "auth_type" not in query

    def test_sharing_a_declined_email_asks_for_it_alone_again(self, client):
        response = client.post(reverse("facebook:login"), {"rerequest": "email", "next": "/a/"})
        query = parse_qs(urlsplit(response["Location"]).query)
        assert (query["auth_type"], query["scope"]) == (["rerequest"], ["email"])

    @pytest.mark.parametrize("asked", ["user_friends", "email,user_friends", "", "EMAIL"])
    def test_no_other_permission_is_asked_again(self, client, asked):
        response = client.post(reverse("facebook:login"), {"rerequest": asked})
        query = parse_qs(urlsplit(response["Location"]).query)
        assert "auth_type" not in query
        assert query["scope"] == ["email,public_profile"]

    def test_a_stand_in_path_follows_the_host_and_port_of_the_request(self, client, settings):
        settings.FACEBOOK_WWW_URL = "/fakebook/www"
        response = client.get(reverse("facebook:login"), HTTP_HOST="127.0.0.1:8123")
        assert response["Location"].startswith(
            f"http://127.0.0.1:8123/fakebook/www/{settings.FACEBOOK_API_VERSION}/dialog/oauth?"
        )

    def test_the_graph_calls_go_to_the_stand_in_on_the_requests_port(self, client, settings, graph):
        settings.FACEBOOK_GRAPH_URL = "/fakebook/graph"
        graph_url = f"http://127.0.0.1:8123/fakebook/graph/{settings.FACEBOOK_API_VERSION}"
        graph.mock.add(responses.POST, f"{graph_url}/oauth/access_token", json=graph.token_answer)
        graph.mock.add(responses.GET, f"{graph_url}/me", json=graph.profile)
        response = client.get(reverse("facebook:login"), HTTP_HOST="127.0.0.1:8123")
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        response = client.get(
            reverse("facebook:callback"),
            {"code": "a-code", "state": state},
            HTTP_HOST="127.0.0.1:8123",
        )
        assert "fb_error_or_cancel" not in response["Location"]
        assert User.objects.get().facebook_account.facebook_id == ADA["id"]
        assert [call.request.url.split("?")[0] for call in graph.mock.calls] == [
            f"{graph_url}/oauth/access_token",
            f"{graph_url}/me",
        ]

    def test_configured_redirect_uri_is_sent_and_repeated_at_the_exchange(
        self, client, graph, settings
    ):
        settings.FACEBOOK_REDIRECT_URI = "https://example.com/facebook/callback/"
        response = facebook_login(client)
        assert response.status_code == 302
        body = graph.mock.calls[0].request.body
        assert "redirect_uri=https%3A%2F%2Fexample.com%2Ffacebook%2Fcallback%2F" in body

    def test_every_login_gets_a_new_state(self, client):
        assert start_login(client) != start_login(client)


def assert_no_errors_shown(html):
    for error_sign in ("errorlist", "alert--error", 'aria-invalid="true"', "Please correct"):
        assert error_sign not in html
    assert "This field is required" not in html


class TestRegister:
    def test_new_person_is_registered_logged_in_and_welcomed(self, client, graph):
        with signals_sent(signals.facebook_user_registered) as sent:
            response = facebook_login(client)
        assert response["Location"] == reverse("accounts:welcome")
        user = User.objects.get()
        assert (user.username, user.email) == ("ada.lovelace", "ada@example.com")
        assert not user.has_usable_password()
        account = user.facebook_account
        assert account.facebook_id == ADA["id"]
        assert account.picture_url == "https://example.com/ada.jpg"
        # A login-only site (FACEBOOK_STORE_ACCESS_TOKEN's default) keeps no token at all.
        assert (account.access_token, account.token_expires_at) == ("", None)
        assert logged_in_user(client) == user
        assert sent[0][1]["user"] == user
        assert graph.calls == 2

    def test_register_next_wins(self, client, graph):
        response = facebook_login(client, register_next="/r/", next="/n/")
        assert response["Location"] == "/r/"

    def test_next_is_offered_on_the_welcome_page(self, client, graph):
        response = facebook_login(client, next="/n/")
        assert response["Location"] == reverse("accounts:welcome") + "?next=%2Fn%2F"
        page = client.get(response["Location"])
        assert 'href="/n/"' in page.content.decode()

    def test_email_of_an_existing_account_is_never_linked(self, client, graph):
        victim = User.objects.create_user("victim", "ADA@example.com", "pw-12345-long")
        response = facebook_login(client, error_next="/oops/")
        assert response["Location"] == "/oops/?fb_error_or_cancel=1"
        assert "exists already" in messages_of(response)[0]
        assert User.objects.count() == 1
        assert not FacebookAccount.objects.exists()
        assert not logged_in_user(client).is_authenticated
        victim.refresh_from_db()
        assert not hasattr(victim, "facebook_account")

    def test_no_email_asks_to_complete_the_account(self, client, graph):
        del graph.profile["email"]
        response = facebook_login(client, register_next="/r/")
        assert response["Location"] == reverse("facebook:complete_registration")
        assert not User.objects.exists()
        page = client.get(response["Location"])
        assert page.status_code == 200
        html = page.content.decode()
        assert "Complete your account" in html
        # First display: what Facebook did not give and why it is asked; no error yet.
        assert "Facebook did not share your email" in html
        assert "account messages" in html
        assert_no_errors_shown(html)
        assert 'value="ada.lovelace"' in html
        response = client.post(
            response["Location"], {"username": "ada", "email": "ada@elsewhere.example"}
        )
        response = through_verification(client, response)
        assert response["Location"] == "/r/"
        user = User.objects.get()
        assert (user.username, user.email) == ("ada", "ada@elsewhere.example")
        assert logged_in_user(client) == user
        # The pending sign-up is used up.
        again = client.get(reverse("facebook:complete_registration"))
        assert again.status_code == 302

    def test_taken_username_asks_to_complete_and_shows_the_error(self, client, graph):
        User.objects.create_user("Ada.Lovelace", "other@example.org", "pw-12345-long")
        response = facebook_login(client)
        assert response["Location"] == reverse("facebook:complete_registration")
        page = client.get(response["Location"]).content.decode()
        assert "We made the username <strong>ada.lovelace</strong>" in page
        assert "already exists" in page
        assert_no_errors_shown(page)
        assert 'value="ada@example.com"' in page
        assert 'value="ada.lovelace"' not in page
        response = client.post(
            reverse("facebook:complete_registration"),
            {"username": "ada.lovelace", "email": "ada@example.com"},
        )
        assert response.status_code == 400
        assert "errorlist" in response.content.decode()
        assert User.objects.count() == 1

    def test_complete_step_refuses_a_taken_email(self, client, graph):
        del graph.profile["email"]
        User.objects.create_user("someone", "taken@example.org", "pw-12345-long")
        facebook_login(client)
        response = client.post(
            reverse("facebook:complete_registration"),
            {"username": "ada", "email": "TAKEN@example.org"},
        )
        assert response.status_code == 400
        assert "exists already" in response.content.decode()
        assert User.objects.count() == 1

    def test_complete_step_without_pending_sign_up_is_an_error(self, client):
        response = client.get(reverse("facebook:complete_registration"))
        assert response["Location"] == "/?fb_error_or_cancel=1"

    def test_closed_registration_makes_no_user(self, client, graph, settings):
        # Where the person is told depends on the registration system (the built-in one's
        # error redirect is in test_builtin_registration.py); that nobody is made does not.
        settings.REGISTRATION_OPEN = False
        response = facebook_login(client)
        assert response.status_code in (302, 403)
        assert not User.objects.exists()
        assert not FacebookAccount.objects.exists()
        assert not response.wsgi_request.user.is_authenticated


class TestLogin:
    def test_known_facebook_id_logs_in_and_refreshes_the_copy(self, client, graph):
        user = make_linked_user()
        response = facebook_login(client, login_next="/l/", next="/n/")
        assert response["Location"] == "/l/"
        assert logged_in_user(client) == user
        account = FacebookAccount.objects.get()
        assert account.email == "ada@example.com"
        assert User.objects.count() == 1

    def test_next_then_default(self, client, graph):
        make_linked_user()
        assert facebook_login(client, next="/n/")["Location"] == "/n/"
        client.logout()
        assert facebook_login(client)["Location"] == "/"

    def test_inactive_user_is_not_logged_in(self, client, graph):
        make_linked_user(is_active=False)
        response = facebook_login(client)
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert "not active" in messages_of(response)[0]
        assert not logged_in_user(client).is_authenticated


class TestConnect:
    def test_logged_in_user_connects(self, client, graph):
        user = User.objects.create_user("grace", "grace@example.org", "pw-12345-long")
        client.force_login(user)
        response = facebook_login(client, connect_next="/c/", next="/n/")
        assert response["Location"] == "/c/"
        assert FacebookAccount.objects.get().user == user
        assert "now connected" in messages_of(response)[0]

    def test_profile_of_another_user_is_refused(self, client, graph):
        make_linked_user()
        other = User.objects.create_user("grace", "grace@example.org", "pw-12345-long")
        client.force_login(other)
        response = facebook_login(client, error_next="/e/")
        assert response["Location"] == "/e/?fb_error_or_cancel=1"
        assert FacebookAccount.objects.get().user.username == "ada"

    def test_user_with_another_profile_is_refused(self, client, graph):
        user = make_linked_user(facebook_id="999")
        client.force_login(user)
        facebook_login(client)
        assert FacebookAccount.objects.get().facebook_id == "999"

    def test_reconnecting_the_same_profile_refreshes_it(self, client, graph):
        user = make_linked_user()
        client.force_login(user)
        response = facebook_login(client)
        assert response["Location"] == "/"
        assert FacebookAccount.objects.get().email == "ada@example.com"


def cancel(client, state):
    """Facebook's redirect back when the person cancels the dialog."""
    return client.get(
        reverse("facebook:callback"),
        {
            "error": "access_denied",
            "error_reason": "user_denied",
            "error_code": "200",
            "error_description": "Permissions error",
            "state": state,
        },
    )


class TestCancel:
    def test_goes_to_error_next_first(self, client, graph):
        state = start_login(
            client, error_next="/e/", next="/n/", headers={"Referer": "http://testserver/o/"}
        )
        response = cancel(client, state)
        assert response["Location"] == "/e/?fb_error_or_cancel=1"
        assert graph.calls == 0

    def test_then_next(self, client, graph):
        state = start_login(client, next="/n/", headers={"Referer": "http://testserver/o/"})
        assert cancel(client, state)["Location"] == "/n/?fb_error_or_cancel=1"

    def test_is_a_notice_back_on_the_page_where_the_login_started(self, client, graph):
        state = start_login(client, headers={"Referer": "http://testserver/accounts/login/?x=1"})
        response = cancel(client, state)
        assert response["Location"] == "/accounts/login/?x=1&fb_error_or_cancel=1"
        [message] = get_messages(response.wsgi_request)
        assert message.level_tag == "info"
        assert "cancelled" in str(message)
        page = client.get(response["Location"]).content.decode()
        assert "message--info" in page
        assert "message--error" not in page

    @pytest.mark.parametrize(
        "referer",
        [
            "https://evil.example/accounts/login/",
            "//evil.example/",
            "http://testserver//evil.example/",
            "javascript:alert(1)",
            "http://testserver/\x0d\x0aSet-Cookie:x",
            "",
        ],
    )
    def test_a_foreign_or_odd_referer_is_never_followed(self, client, graph, referer):
        state = start_login(client, headers={"Referer": referer})
        assert cancel(client, state)["Location"] == "/?fb_error_or_cancel=1"

    def test_other_dialog_errors_stay_errors(self, client, graph):
        state = start_login(client, headers={"Referer": "http://testserver/o/"})
        response = client.get(
            reverse("facebook:callback"), {"error": "server_error", "state": state}
        )
        assert response["Location"] == "/?fb_error_or_cancel=1"
        [message] = get_messages(response.wsgi_request)
        assert message.level_tag == "error"


class TestReplayedCallback:
    def test_of_the_own_login_lands_quietly(self, client, graph):
        make_linked_user()
        state = start_login(client, login_next="/l/")
        params = {"code": "a-code", "state": state}
        assert client.get(reverse("facebook:callback"), params)["Location"] == "/l/"
        response = client.get(reverse("facebook:callback"), params)
        assert response["Location"] == "/l/"
        assert messages_of(response) == []
        assert graph.calls == 2

    def test_of_a_registration_lands_quietly_too(self, client, graph):
        state = start_login(client)
        params = {"code": "a-code", "state": state}
        first = client.get(reverse("facebook:callback"), params)
        again = client.get(reverse("facebook:callback"), params)
        assert again["Location"] == first["Location"]
        assert messages_of(again) == []

    def test_after_a_logout_is_refused(self, client, graph):
        make_linked_user()
        state = start_login(client)
        client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
        client.logout()
        response = client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert "expired" in messages_of(response)[0]

    def test_with_another_state_is_still_an_error(self, client, graph):
        make_linked_user()
        facebook_login(client)
        response = client.get(reverse("facebook:callback"), {"code": "a-code", "state": "forged"})
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert graph.calls == 2

    def test_for_a_person_whose_link_is_gone_is_an_error(self, client, graph):
        make_linked_user()
        state = start_login(client)
        client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
        FacebookAccount.objects.all().delete()
        response = client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
        assert response["Location"] == "/?fb_error_or_cancel=1"


class TestErrors:
    @pytest.mark.parametrize("state", [None, "", "forged", "x" * 5000])
    def test_bad_state_never_reaches_facebook(self, client, graph, state):
        start_login(client, error_next="/e/")
        params = {"code": "a-code"} | ({"state": state} if state is not None else {})
        response = client.get(reverse("facebook:callback"), params)
        # Without a valid state the saved parameters are unknown: the default is used.
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert graph.calls == 0
        assert not User.objects.exists()

    def test_replayed_state_is_refused(self, client, graph):
        state = start_login(client)
        client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
        client.logout()
        response = client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert graph.calls == 2

    def test_state_of_another_session_is_refused(self, client, graph, django_user_model):
        from django.test import Client

        state = start_login(Client())
        response = client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert graph.calls == 0

    def test_expired_state_is_refused(self, client, graph, settings):
        settings.FACEBOOK_STATE_MAX_AGE = -1
        response = facebook_login(client)
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert graph.calls == 0

    def test_missing_code_is_an_error(self, client, graph):
        state = start_login(client)
        response = client.get(reverse("facebook:callback"), {"state": state})
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert graph.calls == 0

    def test_unsafe_error_next_is_skipped(self, client, graph):
        state = start_login(client, error_next="https://evil.example/", next="/n/")
        response = client.get(reverse("facebook:callback"), {"state": state, "error": "x"})
        assert response["Location"] == "/n/?fb_error_or_cancel=1"

    def test_graph_failure_creates_nothing(self, client, graph):
        graph.mock.replace(
            "POST",
            graph.token.url,
            status=400,
            json=graph_error_body(100, 36009, message="This authorization code has been used."),
        )
        response = facebook_login(client, error_next="/e/")
        assert response["Location"] == "/e/?fb_error_or_cancel=1"
        assert "used already" in messages_of(response)[0]
        assert not User.objects.exists()


class TestDisconnect:
    def test_disconnects_when_a_password_remains(self, client):
        user = make_linked_user()
        client.force_login(user)
        response = client.post(reverse("facebook:disconnect"), {"next": "/after/"})
        assert response["Location"] == "/after/"
        assert not FacebookAccount.objects.exists()

    def test_refused_without_a_password(self, client):
        user = make_linked_user()
        user.set_unusable_password()
        user.save()
        client.force_login(user)
        response = client.post(reverse("facebook:disconnect"))
        assert response["Location"] == "/"
        assert FacebookAccount.objects.exists()
        assert "Set a password first" in messages_of(response)[0]

    def test_get_is_not_allowed_and_anonymous_is_sent_to_log_in(self, client):
        assert client.get(reverse("facebook:disconnect")).status_code == 405
        response = client.post(reverse("facebook:disconnect"))
        assert response["Location"].startswith(reverse("login"))


class TestSecretsStayHidden:
    def test_no_token_or_secret_in_logs_or_urls(self, client, graph, caplog, settings):
        import logging

        caplog.set_level(logging.DEBUG)
        graph.mock.replace(
            "GET",
            graph.me.url,
            status=400,
            json=graph_error_body(190, 460, trace="TRACE9"),
        )
        start = client.get(reverse("facebook:login"))
        response = facebook_login(client)
        assert "fbtrace_id=TRACE9" in caplog.text
        for secret in (TOKEN, settings.FACEBOOK_APP_SECRET):
            assert secret not in caplog.text
            assert secret not in start["Location"]
            assert secret not in response["Location"]
            for call in graph.mock.calls:
                assert secret not in call.request.url

    def test_admin_never_shows_the_token(self, client, graph, admin_user):
        facebook_login(client)
        account = FacebookAccount.objects.get()
        client.force_login(admin_user)
        for url in (
            reverse("admin:django_facebook_facebookaccount_changelist"),
            reverse("admin:django_facebook_facebookaccount_change", args=[account.pk]),
        ):
            page = client.get(url)
            assert page.status_code == 200
            assert TOKEN not in page.content.decode()
            assert "access_token" not in page.content.decode()


class TestSignals:
    def test_connect_and_disconnect_are_signalled(self, client, graph):
        user = User.objects.create_user("grace", "grace@example.org", "pw-12345-long")
        client.force_login(user)
        watched = (signals.facebook_user_connected, signals.facebook_user_disconnected)
        with signals_sent(*watched) as sent:
            facebook_login(client)
            client.post(reverse("facebook:disconnect"))
        assert [signal for signal, _ in sent] == list(watched)
        assert all(kwargs["user"] == user for _, kwargs in sent)
        assert sent[0][1]["facebook_account"].facebook_id == ADA["id"]
