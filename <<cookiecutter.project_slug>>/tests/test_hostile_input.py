"""Hostile form input: oversized, mistyped, missing and badly encoded fields get a 4xx with a
message and write nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_facebook.models import FacebookAccount

from .conftest import facebook_login

pytestmark = pytest.mark.django_db
User = get_user_model()

HOSTILE_FORMS = [
    {},
    {"username": "", "email": ""},
    {"username": "x" * 10_000, "email": "ok@example.org"},
    {"username": "ada", "email": "y" * 10_000 + "@example.org"},
    {"username": "ada", "email": "not-an-email"},
    {"username": "ada\x00", "email": "ada@example.org"},
    {"username": "ada\r\nSet-Cookie: x=1", "email": "ada@example.org"},
    {"username": "<script>alert(1)</script>", "email": "ada@example.org"},
    {"username": "ada", "email": "ada@example.org\r\nBcc: all@example.org"},
]


@pytest.fixture
def pending(client, graph):
    """A Facebook sign-up waiting at the "complete your account" step."""
    del graph.profile["email"]
    facebook_login(client)
    return reverse("facebook:complete_registration")


@pytest.mark.parametrize("data", HOSTILE_FORMS)
def test_complete_step_refuses_hostile_input(client, pending, data):
    response = client.post(pending, data)
    assert response.status_code == 400
    assert "error" in response.content.decode().lower()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not User.objects.exists()
    assert not FacebookAccount.objects.exists()


def test_complete_step_refuses_repeated_fields(client, pending):
    response = client.post(pending, {"username": ["a", "b"], "email": ["a@x.org", "b@x.org"]})
    assert response.status_code == 400
    assert "Something is wrong with this request" in response.content.decode()
    assert not User.objects.exists()


def test_complete_step_refuses_a_badly_encoded_body(client, pending):
    response = client.post(
        pending,
        b"username=%FF%FE%00&email=%C0%AF@example.org",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not User.objects.exists()


def test_a_huge_body_is_refused_before_any_work(client, pending, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(pending, {"username": "a" * 20_000, "email": "a@example.org"})
    assert response.status_code == 400
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"code": "x" * 10_000, "state": "y" * 10_000},
        {"code": ["a", "b"], "state": ["c", "d"]},
        {"code": "\x00", "state": "\r\n"},
        {"error": "<script>", "error_reason": "x" * 5000},
    ],
)
def test_callback_survives_hostile_parameters(client, graph, params):
    response = client.get(reverse("facebook:callback"), params)
    assert response.status_code == 302
    assert response["Location"] == "/?fb_error_or_cancel=1"
    assert graph.calls == 0
    assert not User.objects.exists()
