"""Profiles for django-userena-ce: the profile model, userena's pages run the site's way."""
