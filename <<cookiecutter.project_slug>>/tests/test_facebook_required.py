"""@facebook_required, @facebook_required_lazy and FacebookRequiredMixin, through the stand-in
over real HTTP: the views of tests/facebook_required_example.py (docs/connect-flow.md's
example) need `user_friends`, which no plain login asks for."""

import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from django_facebook.models import FacebookAccount
from fakebook import faults, store
from fakebook.users import USERS

from .browser import Browser, login_with_facebook, path_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]
User = get_user_model()

ADA = next(user for user in USERS if user.first_name == "Ada")
FRIENDS = f"{len(USERS) - 1} of your friends use this site."
EXAMPLE = Path(__file__).with_name("facebook_required_example.py")
DOCS = Path(__file__).parents[1] / "docs" / "connect-flow.md"


@pytest.fixture
def examples(site, settings):
    """The site keeps tokens, and serves the example views."""
    settings.FACEBOOK_STORE_ACCESS_TOKEN = True
    settings.ROOT_URLCONF = "tests.facebook_required_urls"
    return site


def dialog_query(browser):
    """The parameters of the login dialog the browser is on."""
    assert "/fakebook/www/" in browser.response.url, browser.response.url
    return {
        key: values[0] for key, values in parse_qs(urlsplit(browser.response.url).query).items()
    }


def account():
    return FacebookAccount.objects.get()


def connected_without_friends(site):
    """Ada, registered by a plain login (email and public_profile): no user_friends yet."""
    browser = Browser()
    login_with_facebook(site, browser, ADA.name)
    assert "user_friends" not in account().scopes
    return browser


@pytest.mark.parametrize("path", ["/friends/", "/friends-view/"])
def test_a_new_visitor_logs_in_with_the_permission_then_sees_the_view(examples, path):
    browser = Browser()
    browser.get(f"{examples}{path}")
    query = dialog_query(browser)
    assert (query["scope"], query["auth_type"]) == (
        "email,public_profile,user_friends",
        "rerequest",
    )
    browser.click(f"Continue as {ADA.name}")
    assert User.objects.count() == 1
    if path_of(browser.response.url) != path:
        # Registered: the registration system's page for new accounts, on its way to the view.
        assert f"next={path}" in unquote(browser.response.url)
        browser.get(f"{examples}{path}")
    assert (path_of(browser.response.url), browser.response.text) == (path, FRIENDS)
    assert "user_friends" in account().scopes
    assert account().access_token


@pytest.mark.parametrize("path", ["/friends/", "/friends-view/", "/friends-lazy/"])
def test_a_connected_person_is_asked_for_just_the_missing_permission(examples, path):
    browser = connected_without_friends(examples)
    browser.get(f"{examples}{path}?error_next=/accounts/profile/")
    query = dialog_query(browser)
    assert query["scope"] == "user_friends"  # incremental: only what is missing
    browser.click(f"Continue as {ADA.name}")
    assert path_of(browser.response.url) == f"{path}?error_next=/accounts/profile/"
    assert browser.response.text == FRIENDS
    assert {"email", "public_profile", "user_friends"} <= set(account().scopes)


def test_a_refused_permission_goes_to_error_next_then_is_asked_again(examples):
    browser = connected_without_friends(examples)
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}", unticked=("user_friends",))
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"
    assert "needs a permission you did not give" in browser.response.text
    assert account().declined_scopes == ["user_friends"]
    # Declined once, it is asked again with auth_type=rerequest (else Facebook would not ask).
    browser.get(f"{examples}/friends/")
    query = dialog_query(browser)
    assert (query["scope"], query["auth_type"]) == ("user_friends", "rerequest")
    browser.click(f"Continue as {ADA.name}")
    assert browser.response.text == FRIENDS
    assert account().declined_scopes == []


def test_a_permission_declined_before_is_asked_again_on_another_device(examples):
    browser = connected_without_friends(examples)
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}", unticked=("user_friends",))
    other = Browser()  # logged out: the site cannot know what she declined
    other.get(f"{examples}/friends/")
    assert dialog_query(other)["auth_type"] == "rerequest"
    other.click(f"Continue as {ADA.name}")
    assert (path_of(other.response.url), other.response.text) == ("/friends/", FRIENDS)


def test_a_lazy_views_refusal_leaves_no_retry_behind(examples):
    browser = connected_without_friends(examples)
    browser.get(f"{examples}/friends-lazy/")
    browser.click(f"Continue as {ADA.name}", unticked=("user_friends",))
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"
    # The next visit asks again, rather than saying Facebook "still" refuses.
    browser.get(f"{examples}/friends-lazy/")
    assert dialog_query(browser)["scope"] == "user_friends"


def test_a_new_account_that_refuses_the_permission_goes_where_new_accounts_go(examples):
    browser = Browser()
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}", unticked=("user_friends",))
    assert User.objects.count() == 1
    assert "needs a permission you did not give" in browser.response.text
    assert "/friends/" not in browser.response.url  # nor on its way back there
    assert "/fakebook/www/" not in browser.response.url


def test_a_sign_up_completed_later_does_not_go_back_to_the_refused_view(examples):
    alan = next(user for user in USERS if user.first_name == "Alan")  # declines email
    browser = Browser()
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {alan.name}", unticked=("user_friends",))
    assert path_of(browser.response.url) == "/facebook/register/"
    browser.click("Create my account", fill={"username": "alan", "email": "alan@example.org"})
    assert User.objects.count() == 1
    assert "/friends/" not in browser.response.url
    assert "needs a permission you did not give" in browser.response.text


def test_a_hostile_error_next_is_not_followed(examples):
    browser = connected_without_friends(examples)
    browser.get(f"{examples}/friends/?error_next=//evil.example/")
    browser.click("Cancel")
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"


def test_a_cancelled_dialog_goes_to_error_next_not_back_to_the_view(examples):
    browser = connected_without_friends(examples)
    browser.get(f"{examples}/friends/")
    browser.click("Cancel")
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"


def test_a_refused_login_goes_to_error_next_not_back_to_the_view(examples):
    """The email takeover rule holds for a view's login too: no account, no loop."""
    User.objects.create_user("owner", ADA.email, "a-long-passphrase-42")
    browser = Browser()
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}")
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"
    assert "exists already" in browser.response.text
    assert not FacebookAccount.objects.exists()


def test_a_token_refused_again_right_after_a_new_login_is_no_loop(examples):
    browser = Browser()
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}")
    faults.inject("friends", "revoked", times=None)  # every token refused (a checkpoint)
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}")
    faults.clear()
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"
    assert "log in with Facebook again" in browser.response.text


@pytest.mark.parametrize("spoil", [store.revoke_user, store.expire_user])
def test_a_revoked_or_expired_token_means_a_new_login_then_the_view(examples, spoil):
    browser = Browser()
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}")
    first_token = account().access_token
    spoil(ADA.id)
    time.sleep(0.01)  # the next token is issued after the mark
    browser.get(f"{examples}/friends/")
    query = dialog_query(browser)  # the view's Graph call was refused: log in again
    assert query["scope"] == "email,public_profile,user_friends"
    browser.click(f"Continue as {ADA.name}")
    assert (path_of(browser.response.url), browser.response.text) == ("/friends/", FRIENDS)
    assert account().access_token not in ("", first_token)


def test_a_token_past_its_expiry_asks_for_a_login_without_a_graph_call(examples):
    browser = Browser()
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}")
    FacebookAccount.objects.update(token_expires_at="2000-01-01T00:00:00Z")
    faults.inject("*", "500", times=None)  # any Graph call would fail; none is made
    browser.get(f"{examples}/friends/")
    assert dialog_query(browser)["scope"] == "email,public_profile,user_friends"
    faults.clear()


def test_a_permission_facebook_keeps_refusing_is_asked_again_once_only(examples):
    """Granted in the dialog, yet refused by the Graph API (removed on Facebook meanwhile,
    or an App Review missing): asked again once, then error_next, not a loop."""
    browser = Browser()
    browser.get(f"{examples}/friends-lazy/")
    browser.click(f"Continue as {ADA.name}")
    faults.inject("friends", "permission", times=None)
    browser.get(f"{examples}/friends-lazy/")
    assert dialog_query(browser)["auth_type"] == "rerequest"
    browser.click(f"Continue as {ADA.name}")
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"
    assert "still does not give this site the permission" in browser.response.text
    faults.clear()
    browser.get(f"{examples}/friends-lazy/")
    assert browser.response.text == FRIENDS


@pytest.mark.parametrize(
    ("kind", "message"),
    [("500", "Facebook had a temporary problem"), ("rate_limit", "Facebook is busy right now")],
)
def test_a_graph_failure_in_the_view_goes_to_error_next_with_its_message(examples, kind, message):
    browser = Browser()
    browser.get(f"{examples}/friends/")
    browser.click(f"Continue as {ADA.name}")
    faults.inject("friends", kind, times=None)
    browser.get(f"{examples}/friends/")
    faults.clear()
    assert path_of(browser.response.url) == "/privacy/?fb_error_or_cancel=1"
    assert message in browser.response.text
    assert account().access_token  # a failure, not a refusal: the token stays


def test_a_site_that_keeps_no_token_is_told_so(client, settings):
    settings.ROOT_URLCONF = "tests.facebook_required_urls"
    settings.FACEBOOK_STORE_ACCESS_TOKEN = False
    with pytest.raises(ImproperlyConfigured, match="FACEBOOK_STORE_ACCESS_TOKEN"):
        client.get("/friends/")


@pytest.mark.system_independent
def test_the_permissions_are_named_not_passed_as_the_view():
    from django_facebook.decorators import facebook_required

    with pytest.raises(TypeError, match="scope="):
        facebook_required("user_friends")


@pytest.mark.system_independent
def test_the_documentation_shows_the_example_that_runs():
    code = EXAMPLE.read_text()
    body = code.split('"""', 2)[2].strip()  # the example without its docstring
    assert body in DOCS.read_text()
