"""Registration backends: how the connect flow makes new users and where it sends people.

FACEBOOK_REGISTRATION_BACKEND names the class (Django Facebook's setting). The optional
systems' backends live in modules of their own, present only in sites generated with that
system, and are importable from here under their documented names, e.g.
`django_facebook.registration_backends.UserenaBackend`.
"""

from functools import lru_cache
from importlib import import_module
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ..conf import setting
from .base import NooptRegistrationBackend
from .builtin import FacebookRegistrationBackend

__all__ = ["FacebookRegistrationBackend", "NooptRegistrationBackend", "get_registration_backend"]

OPTIONAL_BACKENDS = {
    "DjangoRegistrationDefaultBackend": ".django_registration",
    "UserenaBackend": ".userena",
    "AllauthBackend": ".allauth",
}


def __getattr__(name: str) -> Any:
    """Import an optional system's backend on first use (PEP 562)."""
    if name in OPTIONAL_BACKENDS:
        return getattr(import_module(OPTIONAL_BACKENDS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_registration_backend() -> NooptRegistrationBackend:
    """An instance of the configured registration backend."""
    return backend_class(setting("FACEBOOK_REGISTRATION_BACKEND"))()


@lru_cache(maxsize=8)
def backend_class(path: str) -> type[NooptRegistrationBackend]:
    """The class at `path`; ImproperlyConfigured naming the path when it is not a backend."""
    try:
        cls = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"FACEBOOK_REGISTRATION_BACKEND = {path!r} cannot be imported: {error}"
        ) from error
    if not (isinstance(cls, type) and issubclass(cls, NooptRegistrationBackend)):
        raise ImproperlyConfigured(
            f"FACEBOOK_REGISTRATION_BACKEND = {path!r} is not a NooptRegistrationBackend subclass"
        )
    return cls
