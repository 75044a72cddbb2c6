"""The container's HEALTHCHECK: `python -m config.healthcheck` asks this container's gunicorn
for /healthz and exits 0 if it answers 200, 1 otherwise.

It reads the same environment as config/gunicorn.py, so the check follows the port
(GUNICORN_BIND) and the scheme (https when GUNICORN_CERTFILE is set) gunicorn really serves.
Over https the certificate is not verified: it is issued for the site's public name, and this
request goes to the container's own loopback address. Standard library only, and no Django:
it runs every 30 seconds.
"""

import os
import ssl
import sys
import urllib.request

TIMEOUT_SECONDS = 4
# Addresses that mean "every interface", and where to reach them from inside.
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "[::]": "[::1]"}  # noqa: S104


def healthz_url(environ):
    bind = environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")[0].strip()
    host, _, port = bind.rpartition(":")
    scheme = "https" if environ.get("GUNICORN_CERTFILE") else "http"
    return f"{scheme}://{ANY_ADDRESS.get(host, host)}:{port}/healthz"


def main():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(  # noqa: S310 - our own loopback URL, http(s) only
            healthz_url(os.environ), timeout=TIMEOUT_SECONDS, context=context
        ) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"healthcheck: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
