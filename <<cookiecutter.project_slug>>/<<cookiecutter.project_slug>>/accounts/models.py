"""The site's user model.

A custom user model from the first migration, as Django recommends for every new project:
fields can be added later without a painful switch.
"""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person with an account; `facebook_account` links the Facebook profile, if any."""
