"""docs/other-registration-systems.md's recipe, run: FACEBOOK_REGISTRATION_BACKEND pointed at
a backend of one's own (tests/registration_system_example.py) carries the whole connect
flow, as Django Facebook's documentation promised any registration system could."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_facebook import signals
from django_facebook.models import FacebookAccount

from .conftest import ADA, facebook_login, logged_in_user, messages_of, signals_sent

pytestmark = [pytest.mark.django_db, pytest.mark.system_independent]
User = get_user_model()

EXAMPLE = Path(__file__).with_name("registration_system_example.py")
DOCS = Path(__file__).parents[1] / "docs" / "other-registration-systems.md"


@pytest.fixture
def terms_backend(settings):
    settings.FACEBOOK_REGISTRATION_BACKEND = "tests.registration_system_example.TermsBackend"


def test_a_facebook_sign_up_completes_the_systems_own_form(client, graph, terms_backend):
    response = facebook_login(client, register_next="/privacy/")
    assert response["Location"] == reverse("facebook:complete_registration")
    page = client.get(response["Location"]).content.decode()
    assert 'name="accept_terms"' in page and "I accept the terms of use" in page
    assert not User.objects.exists()

    data = {"username": "ada.lovelace", "email": ADA["email"]}
    refused = client.post(reverse("facebook:complete_registration"), data)
    assert refused.status_code == 400 and not User.objects.exists()

    with signals_sent(signals.user_registered, signals.facebook_user_registered) as sent:
        done = client.post(
            reverse("facebook:complete_registration"), {**data, "accept_terms": "on"}
        )
    assert done["Location"] == "/privacy/"
    user = User.objects.get()
    assert (user.username, user.email, user.has_usable_password()) == (
        "ada.lovelace",
        ADA["email"],
        False,
    )
    assert user.facebook_account.facebook_id == ADA["id"]
    assert logged_in_user(client) == user
    assert [signal for signal, _ in sent] == [
        signals.user_registered,
        signals.facebook_user_registered,
    ]


def test_the_next_facebook_login_logs_in(client, graph, terms_backend):
    facebook_login(client)
    client.post(
        reverse("facebook:complete_registration"),
        {"username": "ada", "email": ADA["email"], "accept_terms": "on"},
    )
    client.logout()
    response = facebook_login(client, login_next="/privacy/")
    assert response["Location"] == "/privacy/"
    assert logged_in_user(client) == User.objects.get()


def test_an_email_an_account_has_is_refused_not_linked(client, graph, terms_backend):
    owner = User.objects.create_user("owner", ADA["email"], "a-long-passphrase-42")
    response = facebook_login(client, error_next="/privacy/")
    assert response["Location"] == "/privacy/?fb_error_or_cancel=1"
    assert any("exists already" in message for message in messages_of(response))
    assert not FacebookAccount.objects.exists()
    assert list(User.objects.all()) == [owner]


def test_the_documentation_shows_the_example_that_runs():
    body = EXAMPLE.read_text().split('"""', 2)[2].strip()  # the example without its docstring
    assert body in DOCS.read_text()
