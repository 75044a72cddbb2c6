"""Property-based proof that no redirect parameter ever sends a person off the site.

Hypothesis draws hostile values (other hosts, scheme-relative `//`, backslashes,
`javascript:`, percent-encoded and Unicode look-alikes, CR/LF and other controls, over-long
values) for every redirect parameter of every action, and the test follows what a browser
would do with the Location header the site answers. EXAMPLES values per test per run.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_facebook import redirects
from django_facebook.redirects import NEXT_PARAMETERS

from .conftest import start_login
from .hypothesis_examples import examples

pytestmark = pytest.mark.slow

EXAMPLES = examples(1000)

PREFIXES = [
    "",
    "/",
    "//",
    "///",
    "\\\\",
    "\\/",
    "/\\",
    "/\\/",
    "http://",
    "https://",
    "http:",
    "http:/",
    "https:\\\\",
    "javascript:",
    "JaVaScRiPt:",
    " javascript:",
    "data:text/html,",
    "mailto:",
    "\t//",
    "\n//",
    " //",
    "\x00//",
    "%2F%2F",
    "/%2F",
    "%5C%5C",
    "\uff0f\uff0f",
    "\uff3c\uff3c",
    "http://testserver@",
    "http://testserver:80@",
    "http://testserver.",
    "https://testserver/",
    "/../",
    "./",
    "?",
    "#",
]
HOSTS = [
    "evil.example",
    "evil.example:443",
    "testserver.evil.example",
    "t\u0435stserver",
    "evil\u3002example",
    "127.0.0.1",
    "[::1]",
    "xn--e1afmkfd.example",
    "evil.example%2F@testserver",
    "@evil.example",
    "\uff45\uff56\uff49\uff4c\uff0e\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45",
]
SUFFIXES = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000), max_size=40)

hostile = st.one_of(
    st.builds(
        lambda p, h, s: p + h + s, st.sampled_from(PREFIXES), st.sampled_from(HOSTS), SUFFIXES
    ),
    st.builds(lambda p, s: p + s, st.sampled_from(PREFIXES), SUFFIXES),
    st.builds(
        lambda p, s: p + "\r\nLocation: https://evil.example/" + s,
        st.sampled_from(["/", ""]),
        SUFFIXES,
    ),
    st.text(min_size=1, max_size=60),
    st.text(alphabet="/\\.:@%a ", min_size=1, max_size=3000),
)


def on_site(location):
    """Where a browser would go with this Location, relative to the callback URL."""
    if re.search(r"[\x00-\x1f\x7f]", location):
        return False  # never sent: the response could not even carry it
    url = location.strip(" ").replace("\\", "/")
    parts = urlsplit(url)
    if parts.scheme:
        return (
            parts.scheme in ("http", "https")
            and url[len(parts.scheme) :].startswith("://")
            and parts.hostname == "testserver"
            and parts.port is None
        )
    target = urlsplit(urljoin("http://testserver/facebook/callback/", url))
    return target.hostname == "testserver" and not url.startswith("//")


@settings(max_examples=EXAMPLES, deadline=None)
@given(key=st.sampled_from(NEXT_PARAMETERS), value=hostile)
def test_next_url_is_always_on_site(key, value):
    request = RequestFactory().get("/", {key: value})
    for keys in (
        ("login_next", "next"),
        ("connect_next", "next"),
        ("register_next", "next"),
        redirects.ERROR_KEYS,
    ):
        assert on_site(redirects.next_url(request, keys))


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(NEXT_PARAMETERS), value=hostile)
def test_error_redirect_through_the_views_is_always_on_site(key, value):
    client = Client()
    state = start_login(client, **{key: value})
    response = client.get(reverse("facebook:callback"), {"state": state, "error": "access_denied"})
    assert response.status_code == 302
    assert on_site(response["Location"])


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES // 4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(NEXT_PARAMETERS), value=hostile)
def test_login_and_register_redirects_are_always_on_site(graph, key, value):
    from django.contrib.auth import get_user_model

    from django_facebook.models import FacebookAccount

    FacebookAccount.objects.all().delete()
    get_user_model().objects.all().delete()
    for _ in ("register", "login"):
        client = Client()
        state = start_login(client, **{key: value})
        response = client.get(reverse("facebook:callback"), {"code": "c", "state": state})
        assert response.status_code == 302
        assert on_site(response["Location"])
        assert "fb_error_or_cancel" not in response["Location"]


def test_the_oracle_itself():
    for off_site in [
        "//evil.example",
        "https://evil.example/",
        "\\\\evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:evil.example",
        "http://testserver@evil.example/",
    ]:
        assert not on_site(off_site), off_site
    for site in ["/", "/a/?b=1", "http://testserver/x", "relative/path", "?x=1"]:
        assert on_site(site), site
