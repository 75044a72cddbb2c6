"""The site's own "temporarily unavailable" page, while the database is out of reach.

Every app host shares the database, so its outage is not one for the load balancer to route
around (health.py): the hosts stay in, and each request that needs the database gets this
page, 503 with Retry-After, in place of the 500 page. It is rendered from a template alone, with
no context processor (which would read the session and the user) and a fixed stylesheet URL,
so it needs nothing the outage took away.

A person whose account was just created (the connect flow committed it: ACCOUNT_COMMITTED
set on the request) and whose login could not be finished is told that the account exists,
never that registering failed, on this page and on the 500 page alike.

Django logs every such request as a server error; config.logs.OutageLogFilter lets one of them
through a minute, so the admins hear of the outage once, not once a request.
"""

import sys

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from config.logs import is_database_outage
from django_facebook.connect import ACCOUNT_COMMITTED

# Seconds a browser or a client is told to wait before trying again.
RETRY_AFTER = 30


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: this page for an unreachable database, the 500 page otherwise; both say
    so when the request had created an account."""
    context = {"account_exists": getattr(request, ACCOUNT_COMMITTED, False)}
    if not is_database_outage(sys.exception()):
        return HttpResponse(render_to_string(template_name, context), status=500)
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
