from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "<< cookiecutter.project_slug >>.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            languages,  # noqa: F401 (connects the account's language at login)
            receivers,  # noqa: F401 (connects the logout message)
        )
        from .allauth_cache import keep_allauth_up_without_redis

        keep_allauth_up_without_redis()
