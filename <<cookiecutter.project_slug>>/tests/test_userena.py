"""django-userena-ce: its own flows on Django 5.2, and sign-ups with Facebook through
Django Facebook's UserenaBackend (account, profile, permissions, mugshot, signals)."""

import re
from io import BytesIO, StringIO

import pytest
import requests
import responses
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sites.models import Site
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from guardian.shortcuts import get_perms
from PIL import Image
from userena import settings as userena_settings
from userena import signals as userena_signals
from userena.models import UserenaSignup

from django_facebook import registration_backends, signals
from django_facebook.models import FacebookAccount
from fakebook.callbacks import signed_request_for

from .browser import Browser, inputs_of, login_with_facebook
from .chromium import RESULTS, assert_email_in_language, sign_up_with_a_password
from .conftest import ADA, facebook_login, logged_in_user, messages_of, signals_sent
from .dev_server import follow_activation_link, sign_up_by_form

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()
PACKAGE = settings.SITE_PACKAGE
PASSWORD = "a-long-passphrase-42"
KATHERINE = "Katherine Johnson"  # one of the stand-in's people (fakebook/users.py)
CDN_PICTURE = "https://scontent.xx.fbcdn.net/v/t1.30497-1/ada.jpg?stp=c0.5&oh=x"
ACTIVATION_RE = re.compile(r"/accounts/activate/(\w{40})/")
CONFIRMATION_RE = re.compile(r"/accounts/confirm-email/(\w{40})/")


def image_bytes(size=(120, 90), image_format="PNG", colour=(24, 119, 242)):
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, image_format)
    return buffer.getvalue()


def make_user(username="grace", email="grace@example.org", password=PASSWORD, **extra):
    """An active userena account, as an activated sign-up by form leaves it."""
    user = UserenaSignup.objects.create_user(username, email, password, True, False)
    for name, value in extra.items():
        setattr(user, name, value)
    user.save()
    return user


def sign_up(client, username="ada", email="ada@example.com", password=PASSWORD, **params):
    data = {"username": username, "email": email, "password1": password, "password2": password}
    url = reverse("userena_signup")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return client.post(url, data)


def sign_in(client, identification, password=PASSWORD, **extra):
    return client.post(
        reverse("login"), {"username": identification, "password": password, **extra}
    )


def backend():
    return registration_backends.get_registration_backend()


def object_permissions(user):
    from guardian.models import UserObjectPermission

    return {
        (row.content_type.model, row.permission.codename)
        for row in UserObjectPermission.objects.filter(user=user).select_related("permission")
    }


def permissions_to_fix():
    """What `manage.py check_permissions` reports (nothing when all is well)."""
    output = StringIO()
    call_command("check_permissions", stdout=output)
    return output.getvalue()


class TestWiring:
    def test_the_sites_backend_is_a_userena_backend(self):
        from django_facebook.registration_backends.userena import UserenaBackend

        assert import_string("django_facebook.registration_backends.UserenaBackend") is (
            UserenaBackend
        )
        site_backend = import_string(settings.FACEBOOK_REGISTRATION_BACKEND)
        assert site_backend.__module__ == f"{PACKAGE}.accounts.backends"
        assert issubclass(site_backend, UserenaBackend)

    @pytest.mark.parametrize(
        ("name", "view"),
        [
            ("login", "signin"),
            ("userena_signin", "signin"),
            ("registration_register", "signup"),
            ("userena_signup", "signup"),
            ("logout", "SignoutView"),
            ("userena_signout", "SignoutView"),
            ("password_change", "password_change_redirect"),
        ],
    )
    def test_djangos_url_names_lead_to_userenas_pages(self, name, view):
        match = resolve(reverse(name))
        assert match.func.__module__ == f"{PACKAGE}.profiles.views"
        assert getattr(match.func, "view_class", match.func).__name__ == view

    def test_userena_names_of_overridden_views_lead_to_the_sites_views(self):
        for name in ("userena_password_change", "userena_email_change", "userena_profile_edit"):
            match = resolve(reverse(name, kwargs={"username": "ada"}))
            assert match.func.__module__ == f"{PACKAGE}.profiles.views", name
        assert reverse("password_reset") == reverse("userena_password_reset")
        assert reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"}) == (
            reverse("userena_password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"})
        )

    def test_no_anonymous_user_is_made(self):
        assert settings.ANONYMOUS_USER_NAME
        assert not User.objects.exists()

    def test_the_site_is_named_from_the_settings(self):
        current = Site.objects.get_current()
        assert (current.domain, current.name) == (settings.SITE_DOMAIN, settings.SITE_NAME[:50])

    def test_gravatar_is_off(self):
        user = make_user()
        assert user.profile.get_mugshot_url() is None


class TestSignUpByForm:
    def test_sign_up_makes_a_userena_account_and_emails_the_activation_link(
        self, client, mailoutbox
    ):
        with signals_sent(userena_signals.signup_complete, signals.user_registered) as sent:
            response = sign_up(client)
        user = User.objects.get()
        assert response["Location"] == reverse(
            "userena_signup_complete", kwargs={"username": "ada"}
        )
        assert not user.is_active
        assert not logged_in_user(client).is_authenticated
        signup = user.userena_signup
        assert not signup.activation_completed
        # guardian answers "none" for an inactive user: the permissions as stored.
        assert object_permissions(user) == {
            ("profile", "change_profile"),
            ("profile", "delete_profile"),
            ("profile", "view_profile"),
            ("user", "change_user"),
            ("user", "delete_user"),
        }
        assert [signal for signal, _ in sent] == [
            userena_signals.signup_complete,
            signals.user_registered,
        ]
        assert all(kwargs["user"] == user for _, kwargs in sent)
        (mail,) = mailoutbox
        assert mail.to == ["ada@example.com"]
        assert settings.SITE_NAME in mail.subject
        assert ACTIVATION_RE.search(mail.body).group(1) == signup.activation_key
        html = client.get(response["Location"]).content.decode()
        assert "Check your email" in html and "ada@example.com" in html

    def test_activation_asks_for_a_click_then_logs_in(self, client, mailoutbox):
        sign_up(client)
        path = ACTIVATION_RE.search(mailoutbox[0].body).group(0)
        html = client.get(path)
        assert html.status_code == 200
        assert "Activate my account" in html.content.decode()
        assert not User.objects.get().is_active  # a link preview activates nothing
        with signals_sent(userena_signals.activation_complete) as sent:
            response = client.post(path)
        user = User.objects.get()
        assert response["Location"] == reverse("userena_profile_detail", args=["ada"])
        assert user.is_active
        assert user.userena_signup.activation_completed
        assert logged_in_user(client) == user
        assert sent[0][1]["user"] == user
        assert permissions_to_fix() == ""

    def test_a_bad_or_expired_activation_key_fails(self, client, mailoutbox):
        bad = client.post(reverse("userena_activate", args=["x" * 40]))
        assert "does not work" in bad.content.decode()
        sign_up(client)
        User.objects.update(date_joined=timezone.now() - timezone.timedelta(days=8))
        expired = client.post(ACTIVATION_RE.search(mailoutbox[0].body).group(0))
        assert "does not work" in expired.content.decode()
        assert not User.objects.get().is_active

    @pytest.mark.parametrize(
        ("username", "password", "error"),
        [
            ("ada", "12345678", "too common"),
            ("login", PASSWORD, "not allowed"),
            ("profile", PASSWORD, "not allowed"),
            ("ADA.L", PASSWORD, "already taken"),
        ],
    )
    def test_sign_up_rules(self, client, username, password, error):
        make_user("ada.l", "other@example.org")
        response = sign_up(client, username=username, password=password)
        assert response.status_code == 200
        assert error in response.content.decode()
        assert User.objects.count() == 1

    def test_taken_email_is_refused(self, client):
        make_user("grace", "ada@example.com")
        response = sign_up(client, email="ADA@example.com")
        assert "already in use" in response.content.decode()

    def test_closed_registration_refuses_the_form_and_facebook(self, client, graph, settings):
        settings.REGISTRATION_OPEN = False
        assert client.get(reverse("userena_signup")).status_code == 403
        assert sign_up(client).status_code == 403
        response = facebook_login(client)
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert "closed" in messages_of(response)[0]
        assert not User.objects.exists()

    def test_disabled_signup_closes_facebook_sign_ups_too(self, client, graph, monkeypatch):
        monkeypatch.setattr(userena_settings, "USERENA_DISABLE_SIGNUP", True)
        assert sign_up(client).status_code == 403
        response = facebook_login(client)
        assert response["Location"] == "/?fb_error_or_cancel=1"
        assert not User.objects.exists()

    def test_without_activation_the_new_user_is_welcomed(self, client, monkeypatch, mailoutbox):
        monkeypatch.setattr(userena_settings, "USERENA_ACTIVATION_REQUIRED", False)
        monkeypatch.setattr(userena_settings, "USERENA_SIGNIN_AFTER_SIGNUP", True)
        response = sign_up(client, register_next="/privacy/")
        assert response["Location"] == "/privacy/"
        assert logged_in_user(client).username == "ada"
        assert mailoutbox == []

    def test_a_logged_in_person_is_sent_to_their_account(self, client):
        client.force_login(make_user())
        assert client.get(reverse("userena_signup"))["Location"] == reverse("accounts:profile")


class TestSignIn:
    @pytest.mark.parametrize("identification", ["grace", "GRACE", "grace@example.org"])
    def test_by_username_or_email(self, client, identification):
        user = make_user()
        with signals_sent(userena_signals.account_signin) as sent:
            response = sign_in(client, identification)
        assert response["Location"] == "/accounts/grace/"  # USERENA_SIGNIN_REDIRECT_URL
        assert logged_in_user(client) == user
        assert sent[0][1]["user"] == user

    def test_the_form_uses_djangos_field_names(self, client):
        html = client.get(reverse("login")).content.decode()
        assert 'name="username"' in html and 'name="password"' in html
        assert "identification" not in html
        assert 'autocomplete="username"' in html

    def test_wrong_password(self, client):
        make_user()
        response = sign_in(client, "grace", "wrong")
        assert response.status_code == 200
        assert "correct username or email" in response.content.decode()
        assert not logged_in_user(client).is_authenticated

    def test_a_facebook_sign_up_has_no_password_to_sign_in_with(self, client, graph):
        facebook_login(client)
        client.logout()
        assert sign_in(client, "ada.lovelace", "").status_code == 200
        assert not logged_in_user(client).is_authenticated

    def test_pending_activation(self, client):
        sign_up(client)
        response = sign_in(client, "ada")
        assert response["Location"] == reverse("userena_activate_pending", args=["ada"])
        assert "not active yet" in client.get(response["Location"]).content.decode()

    def test_pending_activation_with_a_wrong_password_is_not_told(self, client):
        """Whether an account exists, and waits, is told only to its right password."""
        sign_up(client)

        response = sign_in(client, "ada", "wrong-password-42")

        assert response.status_code == 200
        html = response.content.decode()
        assert "correct username or email" in html
        assert "not active" not in html
        assert not logged_in_user(client).is_authenticated

    def test_safe_next_is_followed_and_unsafe_is_not(self, client):
        make_user()
        assert sign_in(client, "grace", next="/privacy/")["Location"] == "/privacy/"
        client.logout()
        for unsafe in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
            assert sign_in(client, "grace", next=unsafe)["Location"] == "/accounts/grace/"

    def test_next_in_the_query_string(self, client):
        make_user()
        response = client.post(
            reverse("login") + "?next=/privacy/", {"username": "grace", "password": PASSWORD}
        )
        assert response["Location"] == "/privacy/"

    def test_remember_me(self, client):
        make_user()
        sign_in(client, "grace", remember_me="on")
        assert client.session.get_expiry_age() == 30 * 86400
        client.logout()
        sign_in(client, "grace")
        assert client.session.get_expire_at_browser_close()

    def test_a_deactivated_user_is_logged_out(self, client):
        user = make_user()
        sign_in(client, "grace")
        User.objects.filter(pk=user.pk).update(is_active=False)
        assert not logged_in_user(client).is_authenticated


class TestSignOut:
    def test_post_logs_out_with_a_message_and_userenas_signal(self, client):
        user = make_user()
        client.force_login(user)
        with signals_sent(userena_signals.account_signout) as sent:
            response = client.post(reverse("logout"))
        assert response["Location"] == reverse("home")
        assert not logged_in_user(client).is_authenticated
        assert messages_of(response) == ["You have been logged out."]
        assert sent[0][1]["user"] == user

    def test_get_does_not_log_out(self, client):
        client.force_login(make_user())
        assert client.get(reverse("userena_signout")).status_code == 405
        assert logged_in_user(client).is_authenticated


class TestProfiles:
    @pytest.mark.parametrize(
        ("privacy", "viewer", "status"),
        [
            ("open", None, 200),
            ("registered", None, 403),
            ("registered", "other", 200),
            ("closed", None, 403),
            ("closed", "other", 403),
            ("closed", "owner", 200),
            ("closed", "superuser", 200),
        ],
    )
    def test_privacy(self, client, privacy, viewer, status):
        owner = make_user(first_name="Grace", last_name="Hopper")
        owner.profile.privacy = privacy
        owner.profile.save()
        viewers = {
            "owner": owner,
            "other": make_user("alan", "alan@example.org"),
            "superuser": User.objects.create_superuser("root", "root@example.org", PASSWORD),
        }
        if viewer:
            client.force_login(viewers[viewer])
        response = client.get(reverse("userena_profile_detail", args=["grace"]))
        assert response.status_code == status
        if status == 200:
            assert "Grace Hopper" in response.content.decode()

    @pytest.mark.parametrize(
        ("names", "header"),
        [
            ({}, ["grace"]),
            ({"first_name": "Grace"}, ["Grace", "grace"]),
            ({"first_name": "Grace", "last_name": "Hopper"}, ["Grace Hopper", "grace"]),
        ],
    )
    def test_the_header_names_the_person_once(self, client, names, header):
        """The full name, then the username under it; the username once, without a name."""
        client.force_login(make_user(**names))

        html = client.get(reverse("userena_profile_detail", args=["grace"])).content.decode()

        block = html[html.index('<div class="page-header">') : html.index('<div class="stack">')]
        texts = [text.strip() for text in re.split(r"<[^>]+>", block) if text.strip()]
        # The first text is the mugshot's stand-in, the name's initial.
        assert texts[1:] == header

    def test_the_email_shows_to_its_owner_only(self, client):
        owner = make_user()
        client.force_login(make_user("alan", "alan@example.org"))
        assert "grace@example.org" not in client.get("/accounts/grace/").content.decode()
        client.force_login(owner)
        html = client.get("/accounts/grace/").content.decode()
        assert "grace@example.org" in html
        assert reverse("userena_profile_edit", args=["grace"]) in html

    def test_owner_edits_names_words_and_privacy(self, client):
        user = make_user()
        client.force_login(user)
        html = client.get(reverse("userena_profile_edit", args=["grace"]))
        assert html.status_code == 200
        with signals_sent(userena_signals.profile_change) as sent:
            response = client.post(
                reverse("userena_profile_edit", args=["grace"]),
                {
                    "first_name": "Grace",
                    "last_name": "Hopper",
                    "about_me": "COBOL.",
                    "privacy": "closed",
                },
            )
        assert response["Location"] == reverse("userena_profile_detail", args=["grace"])
        user.refresh_from_db()
        assert (user.get_full_name(), user.profile.about_me, user.profile.privacy) == (
            "Grace Hopper",
            "COBOL.",
            "closed",
        )
        assert sent[0][1]["user"] == user

    def test_others_cannot_edit_and_visitors_are_asked_to_log_in(self, client):
        make_user()
        edit = reverse("userena_profile_edit", args=["grace"])
        assert client.get(edit)["Location"].startswith(reverse("login"))
        client.force_login(make_user("alan", "alan@example.org"))
        assert client.get(edit).status_code == 403
        assert client.post(edit, {"privacy": "open"}).status_code == 403

    def test_mugshot_upload_is_resized_and_served_by_privacy(self, client):
        user = make_user()
        client.force_login(user)
        upload = SimpleUploadedFile("me.png", image_bytes((300, 200)), "image/png")
        response = client.post(
            reverse("userena_profile_edit", args=["grace"]),
            {"privacy": "registered", "mugshot": upload},
        )
        assert response.status_code == 302
        profile = user.profile.__class__.objects.get(user=user)
        with Image.open(profile.mugshot.open("rb")) as image:
            assert image.size == (80, 80)
        url = profile.get_mugshot_url()
        html = client.get(reverse("userena_profile_detail", args=["grace"])).content.decode()
        assert f'src="{url}"' in html.replace("&amp;", "&")
        served = client.get(url)
        assert served.status_code == 200
        assert served["Content-Type"] in ("image/jpeg", "image/png")
        assert served["Cache-Control"] == "private, max-age=3600"
        client.logout()
        assert client.get(url).status_code == 404
        profile.privacy = "open"
        profile.save()
        assert client.get(url).status_code == 200

    def test_upload_that_is_not_an_image_or_too_large_is_refused(self, client, monkeypatch):
        from importlib import import_module

        user = make_user()
        client.force_login(user)
        edit = reverse("userena_profile_edit", args=["grace"])
        text = SimpleUploadedFile("me.png", b"not an image", "image/png")
        response = client.post(edit, {"privacy": "open", "mugshot": text})
        assert response.status_code == 200
        assert "valid image" in response.content.decode()
        monkeypatch.setattr(import_module(f"{PACKAGE}.profiles.forms"), "MUGSHOT_MAX_BYTES", 10)
        image = SimpleUploadedFile("me.png", image_bytes(), "image/png")
        response = client.post(edit, {"privacy": "open", "mugshot": image})
        assert "at most" in response.content.decode()
        assert not user.profile.__class__.objects.get(user=user).mugshot

    def test_profile_list_shows_what_the_viewer_may_see(self, client):
        for name, privacy in [("open", "open"), ("members", "registered"), ("hidden", "closed")]:
            user = make_user(name, f"{name}@example.org")
            user.profile.privacy = privacy
            user.profile.save()
        html = client.get(reverse("userena_profile_list")).content.decode()
        assert "/accounts/open/" in html and "/accounts/members/" not in html
        client.force_login(User.objects.get(username="open"))
        html = client.get(reverse("userena_profile_list")).content.decode()
        assert "/accounts/members/" in html and "/accounts/hidden/" not in html


class TestInputs:
    def test_sign_up_asks_for_an_email_and_a_new_password(self, client):
        inputs = inputs_of(client.get(reverse("userena_signup")).content.decode())

        assert inputs["email"]["type"] == "email"
        names = ("username", "email", "password1", "password2")
        assert {name: inputs[name].get("autocomplete") for name in names} == {
            "username": "username",
            "email": "email",
            "password1": "new-password",
            "password2": "new-password",
        }

    def test_a_sign_up_by_form_still_works(self, client, mailoutbox):
        response = sign_up(client)

        assert response.status_code == 302
        assert User.objects.get().email == "ada@example.com"
        assert sign_up(client, "ada2", "not-an-address").status_code == 200

    def test_email_change_asks_for_an_email(self, client):
        client.force_login(make_user())

        html = client.get(reverse("userena_email_change", args=["grace"])).content.decode()

        email = inputs_of(html)["email"]
        assert (email["type"], email.get("autocomplete")) == ("email", "email")


class TestEmailChange:
    def test_change_is_confirmed_by_the_new_address(self, client, mailoutbox):
        user = make_user()
        client.force_login(user)
        with signals_sent(userena_signals.email_change) as sent:
            response = client.post(
                reverse("userena_email_change", args=["grace"]), {"email": "grace@new.example"}
            )
        assert response["Location"] == reverse("userena_email_change_complete", args=["grace"])
        assert "grace@new.example" in client.get(response["Location"]).content.decode()
        assert sent[0][1]["user"] == user
        assert sorted(mail.to[0] for mail in mailoutbox) == [
            "grace@example.org",
            "grace@new.example",
        ]
        new = next(mail for mail in mailoutbox if mail.to == ["grace@new.example"])
        user.refresh_from_db()
        assert user.email == "grace@example.org"  # until confirmed
        with signals_sent(userena_signals.confirmation_complete) as confirmed:
            response = client.get(CONFIRMATION_RE.search(new.body).group(0))
        user.refresh_from_db()
        assert user.email == "grace@new.example"
        assert confirmed[0][1]["old_email"] == "grace@example.org"
        assert response["Location"] == reverse("userena_email_confirm_complete", args=["grace"])
        client.logout()
        assert sign_in(client, "grace@new.example")["Location"] == "/accounts/grace/"

    def test_taken_address_and_bad_link(self, client):
        make_user("alan", "alan@example.org")
        client.force_login(make_user())
        response = client.post(
            reverse("userena_email_change", args=["grace"]), {"email": "ALAN@example.org"}
        )
        assert "already in use" in response.content.decode()
        response = client.get(reverse("userena_email_confirm", args=["y" * 40]))
        assert "does not work" in response.content.decode()


class TestPasswordChange:
    def test_change_keeps_the_session(self, client):
        user = make_user()
        sign_in(client, "grace")
        with signals_sent(userena_signals.password_complete) as sent:
            response = client.post(
                reverse("userena_password_change", args=["grace"]),
                {
                    "old_password": PASSWORD,
                    "new_password1": "another-passphrase-43",
                    "new_password2": "another-passphrase-43",
                },
            )
        assert response["Location"] == reverse("userena_password_change_complete", args=["grace"])
        user.refresh_from_db()
        assert user.check_password("another-passphrase-43")
        assert logged_in_user(client) == user
        assert sent[0][1]["user"] == user

    def test_facebook_sign_up_sets_a_first_password(self, client, graph):
        facebook_login(client)
        user = User.objects.get()
        url = reverse("userena_password_change", args=[user.username])
        assert "Set a password" in client.get(url).content.decode()
        new = "another-passphrase-43"
        client.post(url, {"new_password1": new, "new_password2": new})
        user.refresh_from_db()
        assert user.check_password("another-passphrase-43")
        assert logged_in_user(client) == user

    def test_djangos_password_change_name_leads_to_ones_own_page(self, client):
        assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))
        client.force_login(make_user())
        response = client.get(reverse("password_change"))
        assert response["Location"] == reverse("userena_password_change", args=["grace"])
        client.force_login(make_user("alan", "alan@example.org"))
        assert client.get(reverse("userena_password_change", args=["grace"])).status_code == 403


def test_password_reset(client, mailoutbox):
    user = make_user()
    response = client.post(reverse("password_reset"), {"email": "grace@example.org"})
    assert response["Location"] == reverse("userena_password_reset_done")
    (mail,) = mailoutbox
    assert settings.SITE_NAME in mail.subject
    link = re.search(r"http://[^/]+(/accounts/password/reset/confirm/\S+/)", mail.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "another-passphrase-43", "new_password2": "another-passphrase-43"},
    )
    assert response["Location"] == reverse("userena_password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("another-passphrase-43")


class TestCheckPermissions:
    def test_nothing_to_fix_for_every_way_a_user_is_made(self, client, graph, mailoutbox):
        sign_up(client, "form", "form@example.org")
        client.post(ACTIVATION_RE.search(mailoutbox[0].body).group(0))
        client.logout()
        facebook_login(client)
        make_user("made", "made@example.org")
        User.objects.create_user("plain", "plain@example.org", PASSWORD)
        call_command("createsuperuser", interactive=False, username="root", email="r@example.org")
        assert User.objects.count() == 5
        assert permissions_to_fix() == ""

    def test_it_would_say_when_something_is_wrong(self):
        from guardian.models import UserObjectPermission

        make_user()
        UserObjectPermission.objects.all().delete()
        assert "Changed permissions for user: grace" in permissions_to_fix()
        assert permissions_to_fix() == ""


class TestFacebookSignUp:
    def test_account_is_userenas_and_active_at_once(self, client, graph):
        watched = (
            userena_signals.signup_complete,
            signals.user_registered,
            signals.facebook_user_registered,
        )
        with signals_sent(*watched) as sent:
            response = facebook_login(client)
        user = User.objects.get()
        assert response["Location"] == reverse("accounts:welcome")
        assert user.is_active and not user.has_usable_password()
        assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
        assert user.userena_signup.activation_completed
        assert sorted(get_perms(user, user.profile)) == [
            "change_profile",
            "delete_profile",
            "view_profile",
        ]
        assert [signal for signal, _ in sent] == list(watched)
        assert logged_in_user(client) == user
        assert permissions_to_fix() == ""
        html = client.get(reverse("userena_profile_detail", args=[user.username]))
        assert "Ada Lovelace" in html.content.decode()

    def test_the_documented_backend_path_works_as_the_setting(self, client, graph, settings):
        settings.FACEBOOK_REGISTRATION_BACKEND = (
            "django_facebook.registration_backends.UserenaBackend"
        )
        response = facebook_login(client, register_next="/privacy/")
        assert response["Location"] == "/privacy/"
        assert User.objects.get().userena_signup.activation_completed

    def test_facebook_picture_becomes_the_mugshot(
        self, client, graph, django_capture_on_commit_callbacks
    ):
        graph.profile["picture"] = {"data": {"url": CDN_PICTURE}}
        jpeg = image_bytes((200, 200), "JPEG")
        picture = graph.mock.add(responses.GET, CDN_PICTURE, body=jpeg, content_type="image/jpeg")
        with django_capture_on_commit_callbacks(execute=True):
            facebook_login(client)
        profile = User.objects.get().profile
        assert profile.mugshot and profile.has_facebook_mugshot
        with Image.open(profile.mugshot.open("rb")) as image:
            assert image.size == (80, 80)
        assert picture.call_count == 1
        accept = graph.mock.calls[-1].request.headers["Accept"]
        assert "image/jpeg" in accept and "svg" not in accept
        assert client.get(profile.get_mugshot_url()).status_code == 200

    def test_redirect_within_facebooks_hosts_is_followed(
        self, client, graph, django_capture_on_commit_callbacks
    ):
        lookaside = "https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=1"
        graph.profile["picture"] = {"data": {"url": lookaside}}
        graph.mock.add(responses.GET, lookaside, status=302, headers={"Location": CDN_PICTURE})
        graph.mock.add(responses.GET, CDN_PICTURE, body=image_bytes(), content_type="image/png")
        with django_capture_on_commit_callbacks(execute=True):
            facebook_login(client)
        assert User.objects.get().profile.has_facebook_mugshot

    @pytest.mark.parametrize(
        "answer",
        [
            {"status": 404, "body": "nope", "content_type": "text/plain"},
            {"status": 500, "body": "", "content_type": "image/jpeg"},
            {"body": "<html></html>", "content_type": "text/html"},
            {"body": "<svg/>", "content_type": "image/svg+xml"},
            {"body": b"\xff\xd8 not really", "content_type": "image/jpeg"},
            {"body": b"x", "content_type": "image/jpeg", "headers": {"Content-Length": "9" * 9}},
            {"body": requests.ConnectTimeout("slow")},
            {"body": requests.ConnectionError("refused")},
            {"status": 302, "headers": {"Location": "http://169.254.169.254/latest/"}},
            {"status": 302, "headers": {"Location": CDN_PICTURE}},  # a redirect loop
        ],
    )
    def test_no_picture_never_fails_the_login(
        self, client, graph, django_capture_on_commit_callbacks, answer, caplog
    ):
        graph.profile["picture"] = {"data": {"url": CDN_PICTURE}}
        graph.mock.add(responses.GET, CDN_PICTURE, **answer)
        with django_capture_on_commit_callbacks(execute=True):
            response = facebook_login(client)
        user = User.objects.get()
        assert response["Location"] == reverse("accounts:welcome")
        assert logged_in_user(client) == user
        assert not user.profile.mugshot
        assert "Facebook picture not stored" in caplog.text

    @pytest.mark.parametrize("limit", ["picture_max_pixels", "picture_deadline"])
    def test_too_many_pixels_or_too_slow(
        self, client, graph, django_capture_on_commit_callbacks, monkeypatch, limit
    ):
        from django_facebook.registration_backends.userena import UserenaBackend

        monkeypatch.setattr(UserenaBackend, limit, -1)
        graph.profile["picture"] = {"data": {"url": CDN_PICTURE}}
        graph.mock.add(responses.GET, CDN_PICTURE, body=image_bytes(), content_type="image/png")
        with django_capture_on_commit_callbacks(execute=True):
            facebook_login(client)
        assert not User.objects.get().profile.mugshot

    @pytest.mark.parametrize(
        "url",
        [
            "https://example.com/ada.jpg",
            "http://scontent.xx.fbcdn.net/ada.jpg",
            "https://fbcdn.net.evil.example/ada.jpg",
            "https://evilfbcdn.net/ada.jpg",
        ],
    )
    def test_pictures_are_fetched_from_facebooks_hosts_only(
        self, client, graph, django_capture_on_commit_callbacks, url
    ):
        graph.profile["picture"] = {"data": {"url": url}}
        with django_capture_on_commit_callbacks(execute=True):
            facebook_login(client)
        assert graph.calls == 2  # the code exchange and /me: no picture request
        assert not User.objects.get().profile.mugshot

    def test_a_rolled_back_sign_up_fetches_no_picture(
        self, client, graph, django_capture_on_commit_callbacks
    ):
        graph.profile["picture"] = {"data": {"url": CDN_PICTURE}}
        # Another sign-up took the Facebook id meanwhile: this one rolls back and logs in.
        other = make_user("ada.lovelace", "other@example.org")
        FacebookAccount.objects.create(user=other, facebook_id=ADA["id"])
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            facebook_login(client)
        assert callbacks == []
        assert graph.calls == 2

    def test_activation_by_email_when_required(
        self, client, graph, settings, mailoutbox, django_capture_on_commit_callbacks
    ):
        settings.FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION = True
        with django_capture_on_commit_callbacks(execute=True):
            response = facebook_login(client)
        user = User.objects.get()
        assert not user.is_active
        assert response["Location"] == reverse("userena_signup_complete", args=[user.username])
        assert not logged_in_user(client).is_authenticated
        (mail,) = mailoutbox
        assert ACTIVATION_RE.search(mail.body)
        again = facebook_login(client)
        assert again["Location"] == "/?fb_error_or_cancel=1"
        assert "not active yet" in messages_of(again)[0]
        client.post(ACTIVATION_RE.search(mail.body).group(0))
        client.logout()
        assert facebook_login(client, login_next="/privacy/")["Location"] == "/privacy/"

    def test_email_of_an_account_awaiting_activation(self, client, graph, mailoutbox):
        sign_up(client, "ada", ADA["email"])
        response = facebook_login(client)
        assert "waiting to be activated" in messages_of(response)[0]
        assert User.objects.count() == 1

    def test_a_forbidden_name_asks_to_complete_the_account(self, client, graph):
        graph.profile["name"] = "Profile"
        response = facebook_login(client)
        assert response["Location"] == reverse("facebook:complete_registration")
        assert "not allowed" in client.get(response["Location"]).content.decode()
        response = client.post(response["Location"], {"username": "ada", "email": ADA["email"]})
        assert response["Location"] == reverse("accounts:welcome")

    def test_login_and_connect_honour_their_parameters(self, client, graph):
        facebook_login(client)
        client.logout()
        assert facebook_login(client, login_next="/privacy/", next="/")["Location"] == "/privacy/"
        client.logout()
        client.force_login(make_user())
        FacebookAccount.objects.all().delete()
        response = facebook_login(client, connect_next="/privacy/", next="/")
        assert response["Location"] == "/privacy/"
        assert FacebookAccount.objects.get().user.username == "grace"


class TestFacebookDataLeaves:
    @pytest.fixture
    def ada(self, client, graph, django_capture_on_commit_callbacks):
        """Ada, signed up with Facebook, her Facebook picture as mugshot, with a password."""
        graph.profile["picture"] = {"data": {"url": CDN_PICTURE}}
        graph.mock.add(responses.GET, CDN_PICTURE, body=image_bytes(), content_type="image/png")
        with django_capture_on_commit_callbacks(execute=True):
            facebook_login(client)
        user = User.objects.get()
        user.set_password(PASSWORD)
        user.save()
        client.force_login(user)
        return user

    def mugshot_after(self, user, capture, action):
        name = user.profile.mugshot.name
        assert default_storage.exists(name)
        with capture(execute=True):
            action()
        user.profile.refresh_from_db()
        return name, user.profile

    def test_disconnect_deletes_the_facebook_mugshot(
        self, client, ada, django_capture_on_commit_callbacks
    ):
        name, profile = self.mugshot_after(
            ada,
            django_capture_on_commit_callbacks,
            lambda: client.post(reverse("facebook:disconnect")),
        )
        assert not profile.mugshot and not profile.facebook_mugshot
        assert not default_storage.exists(name)

    def test_data_deletion_deletes_the_facebook_mugshot(
        self, client, ada, django_capture_on_commit_callbacks
    ):
        name, profile = self.mugshot_after(
            ada,
            django_capture_on_commit_callbacks,
            lambda: client.post(
                reverse("facebook:data_deletion"),
                {"signed_request": signed_request_for(ADA["id"])},
            ),
        )
        assert not FacebookAccount.objects.exists()
        assert not profile.mugshot
        assert not default_storage.exists(name)

    def test_an_uploaded_mugshot_replaces_the_facebook_file_and_stays(
        self, client, ada, django_capture_on_commit_callbacks
    ):
        upload = SimpleUploadedFile("me.png", image_bytes(colour=(1, 2, 3)), "image/png")
        name, profile = self.mugshot_after(
            ada,
            django_capture_on_commit_callbacks,
            lambda: client.post(
                reverse("userena_profile_edit", args=[ada.username]),
                {"privacy": "registered", "mugshot": upload},
            ),
        )
        assert not default_storage.exists(name)
        assert profile.mugshot and not profile.has_facebook_mugshot
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("facebook:disconnect"))
        profile.refresh_from_db()
        assert profile.mugshot and default_storage.exists(profile.mugshot.name)


class TestPages:
    """Every userena page renders in the site's layout."""

    def test_public_pages(self, client):
        for name in ("login", "userena_signup", "password_reset", "userena_profile_list"):
            html = client.get(reverse(name))
            assert html.status_code == 200, name
            assert 'class="site-header"' in html.content.decode(), name

    def test_pages_of_a_signed_in_person(self, client):
        user = make_user()
        client.force_login(user)
        for name in (
            "userena_profile_detail",
            "userena_profile_edit",
            "userena_email_change",
            "userena_password_change",
            "userena_password_change_complete",
            "userena_email_change_complete",
            "userena_email_confirm_complete",
            "userena_signup_complete",
        ):
            html = client.get(reverse(name, args=["grace"]))
            assert html.status_code == 200, name
            assert 'class="site-header"' in html.content.decode(), name
        nav = client.get("/").content.decode()
        assert 'href="/accounts/grace/"' in nav

    def test_admin_pages(self, client):
        user = make_user()
        client.force_login(User.objects.create_superuser("root", "root@example.org", PASSWORD))
        profile_id = user.profile.pk
        for url in (
            reverse("admin:accounts_user_changelist"),
            reverse("admin:accounts_user_change", args=[user.pk]),
            reverse("admin:accounts_user_permissions", args=[user.pk]),
            reverse("admin:profiles_profile_changelist"),
            reverse("admin:profiles_profile_change", args=[profile_id]),
            reverse("admin:profiles_profile_permissions", args=[profile_id]),
        ):
            assert client.get(url).status_code == 200, url
        html = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
        assert "userena registration" in html.lower()

    def test_an_anonymous_visitor_never_meets_a_server_error(self, client):
        make_user()
        for path in (
            "/accounts/grace/",
            "/accounts/grace/edit/",
            "/accounts/grace/email/",
            "/accounts/grace/password/",
            "/accounts/grace/mugshot/",
            "/accounts/nobody/",
            "/accounts/page/2/",
        ):
            assert client.get(path).status_code in (302, 403, 404), path
        assert AnonymousUser().has_perm("profiles.view_profile", User.objects.get().profile) is (
            False
        )


@pytest.mark.django_db(transaction=True)
def test_facebook_sign_up_over_http_keeps_the_standins_picture(site):
    """The stand-in serves the picture as PNG to the backend, which stores it as the mugshot."""
    browser = Browser()
    assert login_with_facebook(site, browser, KATHERINE) == "/accounts/welcome/"
    profile = User.objects.get().profile
    assert profile.has_facebook_mugshot
    url = profile.get_mugshot_url()
    html = browser.get(f"{site}/accounts/{profile.user.username}/").text
    assert f'src="{url}"' in html
    image = browser.get(site + url)
    # No keep-alive connection left open: its server thread would outlive the live server.
    browser.session.close()
    assert image.headers["Content-Type"] in ("image/jpeg", "image/png")
    with Image.open(BytesIO(image.content)) as picture:
        assert picture.size == (80, 80)


def loaded(image):
    """The width of a loaded <img>, 0 while it is missing or broken."""
    return image.evaluate("img => img.complete ? img.naturalWidth : 0")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_up_by_form_and_with_facebook_in_a_browser(page, live_server, mailoutbox):
    """A person signs up by form, activates, adds a mugshot; another signs up with the
    stand-in's Facebook and finds the Facebook picture on their profile."""
    url = live_server.url
    page.goto(f"{url}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Create password").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{url}/accounts/grace/signup/complete/")
    assert "Check your email" in page.locator("h1").inner_text()

    page.goto(url + ACTIVATION_RE.search(mailoutbox[0].body).group(0))
    page.get_by_role("button", name="Activate my account").click()
    page.wait_for_url(f"{url}/accounts/grace/")
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Mugshot").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": image_bytes((240, 240))}
    )
    page.get_by_label("About me").fill("Ships and compilers.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{url}/accounts/grace/")
    assert loaded(page.locator("main img.avatar")) == 80
    assert "Ships and compilers." in page.content()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{url}/")

    page.get_by_role("link", name="Log in with Facebook").first.click()
    page.get_by_role("button", name="Continue as Katherine Johnson").click()
    page.wait_for_url(f"{url}/accounts/welcome/")
    page.get_by_role("link", name="Profile", exact=True).click()
    page.wait_for_url(f"{url}/accounts/katherine.johnson/")
    assert "Katherine Johnson" in page.locator("h1").inner_text()
    assert loaded(page.locator("main img.avatar")) == 80
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "userena-profile.png"), full_page=True)
    violations = [text for text in page.console_messages if "Content Security Policy" in text]
    assert violations == []


@pytest.mark.own_server
def test_the_activation_link_follows_the_dev_servers_port(dev_server):
    """`make run PORT=N`: the emailed link points at port N and activates the account there,
    logged in (SITE_DOMAIN follows the port that `tasks.py run --port` serves)."""
    browser = sign_up_by_form(dev_server, "/accounts/signup/", "hedy")
    assert browser.response.url == f"{dev_server.url}/accounts/hedy/signup/complete/"
    follow_activation_link(dev_server, browser, "hedy")
    assert browser.response.url == f"{dev_server.url}/accounts/hedy/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_profile_pages_at_desktop_and_phone_widths(page, live_server):
    """The profile tabs stay one row of tabs, member rows are compact, the mugshot file
    input looks like the site's buttons, at a desktop's width and a phone's."""
    url = live_server.url
    page.goto(f"{url}/")
    page.get_by_role("link", name="Log in with Facebook").first.click()
    page.get_by_role("button", name="Continue as Katherine Johnson").click()
    page.wait_for_url(f"{url}/accounts/welcome/")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{url}/accounts/katherine.johnson/edit/")
        tabs = page.get_by_role("navigation", name="Your profile").get_by_role("link").all()
        assert [tab.inner_text() for tab in tabs][-1] == "Account and Facebook"
        assert {tab.get_attribute("class") for tab in tabs} == {"tabs__link"}
        assert len({round(tab.bounding_box()["y"]) for tab in tabs}) == 1, "the tabs wrap"
        if width > 1000:
            assert tabs[-1].is_visible()
            nav = page.locator("nav.tabs")
            assert nav.evaluate("nav => nav.scrollWidth <= nav.clientWidth")
        file_button = page.locator('input[type="file"]').evaluate(
            "input => getComputedStyle(input, '::file-selector-button').borderRadius"
        )
        assert file_button == "6px"  # the site's buttons' radius, not the browser's
        page.goto(f"{url}/accounts/")
        row = page.locator(".member-list a").first.bounding_box()
        assert row["height"] <= 64
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"userena-members-{width}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["de"], indirect=True)
def test_the_activation_email_is_in_the_language_signed_up_in(page, live_server, mailoutbox):
    sign_up_with_a_password(page, live_server.url, "jonas", "jonas@example.com")
    (email,) = mailoutbox
    assert_email_in_language(email, "de", "Hello %(username)s,", username="jonas")
