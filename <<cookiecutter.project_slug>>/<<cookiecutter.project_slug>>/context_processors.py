"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """The site's name and contact address.

    Named `site_title`, not `site_name`: Django's login and password views put the request's
    host in `site_name`, which would win over a context processor's value.
    """
    return {"site_title": settings.SITE_NAME, "contact_email": settings.ADMIN_EMAIL}
