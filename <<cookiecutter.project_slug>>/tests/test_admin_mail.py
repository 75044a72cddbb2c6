"""Requests anyone can send (a bad Host header, an oversized body, too many fields) get their
400 and one log line, and no email to the admins; an error of the site itself still emails
them."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import path

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__), pytest.mark.system_independent]


def broken_view(request):
    raise RuntimeError("a bug in the site")


urlpatterns = [path("broken/", broken_view)]


@pytest.fixture
def stranger():
    # CSRF checks on, as for a real browser: the middleware reads the body of every POST.
    return Client(raise_request_exception=False, enforce_csrf_checks=True)


def security_records(caplog):
    return [record for record in caplog.records if record.name.startswith("django.security")]


HOSTILE = {
    "a bad Host header": lambda client: client.get("/broken/", headers={"host": "evil.example"}),
    "an oversized body": lambda client: client.post(
        "/broken/", "x=" + "a" * 3_000_000, content_type="application/x-www-form-urlencoded"
    ),
    "too many fields": lambda client: client.post(
        "/broken/", "&".join(["f=1"] * 1001), content_type="application/x-www-form-urlencoded"
    ),
}


@pytest.mark.parametrize("request_kind", HOSTILE)
def test_hostile_requests_mail_nobody(stranger, caplog, request_kind):
    response = HOSTILE[request_kind](stranger)

    assert response.status_code == 400
    assert mail.outbox == []
    assert len(security_records(caplog)) == 1


def test_a_server_error_still_mails_the_admins(stranger, settings):
    response = stranger.get("/broken/")

    assert response.status_code == 500
    assert len(mail.outbox) == 1
    # Addresses on Django 6, (name, address) pairs on 5.2 (config/settings/base.py).
    admins = [admin if isinstance(admin, str) else admin[1] for admin in settings.ADMINS]
    assert mail.outbox[0].to == admins
    assert "Internal Server Error: /broken/" in mail.outbox[0].subject
