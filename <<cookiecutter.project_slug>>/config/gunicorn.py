"""gunicorn's settings for the site: `gunicorn -c config/gunicorn.py config.wsgi`.

Every value has a default that suits one app host behind a load balancer and can be changed
from the environment without editing this file (docs/deployment.md). Command-line options
still win over this file, as gunicorn documents.
"""

import os

from config.logs import ACCESS_LOG_FORMAT, gunicorn_logconfig


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def cpu_count():
    """The CPUs this process may run on: a container's or cgroup's share, not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# TLS in gunicorn itself, where the network between the load balancer and the app hosts
# needs it; usually the proxy in front terminates TLS and these stay unset.
certfile = os.environ.get("GUNICORN_CERTFILE") or None
keyfile = os.environ.get("GUNICORN_KEYFILE") or None

# Worker processes (WEB_CONCURRENCY, the name platforms set), each with some threads: the
# site's requests mostly wait on PostgreSQL, Redis and Facebook's Graph API, so a few threads
# per process serve more people for the memory. More than one thread means gunicorn's gthread
# worker, which also keeps connections alive (the sync worker cannot).
workers = env_int("WEB_CONCURRENCY", 2 * cpu_count() + 1)
threads = env_int("GUNICORN_THREADS", 4)

# A request gets `timeout` seconds (the Graph API client gives up well before: 10 s by default,
# docs/facebook-settings.md). On SIGTERM, or a rolling restart's SIGHUP, workers finish the requests
# they have for up to `graceful_timeout` seconds: keep the orchestrator's stop timeout longer
# (compose.yaml's stop_grace_period).
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
# Longer than the idle timeout of the load balancer in front (60 s on most), so that the
# balancer closes idle connections, never gunicorn under a request it is sending.
keepalive = env_int("GUNICORN_KEEPALIVE", 75)

# A worker is replaced after about this many requests, so that a slow leak (in the site or a
# library) never grows without bound; the jitter keeps the workers from restarting together.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The workers' heartbeat files in memory, not on a disk that may stall (a container's overlay),
# as gunicorn's documentation advises; they hold no data.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - heartbeat files only, see above
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

# gunicorn 25.1+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl):
# two sites (or two app hosts) run by one user on one machine would fight over it. None unless
# GUNICORN_CONTROL_SOCKET names a path of this site's own.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

# Every line on stdout, one JSON object each (config/logs.py); the access log gives the path
# without its query string, where the Facebook callback's code and state travel.
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
errorlog = "-"
logconfig_dict = gunicorn_logconfig()
