"""Facebook's deauthorize and data deletion callbacks, and the deletion status page."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from django_facebook import signals
from django_facebook.models import DataDeletionRequest, FacebookAccount
from fakebook.callbacks import sign, signed_request_for
from fakebook.users import USERS

from .conftest import ADA, TOKEN, facebook_login, signals_sent

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()
ADA_STANDIN_ID = next(user.id for user in USERS if user.first_name == "Ada")


@pytest.fixture
def linked(client, graph, settings):
    """Ada, registered through Facebook, with a password set so she can log in without it;
    the site keeps tokens, so that a deauthorize has one to forget."""
    settings.FACEBOOK_STORE_ACCESS_TOKEN = True
    facebook_login(client)
    client.logout()
    user = User.objects.get()
    user.set_password("a-long-passphrase-42")
    user.save()
    return user


def post(client, name, signed_request):
    return client.post(reverse(name), {"signed_request": signed_request})


def bad_requests(settings):
    now = int(time.time())
    good = {"algorithm": "HMAC-SHA256", "issued_at": now, "user_id": ADA["id"]}
    return [
        {},
        {"signed_request": ""},
        {"signed_request": "x" * 10_000},
        {"signed_request": sign(good, "not-the-app-secret")},
        {"signed_request": sign(good | {"issued_at": now - 2 * 86400})},
        {"signed_request": sign(good | {"algorithm": "none"})},
        {"signed_request": sign(good | {"user_id": 42})},
        {"signed_request": sign(good | {"user_id": "../../etc"})},
        {"signed_request": sign({k: v for k, v in good.items() if k != "user_id"})},
        {"signed_request": [sign(good, "not-the-app-secret")]},
    ]


@pytest.mark.parametrize("name", ["facebook:deauthorize", "facebook:data_deletion"])
class TestRefusals:
    def test_hostile_requests_get_400_and_change_nothing(self, client, linked, settings, name):
        for data in bad_requests(settings):
            response = client.post(reverse(name), data)
            assert response.status_code == 400, data
            assert response.json() == {"error": "invalid signed_request"}
        account = FacebookAccount.objects.get()
        assert account.access_token == TOKEN
        assert account.deauthorized_at is None
        assert not DataDeletionRequest.objects.exists()

    def test_get_is_not_allowed(self, client, name):
        assert client.get(reverse(name)).status_code == 405

    def test_no_csrf_token_is_needed(self, name, linked):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(
            reverse(name), {"signed_request": signed_request_for(ADA["id"])}
        )
        assert response.status_code == 200


class TestDeauthorize:
    def test_forgets_the_token_and_marks_the_link(self, client, linked):
        with signals_sent(signals.facebook_user_deauthorized) as sent:
            response = post(client, "facebook:deauthorize", signed_request_for(ADA["id"]))
        assert response.json() == {"success": True}
        account = FacebookAccount.objects.get()
        assert account.access_token == ""
        assert account.token_expires_at is None
        assert account.deauthorized_at is not None
        assert sent[0][1]["user"] == linked

    def test_person_can_still_log_in_and_connect_again(self, client, linked):
        post(client, "facebook:deauthorize", signed_request_for(ADA["id"]))
        assert client.login(username=linked.username, password="a-long-passphrase-42")
        client.logout()
        facebook_login(client)
        account = FacebookAccount.objects.get()
        assert account.deauthorized_at is None
        assert account.access_token == TOKEN
        assert client.get(reverse("accounts:profile")).wsgi_request.user == linked

    def test_unknown_person_is_acknowledged(self, client, db):
        response = post(client, "facebook:deauthorize", signed_request_for("999"))
        assert response.status_code == 200


class TestDataDeletion:
    def test_deletes_what_came_from_facebook_and_answers_url_and_code(self, client, linked):
        response = post(client, "facebook:data_deletion", signed_request_for(ADA["id"]))
        answer = response.json()
        assert set(answer) == {"url", "confirmation_code"}
        assert answer["confirmation_code"].isalnum()
        assert answer["url"] == (
            f"http://testserver/facebook/data-deletion/{answer['confirmation_code']}/"
        )
        assert not FacebookAccount.objects.exists()
        # The site account stays, and can log in with its password.
        assert User.objects.filter(pk=linked.pk).exists()
        deletion = DataDeletionRequest.objects.get()
        assert deletion.accounts_deleted == 1
        assert ADA["id"] not in deletion.facebook_id_digest

    def test_same_request_twice_is_one_deletion(self, client, linked):
        signed = signed_request_for(ADA["id"])
        first = post(client, "facebook:data_deletion", signed).json()
        second = post(client, "facebook:data_deletion", signed).json()
        assert first == second
        assert DataDeletionRequest.objects.count() == 1

    def test_status_page_reveals_nothing_about_the_person(self, client, linked):
        answer = post(client, "facebook:data_deletion", signed_request_for(ADA["id"])).json()
        page = client.get(answer["url"])
        assert page.status_code == 200
        text = page.content.decode()
        assert answer["confirmation_code"] in text
        assert "Completed" in text
        for personal in (ADA["id"], ADA["name"], ADA["email"], linked.username):
            assert personal not in text

    @pytest.mark.parametrize("code", ["0" * 32, "zz", "x" * 500, "../admin"])
    def test_unknown_codes_are_404(self, client, code):
        assert client.get(f"/facebook/data-deletion/{code}/").status_code == 404


class TestStandInSendsCallbacks:
    def test_app_settings_page_sends_a_signed_deletion_to_the_site(
        self, live_server, settings, transactional_db
    ):
        from .browser import Browser

        user = User.objects.create_user("ada", "ada@example.org", "a-long-passphrase-42")
        FacebookAccount.objects.create(user=user, facebook_id=ADA_STANDIN_ID)
        browser = Browser()
        browser.get(f"{live_server.url}/fakebook/www/settings/apps/")
        browser.click("Request data deletion")
        assert "HTTP 200" in browser.response.text
        assert "confirmation_code" in browser.response.text
        assert not FacebookAccount.objects.exists()

    def test_command_sends_deauthorize(self, live_server, transactional_db):
        from django.core.management import call_command

        user = User.objects.create_user("ada", "ada@example.org", "a-long-passphrase-42")
        FacebookAccount.objects.create(user=user, facebook_id=ADA_STANDIN_ID, access_token="t")
        call_command("fakebook_callback", "deauthorize", "ada", site=live_server.url)
        assert FacebookAccount.objects.get().deauthorized_at is not None
