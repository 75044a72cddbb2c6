"""`{% facebook_login_button %}`: the "Log in with Facebook" link with redirect parameters.

    {% load facebook %}
    {% facebook_login_button next="/dashboard/" register_next="/welcome/" %}

The keyword arguments are Django Facebook's redirect parameters (next, login_next,
connect_next, register_next, error_next); `label` changes the text. For a logged-in user the
same link connects their account.
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from ..redirects import NEXT_PARAMETERS

register = template.Library()


@register.inclusion_tag("django_facebook/login_button.html", takes_context=True)
def facebook_login_button(
    context: template.Context, label: str | None = None, **parameters: str
) -> dict[str, str]:
    unknown = set(parameters) - set(NEXT_PARAMETERS)
    if unknown:
        raise template.TemplateSyntaxError(
            f"facebook_login_button got unknown parameters: {', '.join(sorted(unknown))}"
        )
    request = context.get("request")
    connecting = bool(request and request.user.is_authenticated)
    query = urlencode({key: value for key, value in parameters.items() if value})
    url = reverse("facebook:login") + (f"?{query}" if query else "")
    if label is None:
        label = _("Connect Facebook") if connecting else _("Log in with Facebook")
    return {"url": url, "label": label}
