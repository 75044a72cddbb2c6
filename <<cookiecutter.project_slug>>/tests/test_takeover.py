"""Account takeover by email: a Facebook profile that carries the email address of an
existing account never lands in that account, whatever the account's state."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_facebook.models import FacebookAccount

from .conftest import facebook_login

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()


@pytest.mark.parametrize("is_active", [True, False])
@pytest.mark.parametrize("has_password", [True, False])
@pytest.mark.parametrize("stored_email", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.com"])
@pytest.mark.parametrize("facebook_says_verified", [True, False, None])
def test_matching_email_never_logs_in_or_links(
    client, graph, is_active, has_password, stored_email, facebook_says_verified
):
    victim = User.objects.create_user("victim", stored_email, is_active=is_active)
    if has_password:
        victim.set_password("victim-passphrase-42")
        victim.save()
    if facebook_says_verified is not None:
        graph.profile["verified"] = facebook_says_verified

    response = facebook_login(client, error_next="/oops/")

    assert response["Location"] == "/oops/?fb_error_or_cancel=1"
    assert not response.wsgi_request.user.is_authenticated
    assert not FacebookAccount.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["victim"]


def test_typing_the_victims_email_in_the_complete_step_is_refused(client, graph):
    User.objects.create_user("victim", "victim@example.org", "victim-passphrase-42")
    del graph.profile["email"]
    facebook_login(client)
    response = client.post(
        reverse("facebook:complete_registration"),
        {"username": "attacker", "email": "Victim@Example.org"},
    )
    assert response.status_code == 400
    assert not FacebookAccount.objects.exists()
    assert not response.wsgi_request.user.is_authenticated


def test_a_logged_in_attacker_cannot_take_the_victims_facebook_link(client, graph):
    victim = User.objects.create_user("victim", "victim@example.org", "victim-passphrase-42")
    FacebookAccount.objects.create(user=victim, facebook_id=graph.profile["id"])
    attacker = User.objects.create_user("attacker", "a@example.org", "attacker-passphrase-42")
    client.force_login(attacker)
    response = facebook_login(client, error_next="/oops/")
    assert response["Location"] == "/oops/?fb_error_or_cancel=1"
    assert FacebookAccount.objects.get().user == victim
