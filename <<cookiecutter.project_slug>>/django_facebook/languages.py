"""The languages a person may be given, emails in the recipient's language, and the locale
Facebook's dialog is shown in.

An email is rendered in the language active when it is built: during its recipient's own
request that is theirs, but an email sent from another person's request, a command or
later still would take someone else's. `recipient_language(user)` renders it in the
language on the recipient's account (the site's user model has a `language` field), else
in the current one.
"""

from contextlib import AbstractContextManager

from django.utils import translation


def supported_language(code: str | None) -> str | None:
    """`code` as one of settings.LANGUAGES (a variant of it: "de-at" gives "de"), or None
    when the site does not offer it, or it is empty or malformed."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def recipient_language(user: object) -> AbstractContextManager[None]:
    """Render within this block in the language of `user`'s account, if the site offers it."""
    code = supported_language(getattr(user, "language", None))
    return translation.override(code or translation.get_language())


# Facebook's locale (ll_CC) for each language of the site. Facebook documents no `locale`
# parameter of the login dialog, but its dialog honours one (so do django-allauth's
# LOCALE_FUNC and Facebook's own SDK URLs); without it, Facebook picks by its own settings.
FACEBOOK_LOCALES = {
    "en": "en_US",
    "ar": "ar_AR",
    "de": "de_DE",
    "es": "es_LA",
    "fr": "fr_FR",
    "it": "it_IT",
    "pt-br": "pt_BR",
    "nl": "nl_NL",
    "pl": "pl_PL",
    "tr": "tr_TR",
    "ru": "ru_RU",
    "uk": "uk_UA",
    "ja": "ja_JP",
    "ko": "ko_KR",
    "zh-hans": "zh_CN",
    "hi": "hi_IN",
    "id": "id_ID",
}


def facebook_locale(language: str | None = None) -> str | None:
    """Facebook's locale for `language` (default: the active one), or None if it has none."""
    code = (language or translation.get_language() or "").lower()
    return FACEBOOK_LOCALES.get(code) or FACEBOOK_LOCALES.get(code.split("-")[0])
