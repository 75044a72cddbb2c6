"""The built-in registration system's manual sign-up (present only in sites baked with it)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_facebook import signals

from .conftest import facebook_login, signals_sent

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()


class TestSignUp:
    def test_form_sign_up_logs_in_and_welcomes(self, client):
        with signals_sent(signals.user_registered) as sent:
            response = client.post(
                reverse("registration_register"),
                {
                    "username": "grace",
                    "email": "grace@example.org",
                    "password1": "a-long-passphrase-42",
                    "password2": "a-long-passphrase-42",
                },
            )
        assert response["Location"] == reverse("accounts:welcome")
        user = User.objects.get()
        assert user.check_password("a-long-passphrase-42")
        assert sent[0][1]["user"] == user
        assert client.get(reverse("accounts:profile")).status_code == 200

    def test_duplicate_email_is_refused(self, client):
        User.objects.create_user("ada", "ada@example.com", "pw-12345-long")
        response = client.post(
            reverse("registration_register"),
            {
                "username": "ada2",
                "email": "ADA@example.com",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        assert response.status_code == 400
        assert User.objects.count() == 1

    def test_closed_registration(self, client, settings):
        settings.REGISTRATION_OPEN = False
        assert client.get(reverse("registration_register")).status_code == 403
        response = client.post(reverse("registration_register"), {"username": "x"})
        assert response.status_code == 403
        assert not User.objects.exists()

    def test_register_next_is_honoured(self, client):
        response = client.post(
            reverse("registration_register") + "?register_next=/go/",
            {
                "username": "grace",
                "email": "grace@example.org",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        assert response["Location"] == "/go/"


class TestLoginOfAnInactiveAccount:
    """The login form says an account is inactive to whoever gives its right password, and
    nothing more than "not a correct username and password" to anyone else."""

    PASSWORD = "a-long-passphrase-42"

    def log_in(self, client, password):
        return client.post(reverse("login"), {"username": "grace", "password": password})

    def test_the_right_password_is_told_the_account_is_inactive(self, client):
        User.objects.create_user("grace", "grace@example.org", self.PASSWORD, is_active=False)

        response = self.log_in(client, self.PASSWORD)

        assert response.status_code == 200
        page = response.content.decode()
        assert "This account is inactive." in page
        assert "correct username and password" not in page
        assert not response.wsgi_request.user.is_authenticated

    def test_a_wrong_password_is_not(self, client):
        User.objects.create_user("grace", "grace@example.org", self.PASSWORD, is_active=False)

        page = self.log_in(client, "not-the-password").content.decode()

        assert "Please enter a correct username and password." in page
        assert "inactive" not in page

    def test_an_active_account_logs_in(self, client):
        User.objects.create_user("grace", "grace@example.org", self.PASSWORD)

        assert self.log_in(client, self.PASSWORD)["Location"] == reverse("accounts:profile")


def test_closed_registration_turns_facebook_sign_ups_away(client, graph, settings):
    from django.contrib.messages import get_messages

    settings.REGISTRATION_OPEN = False
    response = facebook_login(client)
    assert response["Location"] == "/?fb_error_or_cancel=1"
    (message,) = get_messages(response.wsgi_request)
    assert "closed" in str(message)
    assert not User.objects.exists()
