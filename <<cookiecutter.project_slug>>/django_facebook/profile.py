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

from .exceptions import MalformedResponse

FACEBOOK_ID_RE = re.compile(r"^[0-9]{1,32}$")
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
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Self:
        return cls(**{key: data.get(key, "") for key in cls.__dataclass_fields__})


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
