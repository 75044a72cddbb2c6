"""The tokens a site keeps (FACEBOOK_STORE_ACCESS_TOKEN, FACEBOOK_EXTEND_ACCESS_TOKEN) and
the person's Graph client (user_graph.py), against the stand-in over real HTTP."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from django_facebook.exceptions import NewTokenRequired
from django_facebook.models import FacebookAccount
from django_facebook.profile import FacebookProfile
from django_facebook.user_graph import graph_for
from fakebook import faults, store
from fakebook.users import USERS

from .browser import Browser, login_with_facebook
from .conftest import app_login, new_nonce

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]
User = get_user_model()

ADA = next(user for user in USERS if user.first_name == "Ada")
ALAN = next(user for user in USERS if user.first_name == "Alan")  # declines email
COMPLETE = "Create my account"


@pytest.fixture
def keeping(site, settings):
    """The site keeps each person's token."""
    settings.FACEBOOK_STORE_ACCESS_TOKEN = True
    return site


def ada_logs_in(site):
    login_with_facebook(site, Browser(), ADA.name)
    return FacebookAccount.objects.select_related("user").get(facebook_id=ADA.id)


def stored_column():
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM django_facebook_facebookaccount")
        return cursor.fetchone()[0]


class TestKeptTokens:
    def test_by_default_no_token_is_kept_but_the_permissions_are(self, site):
        account = ada_logs_in(site)
        assert (account.access_token, account.token_expires_at, stored_column()) == ("", None, "")
        assert account.scopes == ["email", "public_profile"]

    def test_a_kept_token_is_the_logins_encrypted_at_rest(self, keeping):
        account = ada_logs_in(keeping)
        token = account.access_token
        assert store.token_status(token)[1] is None  # the login's token, valid
        assert token not in stored_column() and stored_column()
        expected_expiry = timezone.now().timestamp() + store.SHORT_TOKEN_LIFETIME
        assert account.token_expires_at.timestamp() == pytest.approx(expected_expiry, abs=30)

    def test_a_sign_up_completed_later_keeps_its_token(self, keeping):
        browser = Browser()
        assert login_with_facebook(keeping, browser, ALAN.name) == "/facebook/register/"
        browser.click(COMPLETE, fill={"username": "alan", "email": "alan@elsewhere.example"})
        account = FacebookAccount.objects.get()
        assert store.token_status(account.access_token)[1] is None
        assert account.declined_scopes == ["email"]

    def test_the_long_lived_token_replaces_the_logins_when_asked(self, keeping, settings):
        settings.FACEBOOK_EXTEND_ACCESS_TOKEN = True
        account = ada_logs_in(keeping)
        expected_expiry = timezone.now().timestamp() + store.TOKEN_LIFETIME
        assert account.token_expires_at.timestamp() == pytest.approx(expected_expiry, abs=30)
        assert store.token_status(account.access_token)[1] is None

    @pytest.mark.parametrize("kind", ["500", "rate_limit", "expired", "bad_json"])
    def test_a_refused_long_lived_token_leaves_the_login_its_own(self, keeping, settings, kind):
        settings.FACEBOOK_EXTEND_ACCESS_TOKEN = True
        faults.inject("long_lived_token", kind, times=None)
        account = ada_logs_in(keeping)
        faults.clear()
        assert store.token_status(account.access_token)[1] is None  # the login's own
        expected_expiry = timezone.now().timestamp() + store.SHORT_TOKEN_LIFETIME
        assert account.token_expires_at.timestamp() == pytest.approx(expected_expiry, abs=30)

    def test_an_app_login_keeps_its_token_which_limited_login_leaves(
        self, client, fakebook, settings
    ):
        settings.FACEBOOK_STORE_ACCESS_TOKEN = True
        token = fakebook.access_token("ada")
        assert app_login(client, {"access_token": token}).status_code == 200
        account = FacebookAccount.objects.get()
        assert (account.access_token, account.scopes) == (token, ["email", "public_profile"])
        nonce = new_nonce(client)
        answer = app_login(client, {"id_token": fakebook.id_token("ada", nonce), "nonce": nonce})
        assert answer.status_code == 200
        # Limited Login gives no Graph token: the one kept stays, as do the permissions.
        account.refresh_from_db()
        assert (account.access_token, account.scopes) == (token, ["email", "public_profile"])

    def test_without_keeping_tokens_limited_login_drops_the_one_kept_before(
        self, client, fakebook, settings
    ):
        settings.FACEBOOK_STORE_ACCESS_TOKEN = True
        assert app_login(client, {"access_token": fakebook.access_token("ada")}).status_code == 200
        settings.FACEBOOK_STORE_ACCESS_TOKEN = False
        nonce = new_nonce(client)
        app_login(client, {"id_token": fakebook.id_token("ada", nonce), "nonce": nonce})
        account = FacebookAccount.objects.get()
        assert (account.access_token, account.token_expires_at) == ("", None)

    def test_without_keeping_tokens_the_ones_kept_before_are_dropped_at_login(
        self, keeping, settings
    ):
        ada_logs_in(keeping)
        settings.FACEBOOK_STORE_ACCESS_TOKEN = False
        account = ada_logs_in(keeping)
        assert (account.access_token, account.token_expires_at) == ("", None)


class TestGraphFor:
    def test_a_valid_token_calls_the_graph_api_for_the_person(self, keeping):
        account = ada_logs_in(keeping)
        graph = graph_for(account.user)
        assert graph.get("me", fields="id,name") == {"id": ADA.id, "name": ADA.name}
        assert graph.facebook_id == ADA.id

    @pytest.mark.parametrize("spoil", [store.expire_user, store.revoke_user])
    def test_an_expired_or_revoked_token_is_erased_and_says_log_in_again(self, keeping, spoil):
        account = ada_logs_in(keeping)
        graph = graph_for(account.user)
        spoil(ADA.id)
        with pytest.raises(NewTokenRequired):
            graph.get("me")
        account.refresh_from_db()
        assert (account.access_token, account.token_expires_at) == ("", None)
        with pytest.raises(NewTokenRequired):
            graph_for(account.user)  # nothing left to call with: no round trip

    def test_a_token_past_its_expiry_is_not_sent(self, keeping):
        account = ada_logs_in(keeping)
        FacebookAccount.objects.update(token_expires_at=timezone.now())
        faults.inject("*", "500", times=None)  # a call would fail otherwise
        with pytest.raises(NewTokenRequired):
            graph_for(account.user)
        faults.clear()

    def test_no_token_for_a_visitor_a_user_without_facebook_or_a_removed_app(self, keeping):
        with pytest.raises(NewTokenRequired):
            graph_for(AnonymousUser())
        with pytest.raises(NewTokenRequired):
            graph_for(User.objects.create_user("solo", "solo@example.com", "pw-12345-long"))
        account = ada_logs_in(keeping)
        FacebookAccount.objects.update(deauthorized_at=timezone.now())
        with pytest.raises(NewTokenRequired):
            graph_for(account.user)

    def test_permissions_are_read_and_kept(self, keeping):
        account = ada_logs_in(keeping)
        store.record_decisions(ADA.id, set(), {"user_friends"})
        time.sleep(0.01)
        assert graph_for(account.user).permissions() == (
            ["email", "public_profile"],
            ["user_friends"],
        )
        account.refresh_from_db()
        assert account.declined_scopes == ["user_friends"]

    def test_a_token_a_login_replaced_meanwhile_is_not_erased(self, keeping):
        account = ada_logs_in(keeping)
        graph = graph_for(account.user)
        # Another tab logs in again: a new token, a later updated_at.
        later = timezone.now() + timezone.timedelta(seconds=5)
        FacebookAccount.objects.update(access_token="EAAnewer", updated_at=later)
        store.revoke_user(ADA.id)
        with pytest.raises(NewTokenRequired):
            graph.get("me")
        assert FacebookAccount.objects.get().access_token == "EAAnewer"
        # The erased token is not sent again: no Graph call, NewTokenRequired at once.
        faults.inject("*", "500", times=None)
        with pytest.raises(NewTokenRequired):
            graph.get("me")
        faults.clear()

    def test_without_a_request_a_stand_in_path_is_refused_plainly(self, keeping, settings):
        account = ada_logs_in(keeping)
        settings.FACEBOOK_GRAPH_URL = "/fakebook/graph"
        with pytest.raises(ImproperlyConfigured, match="pass the request"):
            graph_for(account.user)

    def test_a_site_that_keeps_no_token_is_told_so(self, site):
        account = ada_logs_in(site)
        with pytest.raises(ImproperlyConfigured, match="FACEBOOK_STORE_ACCESS_TOKEN"):
            graph_for(account.user)


@pytest.mark.system_independent
@pytest.mark.parametrize(
    "permissions",
    [
        None,
        "granted",
        {"data": "email"},
        {"data": [None, 3, ["email"]]},
        {"data": [{"permission": ["email"], "status": "granted"}]},
        {"data": [{"permission": "email", "status": ["granted"]}]},
        {"data": [{"permission": "email", "status": {"granted": 1}}]},
        {"data": [{"permission": "EMAIL; DROP", "status": "granted"}]},
        {"data": [{"permission": "e" * 500, "status": "granted"}]},
    ],
)
def test_hostile_permissions_in_facebooks_answer_are_left_out(permissions):
    """Facebook's answer is input from outside: a malformed `permissions` gives no
    permission, never an exception (a 500 in the callback)."""
    profile = FacebookProfile.from_graph({"id": "123", "permissions": permissions})
    assert profile.id == "123"
    assert profile.granted_scopes in (None, ())
    assert profile.declined_scopes == ()


class TestMigration:
    """0003 erases the tokens kept so far, unless the site keeps tokens."""

    @pytest.mark.parametrize(("keep", "left"), [(False, ""), (True, "EAAkept")])
    def test_kept_tokens_go_unless_the_site_keeps_them(self, settings, keep, left):
        from django.db.migrations.executor import MigrationExecutor

        user = User.objects.create_user("ada", "ada@example.com")
        FacebookAccount.objects.create(user=user, facebook_id="1", access_token="EAAkept")
        settings.FACEBOOK_STORE_ACCESS_TOKEN = keep
        executor = MigrationExecutor(connection)
        executor.migrate([("django_facebook", "0002_app_nonce")])
        executor.loader.build_graph()
        executor.migrate([("django_facebook", "0003_facebookaccount_scopes")])
        assert FacebookAccount.objects.get().access_token == left
