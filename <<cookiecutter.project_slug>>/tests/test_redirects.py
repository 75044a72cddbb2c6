"""Redirect resolution: the order of the parameters, and only safe values."""

import pytest
from django.test import RequestFactory

from django_facebook import redirects

pytestmark = pytest.mark.system_independent

factory = RequestFactory()


def request_with(secure=False, **params):
    request = factory.get("/", params, secure=secure)
    return request


@pytest.mark.parametrize(
    ("keys", "params", "expected"),
    [
        (("login_next", "next"), {"login_next": "/a/", "next": "/b/"}, "/a/"),
        (("login_next", "next"), {"next": "/b/"}, "/b/"),
        (("register_next", "next"), {"login_next": "/a/"}, "/"),
        (("error_next", "next"), {"error_next": "/e/", "next": "/b/"}, "/e/"),
        (("connect_next", "next"), {"connect_next": "/c/?x=1"}, "/c/?x=1"),
    ],
)
def test_first_present_key_wins_then_default(keys, params, expected):
    assert redirects.next_url(request_with(**params), keys) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/",
        "\\\\evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        " /leading-space/",
        "/line\r\nbreak/",
        "/tab\there/",
        "/" + "x" * 2001,
        "",
    ],
)
def test_unsafe_values_are_skipped(url):
    request = request_with(next=url, login_next=url)
    assert redirects.next_url(request, ("login_next", "next")) == "/"


def test_unsafe_value_falls_through_to_next_safe_one():
    request = request_with(login_next="//evil.example/", next="/fine/")
    assert redirects.next_url(request, ("login_next", "next")) == "/fine/"


def test_same_host_absolute_url_is_allowed():
    request = request_with(next="http://testserver/x/")
    assert redirects.next_url(request, ("next",)) == "http://testserver/x/"


def test_https_request_refuses_http_target():
    request = request_with(secure=True, next="http://testserver/x/")
    assert redirects.next_url(request, ("next",)) == "/"


def test_default_setting_is_used(settings):
    settings.FACEBOOK_LOGIN_DEFAULT_REDIRECT = "/landing/"
    assert redirects.next_url(request_with(), ("next",)) == "/landing/"


def test_saved_parameters_win_over_query():
    request = request_with(next="/query/")
    request.facebook_next_parameters = {"next": "/saved/"}
    assert redirects.next_url(request, ("next",)) == "/saved/"


def test_add_query_parameters_merges():
    assert redirects.add_query_parameters("/a/?x=1", {"y": 2}) == "/a/?x=1&y=2"
    assert redirects.add_query_parameters("/a/", {}) == "/a/"
