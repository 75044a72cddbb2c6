"""The password side's rate limits (password_limits.py), in every registration system: the
views are found by the URL names the three systems share, the login form by its fields."""

import logging
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse

from config.settings import base as base_settings
from django_facebook import shared_cache
from django_facebook.client_address import client_address

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()
PASSWORD = "right-horse-battery-staple"


@pytest.fixture(autouse=True)
def clock(throttle_clock):
    return throttle_clock


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """The real limits (the test settings lift them for the rest of the suite), and counters
    of this test's own: the test settings' cache is shared by the tests, a prefix each. The
    prefix starts with the session's and a colon, so its keys go with the session's at the
    end (conftest.py), as a session's keys must with a Redis that outlives the run."""
    settings.PASSWORD_RATE_LIMITS = base_settings.PASSWORD_RATE_LIMITS
    default = settings.CACHES["default"]
    prefix = f"{default['KEY_PREFIX']}:limits-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}


@pytest.fixture
def owner():
    return User.objects.create_user("grace", "grace@example.com", PASSWORD)


def log_in(address, username, password, **headers):
    """A password login from `address`; the response (a fresh browser each time)."""
    data = {"username": username, "identification": username, "password": password}
    return Client(REMOTE_ADDR=address, **headers).post(reverse("login"), data)


def logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_wrong_passwords_from_rotating_addresses_are_slowed_then_refused(owner, clock):
    answers = [log_in(f"198.51.100.{i}", "grace", "wrong").status_code for i in range(20)]
    # 5 a minute: the sixth within the minute is refused.
    assert answers[:5] == [200] * 5
    assert answers[5:] == [429] * 15
    refused = log_in("203.0.113.1", "Grace", PASSWORD)
    assert refused.status_code == 429, "the owner too, while the window lasts"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert b"Too many attempts" in refused.content
    # A minute later, the guesser gets 5 more (the long window, 20 in 15 min, is not full).
    clock.now += 60
    later = [log_in(f"198.51.100.{i}", "grace", "wrong").status_code for i in range(7)]
    assert later == [200] * 5 + [429] * 2
    # Past the long window too, the owner logs in from their own address.
    clock.now += 900
    assert logged_in(log_in("203.0.113.1", "grace", PASSWORD))


def test_twenty_failures_fill_the_long_window(owner, clock, settings):
    settings.PASSWORD_RATE_LIMITS = {
        **settings.PASSWORD_RATE_LIMITS,
        "login_failures_per_account": [(5, 60), (20, 900)],
    }
    for _minute in range(4):
        for i in range(5):
            assert log_in(f"198.51.100.{i}", "grace", "wrong").status_code == 200
        clock.now += 60
    refused = log_in("198.51.100.9", "grace", "wrong")
    assert refused.status_code == 429, "20 in a quarter of an hour: refused for the rest of it"
    assert 60 < int(refused["Retry-After"]) <= 900


def test_a_success_clears_the_account_count(owner):
    for i in range(4):
        log_in(f"198.51.100.{i}", "grace", "wrong")
    assert logged_in(log_in("203.0.113.1", "grace", PASSWORD))
    assert [log_in("198.51.100.1", "grace", "wrong").status_code for _ in range(5)] == [200] * 5


def test_one_address_guessing_many_accounts_is_refused(db):
    answers = [log_in("198.51.100.7", f"person{i}", "wrong").status_code for i in range(21)]
    assert answers[:20] == [200] * 20
    assert answers[20] == 429


def test_a_spoofed_forwarded_for_does_not_reset_a_count(settings, owner):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    answers = [
        log_in(
            "10.0.0.2",  # the load balancer
            f"person{i}",
            "wrong",
            # The client writes what it likes on the left; the balancer appends the truth.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.7",
        ).status_code
        for i in range(21)
    ]
    assert answers[20] == 429, "counted as 198.51.100.7 every time"


def test_client_address_believes_only_the_trusted_proxies(settings, rf):
    request = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_address(request) == "198.51.100.7", "no trusted proxy: the peer"
    settings.TRUSTED_PROXIES = ["10.0.0.2", "fd00::/8"]
    assert client_address(request) == "198.51.100.7", "the peer is not a trusted proxy"
    chained = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7, fd00::5"
    )
    assert client_address(chained) == "198.51.100.7"
    junk = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not an address, fd00::5")
    assert client_address(junk) == "not an address", "what the balancer saw, even if odd"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def reset(address, email):
    return Client(REMOTE_ADDR=address).post(reverse("password_reset"), {"email": email})


def test_reset_requests_for_one_email_send_at_most_the_limit(owner, settings):
    limits = settings.PASSWORD_RATE_LIMITS
    settings.PASSWORD_RATE_LIMITS = {**limits, "reset_per_email": [(3, 3600)]}
    answers = [reset(f"198.51.100.{i}", "grace@example.com") for i in range(20)]
    assert len(mail.outbox) == 3
    unknown = [reset(f"198.51.100.{i}", "nobody@example.com") for i in range(20)]
    assert len(mail.outbox) == 3
    seen = {(answer.status_code, answer["Location"]) for answer in answers + unknown}
    assert seen == {(302, reverse("password_reset_done"))}, "one answer for all forty"


def test_reset_floods_from_one_address_are_refused(db):
    answers = [reset("198.51.100.7", f"p{i}@example.com").status_code for i in range(11)]
    assert answers == [302] * 10 + [429]


def test_sign_up_floods_from_one_address_are_refused(db):
    client = Client(REMOTE_ADDR="198.51.100.7")
    answers = [
        client.post(reverse("registration_register"), {"username": f"p{i}"}).status_code
        for i in range(11)
    ]
    assert 429 not in answers[:10]
    assert answers[10] == 429
    assert User.objects.count() == 0, "the invalid forms created nobody"


def test_sign_ups_naming_one_email_are_refused_from_any_address(db):
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{i}")
        .post(reverse("registration_register"), {"email": "grace@example.com"})
        .status_code
        for i in range(4)
    ]
    assert 429 not in answers[:3]
    assert answers[3] == 429


def test_email_changes_are_limited_where_the_system_has_them(db, settings):
    try:
        url = reverse("userena_email_change", args=["grace"])
    except NoReverseMatch:
        pytest.skip("this registration system has no email change of its own")
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(User.objects.create_user("grace", "grace@example.com", PASSWORD))
    answers = [client.post(url, {"email": f"g{i}@example.com"}).status_code for i in range(11)]
    assert answers[10] == 429


def test_activation_resends_are_limited_where_the_system_has_them(db):
    try:
        url = reverse("userena_activate_retry", args=["a" * 40])
    except NoReverseMatch:
        pytest.skip("this registration system resends no activation email")
    answers = [Client(REMOTE_ADDR=f"198.51.100.{i}").get(url).status_code for i in range(4)]
    assert 429 not in answers[:3]
    assert answers[3] == 429, "one sign-up's key, from any address"
    answers = [Client(REMOTE_ADDR="198.51.100.9").get(url[:-2] + f"{i:02d}/") for i in range(6)]
    assert answers[5].status_code == 429, "one address, any key"


class DownCache:
    def __getattr__(self, name):
        def refused(*args, **kwargs):
            raise ConnectionError("refused")

        return refused


def test_with_redis_down_the_limits_hold_per_process(owner, monkeypatch):
    monkeypatch.setattr(shared_cache, "cache", DownCache())
    answers = [log_in(f"198.51.100.{i}", "grace", "wrong").status_code for i in range(6)]
    assert answers == [200] * 5 + [429]


def test_the_log_names_no_email_and_no_password(owner, caplog):
    with caplog.at_level(logging.INFO, logger="security.password_limits"):
        for i in range(6):
            log_in(f"198.51.100.{i}", "grace@example.com", "wrong-secret")
        for _ in range(5):
            reset("198.51.100.9", "grace@example.com")
    text = caplog.text
    assert "Password login failed" in text and "Password limit reached" in text
    for secret in ("grace", "example.com", "wrong-secret", "198.51.100"):
        assert secret not in text
