from django.apps import AppConfig


class DjangoFacebookConfig(AppConfig):
    name = "django_facebook"
    verbose_name = "Facebook"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
