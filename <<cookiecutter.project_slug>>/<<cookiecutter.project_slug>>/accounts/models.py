"""The site's user model.

A custom user model from the first migration, as Django recommends for every new project:
fields can be added later without a painful switch.
"""

from collections.abc import Iterable, Iterator

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account; `facebook_account` links the Facebook profile, if any."""

    # Raised by end_sessions(): part of the hash every session of the person carries, so that
    # raising it ends them all, wherever a copy of them is kept.
    session_generation = models.PositiveIntegerField(
        _("session generation"),
        default=0,
        editable=False,
        help_text=_("Raised to end every session of this person at once."),
    )

    # The language the person chose from the menu (or signed up in): their pages after each
    # login, on any device, and the emails sent to them, even later (languages.py). Empty:
    # their browser's.
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("The language of the site's pages and emails for this person."),
    )

    @classmethod
    def end_sessions(cls, user_ids: Iterable[int]) -> None:
        """End every session of these people, cached copies included, with one UPDATE.

        The session stores call this when a logout cannot remove a session's copy from the
        cache (sessions/cached_db.py): Django compares each session's auth hash with the
        user's on every request, from the database, so the copy is refused wherever it is.
        """
        cls._default_manager.filter(pk__in=user_ids).update(
            session_generation=F("session_generation") + 1
        )

    def get_session_auth_hash(self) -> str:
        return self._with_generation(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for value in super().get_session_auth_fallback_hash():
            yield self._with_generation(value)

    def _with_generation(self, value: str) -> str:
        # Generation 0 keeps Django's hash, so no session ends when this field arrives.
        if not self.session_generation:
            return value
        return salted_hmac(
            "accounts.User.session_generation",
            f"{value}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()
