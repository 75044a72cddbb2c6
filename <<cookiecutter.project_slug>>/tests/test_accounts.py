"""The site's own pages: manual sign-up, the account page, passwords, the login button."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import reverse

from django_facebook.models import FacebookAccount

from .browser import inputs_of, password_page

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()


def test_the_login_pages_next_goes_on_to_facebook_unchanged(client):
    next_url = "/privacy/?a=1&b=2"
    page = client.get(reverse("login"), {"next": next_url}, follow=True).content.decode()
    assert "next=%2Fprivacy%2F%3Fa%3D1%26b%3D2" in page  # not &amp; escaped, then quoted
    assert "%26amp%3B" not in page


def test_home_page_offers_facebook_login(client):
    page = client.get("/").content.decode()
    assert reverse("facebook:login") in page
    assert "Log in with Facebook" in page


@pytest.mark.parametrize("name", ["home", "privacy", "login"])
def test_public_pages_render(client, name):
    assert client.get(reverse(name)).status_code == 200


class TestEveryPage:
    def test_has_an_icon_served_by_the_site(self, client):
        """No browser logs a 404 for the icon: the pages link it, /favicon.ico answers too."""
        page = client.get("/").content.decode()
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
        assert icon is not None
        assert client.get(icon.group(1)).status_code == 200
        response = client.get("/favicon.ico")
        assert response.status_code == 200
        assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")

    def test_has_a_description(self, client):
        page = client.get("/").content.decode()
        assert re.search(r'<meta name="description" content="[^"]{20,}">', page)

    def test_logging_out_says_so(self, client):
        client.force_login(User.objects.create_user("ada", "ada@example.com", "pw-12345-long"))
        response = client.post(reverse("logout"), follow=True)
        assert not response.wsgi_request.user.is_authenticated
        assert [str(message) for message in response.context["messages"]] == [
            "You have been logged out."
        ]
        assert "You have been logged out." in response.content.decode()


class TestSignUpHelp:
    PASSWORD_HELP = (
        "At least 8 characters, not like your username or email address, not a common "
        "password and not only digits."
    )

    def test_reads_as_a_product_would(self, client):
        page = client.get(reverse("registration_register")).content.decode()
        for developer_text in ("Required. 150 characters", "Your password can", "verification"):
            assert developer_text not in page
        assert "characters: letters, digits" in page
        assert self.PASSWORD_HELP in page
        assert "The same password again" in page

    @pytest.mark.parametrize(
        ("username", "password"),
        [
            ("grace", "Ab3$x"),  # too short
            ("grace", "83920174629"),  # only digits
            ("grace", "password123"),  # a common password
            ("gracehopper", "gracehopper1"),  # like the username
            ("grace hopper", "a-long-passphrase-42"),  # a space in the username
        ],
    )
    def test_the_same_rules_are_enforced(self, client, username, password):
        data = {
            "username": username,
            "email": "grace@example.org",
            "password1": password,
            "password2": password,
        }
        response = client.post(reverse("registration_register"), data)
        assert "errorlist" in response.content.decode()
        assert not User.objects.exists()

    def test_a_password_that_keeps_the_rules_is_taken(self, client):
        password = "a-long-passphrase-42"
        data = {"username": "grace", "email": "grace@example.org"}
        client.post(
            reverse("registration_register"), data | {"password1": password, "password2": password}
        )
        assert User.objects.get().check_password(password)

    def test_the_sentence_follows_the_validators(self):
        from django.contrib.auth.password_validation import MinimumLengthValidator

        from django_facebook.forms import password_help_text

        assert password_help_text([MinimumLengthValidator(12)]) == "At least 12 characters."
        assert password_help_text([]) == ""


class TestAccountPages:
    def test_profile_needs_login(self, client):
        response = client.get(reverse("accounts:profile"))
        assert response["Location"].startswith(reverse("login"))

    def test_profile_shows_the_facebook_link(self, client):
        user = User.objects.create_user("ada", "ada@example.com", "pw-12345-long")
        FacebookAccount.objects.create(user=user, facebook_id="1", name="Ada Lovelace")
        client.force_login(user)
        page = client.get(reverse("accounts:profile")).content.decode()
        assert "Ada Lovelace" in page
        assert reverse("facebook:disconnect") in page

    def test_facebook_user_sets_a_first_password(self, client):
        user = User.objects.create_user("ada", "ada@example.com")
        user.set_unusable_password()
        user.save()
        client.force_login(user)
        page, (new1, new2) = password_page(client)
        response = client.post(page, {new1: "a-long-passphrase-42", new2: "a-long-passphrase-42"})
        assert response["Location"] == reverse("accounts:profile")
        user.refresh_from_db()
        assert user.check_password("a-long-passphrase-42")
        # Still logged in: the session hash was updated.
        assert client.get(reverse("accounts:profile")).status_code == 200

    def test_password_change_needs_the_old_one(self, client):
        user = User.objects.create_user("ada", "ada@example.com", "old-passphrase-42")
        client.force_login(user)
        page, (old, new1, new2) = password_page(client)
        response = client.post(
            page, {old: "wrong", new1: "a-long-passphrase-42", new2: "a-long-passphrase-42"}
        )
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.check_password("old-passphrase-42")


class TestInputsSayWhatTheyHold:
    """Every system's account forms tell the browser what each input is: type="email" for an
    address, and the `autocomplete` that lets a password manager fill in the saved password
    (current-password) or offer a new one (new-password), never the other way round."""

    def autocomplete(self, client, url, *names):
        inputs = inputs_of(client.get(url, follow=True).content.decode())
        return {name: inputs[name].get("autocomplete") for name in names}

    @staticmethod
    def passwords(html):
        """The autocomplete of each password input of the page, in order: the systems name
        their fields differently (Django new_password1, allauth password1...)."""
        inputs = inputs_of(html).values()
        return [field.get("autocomplete") for field in inputs if field.get("type") == "password"]

    def test_login(self, client):
        inputs = inputs_of(client.get(reverse("login")).content.decode())
        # Django's username, userena's identification, allauth's login (email or username).
        (account,) = {"username", "identification", "login"} & set(inputs)
        assert inputs[account].get("autocomplete") == "username"
        assert inputs["password"].get("autocomplete") == "current-password"

    def test_sign_up(self, client):
        url = reverse("registration_register")
        assert self.autocomplete(client, url, "username", "password1", "password2") == {
            "username": "username",
            "password1": "new-password",
            "password2": "new-password",
        }
        assert inputs_of(client.get(url).content.decode())["email"]["type"] == "email"

    @pytest.mark.parametrize("name", ["password_change", "accounts:password"])
    def test_password_change(self, client, name):
        client.force_login(User.objects.create_user("ada", "ada@example.com", "pw-12345-long"))
        page = client.get(reverse(name), follow=True).content.decode()
        assert self.passwords(page) == ["current-password", "new-password", "new-password"]

    def test_password_reset(self, client, mailoutbox):
        User.objects.create_user("ada", "ada@example.com", "pw-12345-long")
        email = inputs_of(client.get(reverse("password_reset")).content.decode())["email"]
        assert (email["type"], email["autocomplete"]) == ("email", "email")
        client.post(reverse("password_reset"), {"email": "ada@example.com"})
        (message,) = mailoutbox
        link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
        page = client.get(link, follow=True).content.decode()
        assert self.passwords(page) == ["new-password", "new-password"]


class TestLoginButtonTag:
    def render(self, source, user=None):
        from django.contrib.auth.models import AnonymousUser

        request = RequestFactory().get("/")
        request.user = user or AnonymousUser()
        return Template("{% load facebook %}" + source).render(Context({"request": request}))

    def test_parameters_go_into_the_link(self):
        html = self.render('{% facebook_login_button next="/a b/" register_next="/r/" %}')
        assert 'href="/facebook/login/?next=%2Fa+b%2F&amp;register_next=%2Fr%2F"' in html
        assert "Log in with Facebook" in html

    def test_logged_in_user_is_offered_to_connect(self):
        html = self.render("{% facebook_login_button %}", user=User(username="x"))
        assert "Connect Facebook" in html

    def test_unknown_parameter_is_a_template_error(self):
        with pytest.raises(TemplateSyntaxError):
            self.render('{% facebook_login_button nxt="/a/" %}')
