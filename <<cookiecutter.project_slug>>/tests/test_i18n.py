"""Every page in the person's own language (docs/languages.md): the strings are all marked, the
catalogs complete and in step with the code, and the language follows the person."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from config.catalogs import compile_catalog

from . import i18n_checks

# A small complete German catalog: the tests' own words, for a site whose catalogs are not
# translated yet; compiled as install compiles the site's.
SAMPLE_PO = """\
msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Use POST."
msgstr "Bitte POST verwenden."

msgid "Skip to content"
msgstr "Zum Inhalt springen"

msgid "Hello,"
msgstr "Hallo,"

#, python-format
msgid "Reset your password on %(site_name)s"
msgstr "Passwort auf %(site_name)s zurücksetzen"
"""


@pytest.fixture
def sample_locale(tmp_path):
    """LOCALE_PATHS with the sample German catalog, compiled."""
    po = tmp_path / "de" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(SAMPLE_PO, encoding="utf-8")
    compile_catalog(po)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield tmp_path


# --- every string marked ----------------------------------------------------------------


def test_every_template_text_is_marked_for_translation():
    found = {
        str(path.relative_to(i18n_checks.ROOT)): words
        for path in i18n_checks.template_files()
        if (words := i18n_checks.untranslated_template_text(path.read_text()))
    }
    assert found == {}


def test_the_template_check_finds_an_unmarked_string():
    assert i18n_checks.untranslated_template_text(
        '{% load i18n %}<p>{% translate "Fine" %}</p><p>Not marked</p>'
    ) == ["Not", "marked"]
    assert i18n_checks.untranslated_template_text('<img alt="A picture">') == ["picture"]
    assert (
        i18n_checks.untranslated_template_text("{{ scheme }}://{{ domain }}/?key={{ key }}") == []
    )
    assert (
        i18n_checks.untranslated_template_text(
            "{% comment %}Notes{% endcomment %}"
            "{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}"
            " {{ user.name }} · Facebook"
        )
        == []
    )


def test_every_python_message_is_marked_for_translation():
    found = {
        str(path.relative_to(i18n_checks.ROOT)): strings
        for path in i18n_checks.python_files()
        if (
            strings := i18n_checks.unmarked_python_strings(
                path.read_text(), json_messages="fakebook" not in path.parts
            )
        )
    }
    assert found == {}


def test_the_python_check_finds_an_unmarked_string():
    source = (
        "messages.error(request, 'Something broke')\n"
        "messages.error(request, _('Marked'))\n"
        "raise ValidationError(f'Bad {value}')\n"
        "name = forms.CharField(label='Your name', help_text=_('Marked'))\n"
        "refusal = {'error': 'bad_thing', 'message': 'Plain English'}\n"
    )
    assert i18n_checks.unmarked_python_strings(source) == [
        "1: 'Something broke'",
        "3: f'Bad {value}'",
        "4: 'Your name'",
        "5: 'Plain English'",
    ]


# --- the catalogs ---------------------------------------------------------------------------


def test_every_catalog_holds_every_string_of_the_code():
    """What makemessages would add is there already: no catalog lacks a msgid of the code."""
    code = i18n_checks.code_msgids()
    assert len(code) > 100
    for path in i18n_checks.catalog_paths():
        from babel.messages.pofile import read_po

        with path.open("rb") as file:
            catalog = read_po(file)
        ids = {
            (message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
            for message in catalog
        }
        assert sorted(code - ids) == [], path


def test_the_site_ships_a_catalog_for_each_language_but_english():
    from django.conf import settings

    shipped = {path.parent.parent.name for path in i18n_checks.catalog_paths()}
    wanted = {translation.to_locale(code) for code in settings.SITE_LANGUAGES if code != "en"}
    assert shipped == wanted


def test_the_catalog_check_passes_a_complete_catalog_and_finds_each_defect(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(SAMPLE_PO, encoding="utf-8")
    assert i18n_checks.catalog_problems(po) == []
    defects = SAMPLE_PO.replace('msgstr "Hallo,"', 'msgstr ""')
    defects = defects.replace("#, python-format", "#, fuzzy, python-format")
    defects = defects.replace("auf %(site_name)s", "auf %(site)s")
    defects += '\n#~ msgid "Gone"\n#~ msgstr "Weg"\n'
    po.write_text(defects, encoding="utf-8")
    problems = i18n_checks.catalog_problems(po)
    assert "untranslated: 'Hello,'" in problems
    assert "fuzzy: 'Reset your password on %(site_name)s'" in problems
    assert any(problem.startswith("placeholders differ:") for problem in problems)
    assert "obsolete: 'Gone'" in problems


def test_an_entry_django_translates_needs_no_translation_of_the_sites(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(SAMPLE_PO + '\nmsgid "Password"\nmsgstr ""\n', encoding="utf-8")
    assert i18n_checks.catalog_problems(po) == ["untranslated: 'Password'"]
    assert i18n_checks.catalog_problems(po, others=i18n_checks.others_translate("de")) == []


def test_every_shipped_catalog_is_complete():
    code = i18n_checks.code_msgids()
    problems = {}
    for path in i18n_checks.catalog_paths():
        others = i18n_checks.others_translate(i18n_checks.catalog_language(path))
        if found := i18n_checks.catalog_problems(path, used=code, others=others):
            problems[path.parent.parent.name] = len(found)
    assert problems == {}


def log_in(client, username, password):
    """Through the login page, as a person does (userena's form names its field
    "identification", allauth's "login", the others "username")."""
    fields = {"username": username, "identification": username, "login": username}
    fields["password"] = password
    return client.post(reverse("login"), fields)


# --- the language follows the person ---------------------------------------------------------


def test_a_new_visitor_gets_the_language_of_their_browser(client, sample_locale):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "de"
    assert '<html lang="de" dir="ltr">' in response.content.decode()
    assert "Zum Inhalt springen" in response.content.decode()


def test_arabic_pages_are_right_to_left(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


def test_the_language_menu_is_on_every_page_as_a_form(client):
    page = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert '<label for="language-menu">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<option value="ar" lang="ar">العربيّة</option>' in page


@pytest.mark.django_db
def test_the_menu_switches_the_language_and_keeps_it_on_the_account(client):
    user = get_user_model().objects.create_user("lena", "lena@example.com", "a long passphrase 1")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ar"
    user.refresh_from_db()
    assert user.language == "ar"

    client.logout()
    elsewhere = type(client)()
    log_in(elsewhere, "lena", "a long passphrase 1")
    page = elsewhere.get(reverse("home"))
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


@pytest.mark.django_db
def test_a_login_on_another_device_sets_that_devices_cookie(client):
    user = get_user_model().objects.create_user("omar", "omar@example.com", "a long passphrase 2")
    user.language = "de"
    user.save()
    response = log_in(client, "omar", "a long passphrase 2")
    assert response.status_code == 302, response.content.decode()[:500]
    assert response.cookies["django_language"].value == "de"


def test_a_language_the_site_does_not_offer_is_refused_without_error(client):
    response = client.post(reverse("set_language"), {"language": "xx-bad", "next": "/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies


@pytest.mark.django_db
def test_a_new_account_keeps_the_language_it_signed_up_in():
    with translation.override("de"):
        user = get_user_model().objects.create_user("jonas", "jonas@example.com")
    assert user.language == "de"


@pytest.mark.django_db
def test_the_reset_email_goes_out_in_the_recipients_language(client, mailoutbox):
    """Through each system's own reset page, asked for in English: the email is in the
    language on the recipient's account, then in English once that is theirs."""
    user = get_user_model().objects.create_user("mia", "mia@example.com", "a long passphrase 3")
    emails = {}
    for language in ("de", "en"):
        user.language = language
        user.save()
        mailoutbox.clear()
        client.post(reverse("password_reset"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="en")
        (emails[language],) = mailoutbox
    german, english = emails["de"], emails["en"]
    assert german.subject != english.subject
    assert german.body != english.body
    assert i18n_checks.english_left(german.body, "de") == []


@pytest.mark.django_db
def test_facebooks_dialog_is_asked_for_in_the_pages_language(client):
    response = client.get(reverse("facebook:login"), HTTP_ACCEPT_LANGUAGE="ar")
    location = response["Location"]
    assert parse_qs(urlsplit(location).query)["locale"] == ["ar_AR"]
    # The stand-in's dialog honours it, as Facebook's does, whatever the browser asks for.
    dialog = client.get(location, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ar" dir="rtl">' in dialog.content.decode()
    assert dialog["Content-Language"] == "ar"


def test_the_app_endpoints_message_follows_accept_language(client, sample_locale):
    response = client.get(reverse("facebook:app_login"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 405
    assert response.json() == {"error": "method_not_allowed", "message": "Bitte POST verwenden."}
