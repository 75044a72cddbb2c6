"""The checked subset of Facebook's /me answer that the site keeps.

Facebook's answer is input from outside like any other: the id must be a string of digits,
text fields are trimmed to the columns they go into, an email is kept only when it is a
valid address, and a picture only when its URL is http(s).
"""

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Self

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from .conf import setting
from .exceptions import MalformedResponse

FACEBOOK_ID_RE = re.compile(r"^[0-9]{1,32}$")
# A permission's name: lower-case words joined by underscores (email, user_birthday...).
SCOPE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CONTROL_CHARS_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class FacebookProfile:
    """A person as Facebook describes them to this app; `id` is app-scoped."""

    id: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    picture_url: str = ""
    # The permissions the person granted and declined to the app (the `permissions` edge,
    # read with the profile); granted_scopes is None when the answer did not say.
    granted_scopes: tuple[str, ...] | None = None
    declined_scopes: tuple[str, ...] = ()

    @classmethod
    def from_graph(cls, data: Mapping[str, Any]) -> Self:
        """Build from a /me answer; MalformedResponse when the id is missing or malformed."""
        facebook_id = data.get("id")
        if not isinstance(facebook_id, str) or not FACEBOOK_ID_RE.match(facebook_id):
            raise MalformedResponse("/me answer without a valid id")
        return cls(
            id=facebook_id,
            name=_text(data.get("name")),
            first_name=_text(data.get("first_name"), 150),
            last_name=_text(data.get("last_name"), 150),
            email=_email(data.get("email")),
            picture_url=_picture_url(data.get("picture")),
            **_permissions(data.get("permissions")),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The profile of as_dict() (kept in the session as JSON: tuples come back as lists)."""
        granted = data.get("granted_scopes")
        return cls(
            **{key: data.get(key, "") for key in TEXT_FIELDS},
            granted_scopes=None if granted is None else tuple(granted),
            declined_scopes=tuple(data.get("declined_scopes", ())),
        )


TEXT_FIELDS = ("id", "name", "first_name", "last_name", "email", "picture_url")


def requested_fields() -> list[str]:
    """The /me fields of a login: FACEBOOK_PROFILE_FIELDS and the permissions edge, which
    says what the person granted and declined in the same round trip."""
    fields = list(setting("FACEBOOK_PROFILE_FIELDS"))
    return fields if "permissions" in fields else [*fields, "permissions"]


def permissions_of(answer: Any) -> tuple[list[str], list[str]]:
    """(granted, declined) of a permissions answer, /me/permissions' or the `permissions`
    field of /me: {"data": [{"permission", "status"}]}; MalformedResponse if not that shape.
    Entries that are not a permission's name with a known status are left out."""
    entries = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(entries, list):
        raise MalformedResponse("permissions answer without a data list")
    by_status: dict[str, set[str]] = {"granted": set(), "declined": set()}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name, status = entry.get("permission"), entry.get("status")
        if isinstance(name, str) and SCOPE_RE.match(name) and status in ("granted", "declined"):
            by_status[status].add(name)
    granted = by_status["granted"]
    return sorted(granted), sorted(by_status["declined"] - granted)


def _permissions(value: Any) -> dict[str, Any]:
    """The profile's granted_scopes and declined_scopes from /me's `permissions`; nothing
    when the answer has none, or one that is not that shape."""
    try:
        granted, declined = permissions_of(value)
    except MalformedResponse:
        return {}
    return {"granted_scopes": tuple(granted), "declined_scopes": tuple(declined)}


def _text(value: object, max_length: int = 255) -> str:
    if not isinstance(value, str):
        return ""
    return CONTROL_CHARS_RE.sub("", value).strip()[:max_length]


def _email(value: object) -> str:
    if not isinstance(value, str) or len(value) > 254:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return BaseUserManager.normalize_email(value)


def _picture_url(value: Any) -> str:
    try:
        url = value["data"]["url"]
    except (TypeError, KeyError):
        return ""
    if not isinstance(url, str) or len(url) > 1000:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url
