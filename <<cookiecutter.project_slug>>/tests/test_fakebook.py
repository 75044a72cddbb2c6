"""The Facebook stand-in (fakebook) speaks Facebook's protocol, errors and faults included.

These tests need only Django and the fakebook app: they drive the stand-in with Django's
test client as the site's Graph client would (Bearer header, appsecret_proof, POSTed code
exchange), and over real HTTP where a fault is about the connection itself.
"""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from fakebook import faults, store
from fakebook.users import USERS, get_user

pytestmark = [pytest.mark.django_db, pytest.mark.system_independent]

VERSION = "v25.0"
REDIRECT_URI = "http://testserver/facebook/callback/"


def user_named(name):
    return next(user for user in USERS if user.name == name)


ADA = user_named("Ada Lovelace")
GRACE = user_named("Grace Hopper")
ALAN = user_named("Alan Turing")
KATHERINE = user_named("Katherine Johnson")


@pytest.fixture(autouse=True)
def no_faults():
    faults.clear()
    yield
    faults.clear()


# Helpers: what the site's client does.


def dialog_url(**overrides):
    params = {
        "client_id": settings.FACEBOOK_APP_ID,
        "redirect_uri": REDIRECT_URI,
        "state": "the-state",
        "response_type": "code",
        "scope": "email,public_profile",
        **overrides,
    }
    params = {key: value for key, value in params.items() if value is not None}
    return f"{reverse('fakebook:dialog', kwargs={'version': VERSION})}?{urlencode(params)}"


def graph_url(name, **kwargs):
    return reverse(f"fakebook:{name}", kwargs={"version": VERSION, **kwargs})


def choose(client, user, **overrides):
    """Continue as `user` in the dialog; return the redirect's query parameters."""
    response = client.post(dialog_url(**overrides), {"user_id": user.id})
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)


def exchange(client, code, *, redirect_uri=REDIRECT_URI, secret=None, client_id=None):
    data = {
        "client_id": client_id or settings.FACEBOOK_APP_ID,
        "client_secret": secret or settings.FACEBOOK_APP_SECRET,
        "redirect_uri": redirect_uri,
        "code": code,
    }
    return client.post(graph_url("access_token"), data)


def token_for(client, user, scope="email,public_profile"):
    code = choose(client, user, scope=scope)["code"][0]
    response = exchange(client, code)
    assert response.status_code == 200
    return response.json()["access_token"]


def proof(token):
    secret = settings.FACEBOOK_APP_SECRET.encode()
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def me(client, token, fields=None, *, with_proof=True, **params):
    if fields is not None:
        params["fields"] = fields
    if with_proof:
        params.setdefault("appsecret_proof", proof(token))
    return client.get(graph_url("me"), params, HTTP_AUTHORIZATION=f"Bearer {token}")


def app_token():
    return f"{settings.FACEBOOK_APP_ID}|{settings.FACEBOOK_APP_SECRET}"


def exchange_token(client, token):
    """POST fb_exchange_token, as the site trades a short-lived token for a long-lived one."""
    return client.post(
        graph_url("access_token"),
        {
            "grant_type": "fb_exchange_token",
            "client_id": settings.FACEBOOK_APP_ID,
            "client_secret": settings.FACEBOOK_APP_SECRET,
            "fb_exchange_token": token,
        },
    )


def permissions_of(client, token):
    """{permission: status} of /me/permissions for the token."""
    response = client.get(
        graph_url("permissions", user_id="me"),
        {"appsecret_proof": proof(token)},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    return {entry["permission"]: entry["status"] for entry in response.json()["data"]}


def debug(client, input_token):
    return client.get(
        graph_url("debug_token"),
        {"input_token": input_token},
        HTTP_AUTHORIZATION=f"Bearer {app_token()}",
    )


def error_of(response, status=400):
    """The Facebook error object of a response, after checking its shape and trace id."""
    assert response.status_code == status
    error = response.json()["error"]
    assert error["fbtrace_id"] == response["x-fb-trace-id"]
    assert error["type"] in ("OAuthException", "GraphMethodException")
    return error


# The users.


def test_users_have_app_scoped_ids_and_the_documented_cases():
    assert len({user.id for user in USERS}) == len(USERS)
    for user in USERS:
        assert user.id.isdigit() and 15 <= len(user.id) <= 17
        assert user.first_name and user.last_name
        assert get_user(user.id) is user
    assert get_user("1") is None
    assert ADA.email == "ada@example.com"
    assert GRACE.email is None
    assert ALAN.email and "email" not in ALAN.granted(["email"])
    assert ALAN.granted(["email", "public_profile"]) == ["public_profile"]
    assert KATHERINE.granted(["email"]) == ["email", "public_profile"]


def test_the_readme_names_every_test_user():
    readme = (settings.BASE_DIR / "README.md").read_text()
    assert "one of five test people" in readme and len(USERS) == 5
    for user in USERS:
        assert user.name in readme


# The login dialog.


def test_dialog_shows_every_user_a_cancel_button_and_the_failure_form(client):
    response = client.get(dialog_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for user in USERS:
        assert f"Continue as {user.name}" in page
        assert f'value="{user.id}"' in page
    assert ">Cancel<" in page
    assert "csrfmiddlewaretoken" in page
    assert "stand-in" in page
    assert "Simulate a failure" in page
    assert "<script" not in page
    assert "style=" not in page
    assert response["x-fb-trace-id"]


@pytest.mark.parametrize(
    ("overrides", "wording"),
    [
        ({"client_id": "999"}, "Invalid App ID"),
        ({"client_id": None}, "Invalid App ID"),
        ({"redirect_uri": None}, "URL Blocked: This redirect failed"),
        ({"redirect_uri": "/facebook/callback/"}, "URL Blocked"),
        ({"redirect_uri": "javascript:alert(1)"}, "URL Blocked"),
        ({"redirect_uri": "ftp://example.com/"}, "URL Blocked"),
        ({"redirect_uri": "http://exa mple.com/"}, "URL Blocked"),
        ({"response_type": "token"}, "response_type"),
    ],
)
def test_dialog_refuses_bad_parameters_on_get_and_post(client, overrides, wording):
    url = dialog_url(**overrides)
    for response in (client.get(url), client.post(url, {"user_id": ADA.id})):
        assert response.status_code == 400
        assert wording in response.content.decode()


def test_dialog_accepts_a_missing_response_type(client):
    assert client.get(dialog_url(response_type=None)).status_code == 200


def test_choosing_a_user_redirects_with_a_code_and_the_state(client):
    response = client.post(dialog_url(), {"user_id": ADA.id})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert set(query) == {"code", "state"}
    assert query["state"] == ["the-state"]
    assert len(query["code"][0]) > 40


def test_redirect_uri_with_a_query_keeps_it(client):
    query = choose(client, ADA, redirect_uri=f"{REDIRECT_URI}?site=1")
    assert query["site"] == ["1"] and query["state"] == ["the-state"] and query["code"]


def test_dialog_post_for_an_unknown_user_is_refused(client):
    response = client.post(dialog_url(), {"user_id": "123"})
    assert response.status_code == 400


def test_cancel_redirects_with_facebooks_user_denied_parameters(client):
    response = client.post(dialog_url(), {"cancel": "1"})
    assert response.status_code == 302
    location = response["Location"]
    assert location == (
        f"{REDIRECT_URI}?error=access_denied&error_code=200&error_description=Permissions+error"
        "&error_reason=user_denied&state=the-state"
    )


def test_return_scopes_reports_granted_and_denied(client):
    query = choose(client, ALAN, return_scopes="true")
    assert query["granted_scopes"] == ["public_profile"]
    assert query["denied_scopes"] == ["email"]


def test_a_declined_permission_can_be_shared_only_when_asked_again(client):
    assert f'name="share_all" value="{ALAN.id}"' not in client.get(dialog_url()).content.decode()
    page = client.get(dialog_url(auth_type="rerequest", scope="email")).content.decode()
    assert f'name="share_all" value="{ALAN.id}"' in page
    response = client.post(
        dialog_url(auth_type="rerequest", scope="email", return_scopes="true"),
        {"share_all": ALAN.id},
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["granted_scopes"] == ["email,public_profile"]
    assert "denied_scopes" not in query or query["denied_scopes"] == [""]


def test_without_rerequest_sharing_grants_nothing_declined(client):
    response = client.post(dialog_url(return_scopes="true"), {"share_all": ALAN.id})
    assert parse_qs(urlsplit(response["Location"]).query)["denied_scopes"] == ["email"]


def test_unticked_permissions_are_declined_and_not_asked_again(client):
    scope = "email,public_profile,user_birthday"
    page = client.get(dialog_url(scope=scope)).content.decode()
    assert 'name="grant" value="user_birthday" checked' in page
    assert 'value="public_profile"' not in page  # it cannot be declined
    response = client.post(
        dialog_url(scope=scope, return_scopes="true"),
        {"user_id": ADA.id, "choosing": "1", "grant": ["email"]},
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert (query["granted_scopes"], query["denied_scopes"]) == (
        ["email,public_profile"],
        ["user_birthday"],
    )
    # A plain second dialog does not ask again for what was declined, even left ticked...
    again = choose(client, ADA, scope="user_birthday", return_scopes="true")
    assert again["denied_scopes"] == ["user_birthday"]
    # ...but a re-request does; and the token carries what was granted before.
    shared = choose(client, ADA, scope="user_birthday", auth_type="rerequest", return_scopes="true")
    assert shared["granted_scopes"] == ["email,public_profile,user_birthday"]
    token = exchange(client, shared["code"][0]).json()["access_token"]
    assert permissions_of(client, token) == {
        "email": "granted",
        "public_profile": "granted",
        "user_birthday": "granted",
    }


def test_dialog_failure_form_injects_and_clears_faults(client):
    url = dialog_url()
    response = client.post(url, {"fault_endpoint": "me", "fault_kind": "500"})
    assert response.status_code == 302 and response["Location"] == url
    assert faults.pending() == [{"endpoint": "me", "kind": "500", "times": 1}]
    assert "500 on me" in client.get(url).content.decode()
    assert client.post(url, {"fault_endpoint": "me", "fault_kind": "nope"}).status_code == 400
    client.post(url, {"clear_faults": "1"})
    assert faults.pending() == []


# The code-for-token exchange.


def test_a_code_exchanges_once_then_is_used(client):
    code = choose(client, ADA)["code"][0]
    first = exchange(client, code)
    assert first.status_code == 200
    answer = first.json()
    assert answer["token_type"] == "bearer"
    assert answer["expires_in"] == store.SHORT_TOKEN_LIFETIME  # "expiring in hours"
    assert isinstance(answer["access_token"], str) and len(answer["access_token"]) > 20
    assert first["x-fb-trace-id"]

    error = error_of(exchange(client, code))
    assert (error["code"], error["error_subcode"]) == (100, 36009)
    assert error["message"] == "This authorization code has been used."
    second = exchange(client, code)
    assert second["WWW-Authenticate"] == (
        'OAuth "Facebook Platform" "invalid_code" "This authorization code has been used."'
    )


def test_the_exchange_also_works_by_get(client):
    code = choose(client, ADA)["code"][0]
    params = {
        "client_id": settings.FACEBOOK_APP_ID,
        "client_secret": settings.FACEBOOK_APP_SECRET,
        "redirect_uri": REDIRECT_URI,
        "code": code,
    }
    response = client.get(graph_url("access_token"), params)
    assert response.status_code == 200 and response.json()["access_token"]


def test_concurrent_exchanges_of_one_code_have_one_winner(client):
    code = choose(client, ADA)["code"][0]
    results = []
    barrier = threading.Barrier(8)

    def consume():
        barrier.wait()
        results.append(store.consume_code(code))

    threads = [threading.Thread(target=consume) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert error_of(exchange(client, code))["error_subcode"] == 36009


def test_a_different_redirect_uri_is_refused(client):
    code = choose(client, ADA)["code"][0]
    response = exchange(client, code, redirect_uri=f"{REDIRECT_URI}?x=1")
    error = error_of(response)
    assert error["code"] == 100
    assert error["message"].startswith("Error validating verification code. Please make sure")
    assert '"invalid_code"' in response["WWW-Authenticate"]


def test_wrong_app_credentials_are_refused(client):
    code = choose(client, ADA)["code"][0]
    error = error_of(exchange(client, code, secret="not-the-secret"))
    assert (error["code"], error["message"]) == (1, "Error validating client secret.")
    error = error_of(exchange(client, code, client_id="999"))
    assert error["code"] == 101
    # Refused credentials do not use the code up.
    assert exchange(client, code).status_code == 200


def test_missing_and_unknown_codes(client):
    error = error_of(exchange(client, ""))
    assert (error["code"], error["message"]) == (100, "Missing authorization code")
    error = error_of(exchange(client, "AQ-made-up code"))
    assert (error["code"], error["message"]) == (100, "Invalid verification code format.")


def test_an_expired_code_is_refused(client, monkeypatch):
    code = choose(client, ADA)["code"][0]
    later = time.time() + store.CODE_LIFETIME + 1
    monkeypatch.setattr(store, "now", lambda: later)
    error = error_of(exchange(client, code))
    assert (error["code"], error["error_subcode"]) == (100, 36007)
    assert error["message"] == "This authorization code has expired."


# /me.


def test_me_answers_the_requested_fields_with_the_header_token(client):
    token = token_for(client, ADA)
    response = me(client, token, "id,name,first_name,last_name,email,picture")
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"id", "name", "first_name", "last_name", "email", "picture"}
    assert answer["id"] == ADA.id and isinstance(answer["id"], str)
    assert (answer["name"], answer["first_name"], answer["last_name"]) == (
        "Ada Lovelace",
        "Ada",
        "Lovelace",
    )
    assert answer["email"] == "ada@example.com"
    picture = answer["picture"]["data"]
    assert (picture["height"], picture["width"], picture["is_silhouette"]) == (50, 50, False)
    assert picture["url"].startswith("http://testserver/")


def test_me_answers_only_what_was_asked(client):
    token = token_for(client, ADA)
    assert me(client, token).json() == {"id": ADA.id, "name": "Ada Lovelace"}
    assert me(client, token, "first_name").json() == {"first_name": "Ada", "id": ADA.id}


def test_me_accepts_the_token_as_a_parameter_or_an_oauth_header(client):
    token = token_for(client, ADA)
    params = {"fields": "name", "appsecret_proof": proof(token)}
    by_param = client.get(graph_url("me"), {**params, "access_token": token})
    by_oauth = client.get(graph_url("me"), params, HTTP_AUTHORIZATION=f"OAuth {token}")
    assert by_param.json()["name"] == by_oauth.json()["name"] == "Ada Lovelace"


def test_large_picture_and_its_url_serve_an_svg(client):
    token = token_for(client, ADA)
    picture = me(client, token, "picture.type(large)").json()["picture"]["data"]
    assert (picture["width"], picture["height"]) == (200, 200)
    image = client.get(picture["url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert b"AL" in image.content and b'width="200"' in image.content


@pytest.mark.parametrize(("user", "has_email"), [(ADA, True), (GRACE, False), (ALAN, False)])
def test_email_only_when_on_the_profile_and_granted(client, user, has_email):
    answer = me(client, token_for(client, user), "id,name,email").json()
    assert ("email" in answer) is has_email
    assert answer["name"] == user.name


def test_email_omitted_when_not_requested_in_scope(client):
    token = token_for(client, ADA, scope="public_profile")
    assert "email" not in me(client, token, "id,email").json()


def test_proof_is_required_and_checked(client):
    token = token_for(client, ADA)
    error = error_of(me(client, token, "id", with_proof=False))
    assert (error["code"], error["message"]) == (
        100,
        "API calls from the server require an appsecret_proof argument",
    )
    error = error_of(me(client, token, "id", appsecret_proof="0" * 64))
    assert (error["code"], error["type"]) == (100, "GraphMethodException")
    assert error["message"] == "Invalid appsecret_proof provided in the API argument"


def test_time_stamped_proof_is_accepted(client):
    token = token_for(client, ADA)
    stamp = str(int(time.time()))
    secret = settings.FACEBOOK_APP_SECRET.encode()
    timed = hmac.new(secret, f"{token}|{stamp}".encode(), hashlib.sha256).hexdigest()
    response = me(client, token, "id", appsecret_proof=timed, appsecret_time=stamp)
    assert response.json() == {"id": ADA.id}
    stale = str(int(time.time()) - 3600)
    timed = hmac.new(secret, f"{token}|{stale}".encode(), hashlib.sha256).hexdigest()
    assert error_of(me(client, token, "id", appsecret_proof=timed, appsecret_time=stale))


def test_me_without_a_token(client):
    error = error_of(client.get(graph_url("me"), {"fields": "id"}))
    assert error["code"] == 2500
    assert error["message"] == (
        "An active access token must be used to query information about the current user."
    )


def test_me_with_an_unknown_token(client):
    response = me(client, "EAAnot-a-token", "id")
    error = error_of(response)
    assert error["code"] == 190
    assert error["message"].startswith("Error validating access token:")
    assert response["WWW-Authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')


def test_an_expired_token_is_refused(client, monkeypatch):
    token = token_for(client, ADA)
    later = time.time() + store.TOKEN_LIFETIME + 1
    monkeypatch.setattr(store, "now", lambda: later)
    error = error_of(me(client, token, "id"))
    assert (error["code"], error["error_subcode"]) == (190, 463)


def test_unknown_fields_are_refused(client):
    token = token_for(client, ADA)
    error = error_of(me(client, token, "id,birthday"))
    assert error["code"] == 100
    assert error["message"] == (
        "(#100) Tried accessing nonexisting field (birthday) on node type (User)"
    )
    assert error_of(me(client, token, "id,picture{url"))


# debug_token.


def test_debug_token_describes_a_valid_token(client):
    before = int(time.time())
    token = token_for(client, ALAN)
    response = debug(client, token)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["is_valid"] is True
    assert (data["app_id"], data["type"], data["user_id"]) == (
        settings.FACEBOOK_APP_ID,
        "USER",
        ALAN.id,
    )
    assert data["scopes"] == ["public_profile"]
    assert data["application"]
    assert before <= data["issued_at"] <= time.time()
    lifetime = store.SHORT_TOKEN_LIFETIME  # a token from the code exchange
    assert data["expires_at"] == pytest.approx(data["issued_at"] + lifetime, abs=1)


def test_debug_token_with_the_app_token_as_a_parameter(client):
    token = token_for(client, ADA)
    response = client.get(
        graph_url("debug_token"), {"input_token": token, "access_token": app_token()}
    )
    assert response.json()["data"]["scopes"] == ["email", "public_profile"]


def test_debug_token_of_an_invalid_token(client):
    data = debug(client, "EAAmade-up").json()["data"]
    assert data["is_valid"] is False
    assert data["error"]["code"] == 190


def test_debug_token_needs_the_app_token(client):
    token = token_for(client, ADA)
    response = client.get(
        graph_url("debug_token"),
        {"input_token": token},
        HTTP_AUTHORIZATION=f"Bearer {settings.FACEBOOK_APP_ID}|wrong",
    )
    assert error_of(response)["code"] == 190
    response = client.get(
        graph_url("debug_token"), {"input_token": token}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert error_of(response)["code"] == 190


# Pictures.


def test_picture_redirects_to_an_svg_avatar(client):
    response = client.get(graph_url("picture", user_id=GRACE.id), {"type": "normal"})
    assert response.status_code == 302
    image = client.get(response["Location"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    svg = image.content.decode()
    assert svg.startswith("<svg") and ">GH</text>" in svg and 'width="100"' in svg


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("image/jpeg, image/png, image/gif, image/webp", "image/png"),  # a server storing it
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "image/svg+xml"),
        ("", "image/svg+xml"),
    ],
)
def test_avatar_is_a_png_for_whoever_asks_for_raster_only(client, accept, content_type):
    import struct
    import zlib

    location = client.get(graph_url("picture", user_id=GRACE.id), {"type": "large"})["Location"]
    image = client.get(location, HTTP_ACCEPT=accept)
    assert image["Content-Type"] == content_type
    # Accept-Language: LocaleMiddleware's, on every answer of the site.
    assert image["Vary"] == "Accept, Accept-Language"
    if content_type != "image/png":
        return
    data = image.content
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = body
        offset += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBB", chunks[b"IHDR"][:10]) == (200, 200, 8, 2)  # 8-bit RGB
    assert len(zlib.decompress(chunks[b"IDAT"])) == 200 * (1 + 3 * 200)


def test_the_png_avatar_shows_the_initials_of_the_svg(client):
    """The picture a site stores (PNG) shows the initials the SVG shows, "GH" in white."""
    import struct
    import zlib

    from fakebook.pictures import FONT

    location = client.get(graph_url("picture", user_id=GRACE.id), {"type": "large"})["Location"]
    data = client.get(location, HTTP_ACCEPT="image/png").content
    (length,) = struct.unpack(">I", data[33:37])
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + length])
    size, white = 200, b"\xff\xff\xff"
    rows = [raw[y * (1 + 3 * size) + 1 : (y + 1) * (1 + 3 * size)] for y in range(size)]
    ink = [(x, y) for y in range(size) for x in range(size) if rows[y][3 * x : 3 * x + 3] == white]
    xs, ys = [x for x, _ in ink], [y for _, y in ink]
    assert 0 < min(xs) <= max(xs) < size - 1
    assert 0 < min(ys) <= max(ys) < size - 1
    scale = (max(ys) - min(ys) + 1) // 7
    width = (max(xs) - min(xs) + 1) // scale
    drawn = [
        "".join(
            "1" if rows[min(ys) + r * scale + scale // 2][3 * x : 3 * x + 3] == white else "0"
            for x in (min(xs) + c * scale + scale // 2 for c in range(width))
        )
        for r in range(7)
    ]
    expected = ["0".join(FONT[letter].split()[r] for letter in "GH") for r in range(7)]
    assert drawn == expected


@pytest.mark.parametrize("redirect", ["false", "0"])
def test_picture_as_json(client, redirect):
    response = client.get(
        graph_url("picture", user_id=ADA.id), {"type": "large", "redirect": redirect}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["height"], data["width"], data["is_silhouette"]) == (200, 200, False)
    assert client.get(data["url"])["Content-Type"] == "image/svg+xml"


def test_picture_of_an_unknown_user(client):
    assert error_of(client.get(graph_url("picture", user_id="4242")))["code"] == 100


# Revoking: DELETE /{user-id}/permissions.


def test_deleting_permissions_revokes_every_token_of_that_user(client):
    first, second = token_for(client, ADA), token_for(client, ADA)
    other = token_for(client, KATHERINE)
    url = graph_url("permissions", user_id=ADA.id)
    response = client.delete(
        f"{url}?{urlencode({'appsecret_proof': proof(first)})}",
        HTTP_AUTHORIZATION=f"Bearer {first}",
    )
    assert response.status_code == 200
    assert response.json() == {"success": True}
    for token in (first, second):
        error = error_of(me(client, token, "id"))
        assert (error["code"], error["error_subcode"]) == (190, 458)
        assert debug(client, token).json()["data"]["is_valid"] is False
    assert me(client, other, "id").json() == {"id": KATHERINE.id}
    # Logging in again gives a working token.
    assert me(client, token_for(client, ADA), "id").json() == {"id": ADA.id}


def test_only_the_owner_can_delete_permissions(client):
    token = token_for(client, KATHERINE)
    url = graph_url("permissions", user_id=ADA.id)
    response = client.delete(
        f"{url}?{urlencode({'appsecret_proof': proof(token)})}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert error_of(response)["code"] == 100
    assert client.delete(url).status_code == 400


def test_permissions_list_granted_and_declined(client):
    token = token_for(client, ALAN)
    response = client.get(
        graph_url("permissions", user_id="me"),
        {"appsecret_proof": proof(token)},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.json()["data"] == [
        {"permission": "public_profile", "status": "granted"},
        {"permission": "email", "status": "declined"},
    ]


def test_me_answers_the_permissions_edge_as_a_field(client):
    """/me?fields=...,permissions: the profile and the permissions in one round trip."""
    answer = me(client, token_for(client, ALAN), "id,permissions").json()
    assert answer == {
        "id": ALAN.id,
        "permissions": {
            "data": [
                {"permission": "public_profile", "status": "granted"},
                {"permission": "email", "status": "declined"},
            ]
        },
    }


def test_a_short_lived_token_exchanges_for_a_long_lived_one(client):
    short = token_for(client, ADA)
    answer = exchange_token(client, short)
    assert answer.status_code == 200
    long_lived = answer.json()
    assert long_lived["expires_in"] == store.TOKEN_LIFETIME
    assert long_lived["access_token"] != short
    assert permissions_of(client, long_lived["access_token"]) == {
        "email": "granted",
        "public_profile": "granted",
    }


@pytest.mark.parametrize(
    ("spoil", "code", "subcode"),
    [
        (store.expire_user, 190, 463),
        (store.revoke_user, 190, 458),
        (None, 190, 467),
    ],
)
def test_an_expired_revoked_or_unknown_token_does_not_exchange(client, spoil, code, subcode):
    token = token_for(client, ADA)
    if spoil is None:
        token = "EAAnot-a-token"
    else:
        spoil(ADA.id)
    error = error_of(exchange_token(client, token))
    assert (error["code"], error.get("error_subcode")) == (code, subcode)


def test_tokens_expire_or_are_revoked_on_demand_and_new_ones_work(client):
    """What Facebook does unannounced (a security event, a password change), on demand: the
    stand-in's settings page, or store.expire_user / revoke_user."""
    for kind, subcode in (("expire-tokens", 463), ("revoke-tokens", 458)):
        token = token_for(client, ADA)
        page = client.post(reverse("fakebook:app_settings"), {"user_id": ADA.id, "kind": kind})
        assert page.status_code == 200
        assert f"Every token of {ADA.name} has" in page.content.decode()
        error = error_of(me(client, token, "id"))
        assert (error["code"], error["error_subcode"]) == (190, subcode)
        time.sleep(0.01)  # the next token is issued after the mark
        assert me(client, token_for(client, ADA), "id").json() == {"id": ADA.id}


# Paths and methods.


@pytest.mark.parametrize("path", ["graph/v25/me", "graph/25.0/me", "graph/v25.0/nothing/here"])
def test_unknown_paths_and_versions_get_a_json_404(client, path):
    response = client.get(reverse("fakebook:unknown", kwargs={"path": path}))
    assert error_of(response, status=404)["code"] == 2500


def test_graph_calls_need_no_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(graph_url("access_token"), {"client_id": "x"})
    assert error_of(response)["code"] == 101


def test_dialog_post_needs_a_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(dialog_url(), {"user_id": ADA.id}).status_code == 403


def test_wrong_method_is_refused(client):
    assert error_of(client.post(graph_url("me")))["code"] == 100


# Faults.


def test_inject_validates_its_arguments():
    with pytest.raises(ValueError, match="endpoint"):
        faults.inject("dialog", "500")
    with pytest.raises(ValueError, match="kind"):
        faults.inject("me", "explode")
    with pytest.raises(ValueError, match="times"):
        faults.inject("me", "500", times=0)


def test_faults_and_state_are_kept_per_site(client, settings):
    """Baked sites sharing one Redis in CI do not see each other's faults or revocations."""
    faults.inject("me", "500")
    token = token_for(client, ADA)
    settings.BASE_DIR = "/some/other/site"
    assert faults.pending() == []
    assert store.token_status(token) == (None, "unknown")


def test_a_fault_applies_times_then_stops(client):
    token = token_for(client, ADA)
    faults.inject("me", "500", times=2)
    assert me(client, token, "id").status_code == 500
    assert me(client, token, "id").status_code == 500
    assert me(client, token, "id").status_code == 200


def test_a_fault_until_cleared(client):
    token = token_for(client, ADA)
    faults.inject("*", "503", times=None)
    for _ in range(3):
        assert me(client, token, "id").status_code == 503
    assert debug(client, token).status_code == 503
    faults.clear()
    assert me(client, token, "id").status_code == 200


def test_a_fault_only_hits_its_endpoint(client):
    token = token_for(client, ADA)
    faults.inject("debug_token", "500")
    assert me(client, token, "id").status_code == 200
    assert debug(client, token).status_code == 500
    assert debug(client, token).status_code == 200


def test_fault_500_is_facebooks_transient_error(client):
    code = choose(client, ADA)["code"][0]
    faults.inject("token", "500")
    error = error_of(exchange(client, code), status=500)
    assert error == {
        "message": "An unknown error has occurred.",
        "type": "OAuthException",
        "code": 1,
        "is_transient": True,
        "fbtrace_id": error["fbtrace_id"],
    }
    # The failed exchange did not use the code up.
    assert exchange(client, code).status_code == 200


def test_fault_503_is_an_html_page(client):
    faults.inject("token", "503")
    response = exchange(client, "any")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        json.loads(response.content)


@pytest.mark.parametrize(
    ("kind", "code", "message"),
    [
        ("rate_limit", 4, "(#4) Application request limit reached"),
        ("rate_limit_17", 17, "(#17) User request limit reached"),
        ("rate_limit_32", 32, "(#32) Page request limit reached"),
        ("rate_limit_613", 613, "(#613) Calls to this api have exceeded the rate limit."),
    ],
)
def test_rate_limit_faults(client, kind, code, message):
    token = token_for(client, ADA)
    faults.inject("me", kind)
    response = me(client, token, "id")
    error = error_of(response, status=403)
    assert (error["code"], error["message"]) == (code, message)
    assert json.loads(response["X-App-Usage"])["call_count"] == 100


def test_bad_json_fault(client):
    faults.inject("token", "bad_json")
    response = exchange(client, "any")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"access_token": '
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_not_json_fault(client):
    token = token_for(client, ADA)
    faults.inject("me", "not_json")
    response = me(client, token, "id")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.content.startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize(("kind", "subcode"), [("revoked", 460), ("expired", 463)])
def test_token_faults(client, kind, subcode):
    token = token_for(client, ADA)
    faults.inject("me", kind)
    response = me(client, token, "id")
    error = error_of(response)
    assert (error["code"], error["error_subcode"]) == (190, subcode)
    assert error["message"].startswith("Error validating access token:")
    assert '"invalid_token"' in response["WWW-Authenticate"]
    assert me(client, token, "id").status_code == 200


def test_token_faults_never_hit_the_exchange(client):
    faults.inject("*", "revoked")
    code = choose(client, ADA)["code"][0]
    token = exchange(client, code).json()["access_token"]
    assert error_of(me(client, token, "id"))["error_subcode"] == 460


def test_code_used_fault(client):
    code = choose(client, ADA)["code"][0]
    faults.inject("token", "code_used")
    error = error_of(exchange(client, code))
    assert (error["code"], error["error_subcode"]) == (100, 36009)
    assert exchange(client, code).status_code == 200


def test_missing_id_fault(client):
    token = token_for(client, ADA)
    faults.inject("me", "missing_id")
    assert me(client, token, "id,name").json() == {"name": "Ada Lovelace"}


def test_bad_id_fault(client):
    token = token_for(client, ADA)
    faults.inject("me", "bad_id")
    answer = me(client, token, "id,name").json()
    assert answer["id"] == int(ADA.id) and not isinstance(answer["id"], str)


@pytest.mark.slow
def test_timeout_fault_answers_late_but_normally(client, settings):
    settings.FACEBOOK_GRAPH_TIMEOUT = (2.0, 0.2)
    token = token_for(client, ADA)
    faults.inject("me", "timeout")
    started = time.monotonic()
    response = me(client, token, "id")
    assert time.monotonic() - started >= 0.2 + faults.TIMEOUT_MARGIN_SECONDS
    assert response.json() == {"id": ADA.id}


@pytest.mark.slow
@pytest.mark.parametrize("read_timeout", [0.5, 10.0, 30])
def test_timeout_fault_outlasts_the_sites_read_timeout(settings, read_timeout):
    settings.FACEBOOK_GRAPH_TIMEOUT = (3.05, read_timeout)
    assert faults.timeout_delay() >= read_timeout + 1


def test_connection_fault_without_a_socket_is_a_502_page(client):
    faults.inject("debug_token", "connection")
    response = debug(client, "any")
    assert response.status_code == 502
    assert response["Content-Type"].startswith("text/html")


# Faults over real HTTP, where the client's own timeout and connection handling act.


@pytest.fixture
def live_graph(live_server):
    return f"{live_server.url}{graph_url('me')}"


@pytest.mark.django_db(transaction=True)
def test_connection_fault_drops_the_connection(client, live_graph):
    token = token_for(client, ADA)
    faults.inject("me", "connection")
    headers = {"Authorization": f"Bearer {token}"}
    params = {"fields": "id", "appsecret_proof": proof(token)}
    with pytest.raises(requests.ConnectionError):
        requests.get(live_graph, params=params, headers=headers, timeout=5)
    response = requests.get(live_graph, params=params, headers=headers, timeout=5)
    assert response.json() == {"id": ADA.id}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_timeout_fault_trips_the_clients_read_timeout(client, live_server, settings):
    settings.FACEBOOK_GRAPH_TIMEOUT = (2.0, 0.2)
    code = choose(client, ADA)["code"][0]
    faults.inject("token", "timeout")
    data = {
        "client_id": settings.FACEBOOK_APP_ID,
        "client_secret": settings.FACEBOOK_APP_SECRET,
        "redirect_uri": REDIRECT_URI,
        "code": code,
    }
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{live_server.url}{graph_url('access_token')}",
            data=data,
            timeout=settings.FACEBOOK_GRAPH_TIMEOUT,
        )
    # The late exchange still goes through on the server, as at Facebook: the code is used.
    # Waiting for it also keeps the server thread from outliving the test.
    deadline = time.monotonic() + 5
    while not store.code_was_used(code) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert error_of(exchange(client, code))["error_subcode"] == 36009


# The guard that keeps the stand-in out of production.


def test_the_stand_in_refuses_to_load_with_debug_off(settings):
    settings.DEBUG = False
    settings.FAKEBOOK_ALLOW_WITHOUT_DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="DEBUG is off"):
        apps.get_app_config("fakebook").ready()


def test_the_stand_in_loads_with_debug_or_the_explicit_allowance(settings):
    settings.DEBUG = True
    settings.FAKEBOOK_ALLOW_WITHOUT_DEBUG = False
    apps.get_app_config("fakebook").ready()
    settings.DEBUG = False
    settings.FAKEBOOK_ALLOW_WITHOUT_DEBUG = True
    apps.get_app_config("fakebook").ready()


@pytest.mark.own_server
def test_gunicorn_refuses_to_serve_the_stand_in_with_debug_off(tmp_path):
    """Local settings with DEBUG off under gunicorn, which runs no system checks: no worker
    boots and gunicorn exits, where it used to serve the stand-in's dialog."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="false",
        FACEBOOK_APP_SECRET="",  # the stand-in plays Facebook
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    # A socket file of its own: no port another process on this machine could be holding.
    bind = f"--bind=unix:{tmp_path / 'gunicorn.sock'}"
    process = subprocess.Popen(  # noqa: S603 - our own interpreter running gunicorn
        [sys.executable, "-m", "gunicorn", "config.wsgi", bind],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stderr = process.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("gunicorn kept running: it booted a worker serving the stand-in")
    assert process.returncode != 0
    assert "ImproperlyConfigured" in stderr
    assert "The Facebook stand-in (fakebook) is installed while DEBUG is off" in stderr
