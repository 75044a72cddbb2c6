"""The `fields` parameter of /me, and the profile answer it selects.

Facebook's field syntax (Facebook's User docs): a comma-separated list where a
field may carry modifiers and sub-fields, e.g. `id,name,picture.type(large){url,width}`.
"""

import re
from dataclasses import dataclass, field

# Without `fields`, /me answers id and name only (allauth issue 1086, a pitfall others hit).
DEFAULT_FIELDS = "id,name"
USER_FIELDS = ("id", "name", "first_name", "last_name", "email", "picture", "permissions")

_FIELD = re.compile(
    r"(?P<name>[a-z_]+)(?P<modifiers>(?:\.[a-z_]+\([^(){}]*\))*)(?:\{(?P<subfields>[^{}]*)\})?"
)
_MODIFIER = re.compile(r"\.([a-z_]+)\(([^(){}]*)\)")


class FieldsSyntaxError(ValueError):
    """The fields parameter does not follow Facebook's syntax."""


class UnknownField(LookupError):
    """A field that the User node does not have."""


@dataclass(frozen=True)
class Field:
    name: str
    modifiers: dict = field(default_factory=dict)
    subfields: tuple | None = None


def parse(spec):
    """The list of Fields in a `fields` parameter."""
    parsed = []
    for part in _split(spec or DEFAULT_FIELDS):
        match = _FIELD.fullmatch(part.strip())
        if not match:
            raise FieldsSyntaxError(part)
        modifiers = dict(_MODIFIER.findall(match["modifiers"]))
        subfields = match["subfields"]
        if subfields is not None:
            subfields = tuple(name.strip() for name in subfields.split(",") if name.strip())
        parsed.append(Field(match["name"], modifiers, subfields))
    return parsed


def _split(spec):
    """Split on the commas that are not inside (...) or {...}."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(spec):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
            if depth < 0:
                raise FieldsSyntaxError(spec)
        elif char == "," and depth == 0:
            parts.append(spec[start:index])
            start = index + 1
    if depth:
        raise FieldsSyntaxError(spec)
    parts.append(spec[start:])
    return [part for part in parts if part.strip()]


def profile(user, scopes, fields, picture, permissions):
    """The /me answer for these fields; `picture(field)` gives the picture's data dict,
    `permissions()` the list of /me/permissions (the edge, asked as a field: Graph's field
    expansion).

    Like Facebook, the answer always carries the id; `email` is left out when the profile
    has none or the email permission was not granted (Facebook's User docs).
    """
    answer = {}
    for requested in fields:
        name = requested.name
        if name not in USER_FIELDS:
            raise UnknownField(name)
        if name == "email":
            if user.email and "email" in scopes:
                answer["email"] = user.email
        elif name == "picture":
            data = picture(requested)
            if requested.subfields:
                data = {key: value for key, value in data.items() if key in requested.subfields}
            answer["picture"] = {"data": data}
        elif name == "permissions":
            answer["permissions"] = {"data": permissions()}
        else:
            answer[name] = getattr(user, name)
    answer["id"] = user.id
    return answer
