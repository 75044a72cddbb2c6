from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from userena import apps as userena_apps


class ProfilesConfig(AppConfig):
    name = "<< cookiecutter.project_slug >>.profiles"
    label = "profiles"
    verbose_name = "Profiles"
    default = True  # this module holds userena's config too
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers

        receivers.connect()
        # django-guardian makes a database user for visitors who are not signed in
        # (ANONYMOUS_USER_NAME), so that they can be given object permissions. This site gives
        # them none (Profile.can_view_profile, backends.ObjectPermissionBackend): no such user
        # is created, and the user table holds only people.
        from guardian import management as guardian_management

        post_migrate.disconnect(
            guardian_management.create_anonymous_user,
            sender=apps.get_app_config("guardian"),
            dispatch_uid="guardian.management.create_anonymous_user",
        )
        post_migrate.connect(receivers.sync_site, sender=self)


class UserenaConfig(userena_apps.UserenaConfig):
    """userena itself, with the primary key type its migrations were made with (Django's
    DEFAULT_AUTO_FIELD would otherwise ask for a migration of a package's model)."""

    default_auto_field = "django.db.models.AutoField"
