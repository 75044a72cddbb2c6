"""The scale-out test: a baked site on several app hosts behind a load balancer, under load.

    python3 tasks.py scale-out [--short] [--site DIR] [--hosts N] [--phases "Graph,Redis"]
    python3 -m scripts.scale_out [the same options]   # from the template's root, as root

Runs as root on Linux (network namespaces). On this one machine it builds what a site that
outgrew one machine runs on, from real parts:

- app hosts: the site's gunicorn with config/gunicorn.py and the production settings, each in
  a network namespace of its own (`ip netns`, a veth pair) with its own address;
- HAProxy in front, terminating TLS, checking each host's /readyz, retrying refused
  connections on another host;
- PostgreSQL (the machine's, a database made for the run) and a Redis server of the run's own
  (never the shared one: it is restarted on purpose), reached from the namespaces through
  the host side of each veth pair. PostgreSQL may listen on 127.0.0.1 only, so a small TCP
  forwarder (forwarder.py) listens on the host-side addresses and connects to it;
- the Facebook stand-in as a process of its own, over TLS with a certificate made for the run
  (production settings refuse plain-http Facebook URLs); the app hosts trust it through
  REQUESTS_CA_BUNDLE and reach its Graph API through the forwarder, which counts their
  connections (keep-alive should keep new ones at zero).

A load client (asyncio, httpx) plays people doing the whole login a browser does: the login
start, the stand-in's dialog (its page, then the person's choice), the callback, and the
landing page, which must show them logged in; new people and returning ones, at several
concurrencies. Then, under load, each fault a second into its phase with logins in flight: a
rolling graceful restart of every app host (drained at the load balancer, stopped with
SIGTERM, started, ready again), one host killed hard (SIGKILL) and brought back, the Redis
server restarted, then stopped for a while, PostgreSQL's connections to the run's database
terminated, then PostgreSQL out of reach for a while (the forwarder refuses), the Graph API
answering 5 s late with more people than the hosts have threads while one more person, in a
process of its own, loads pages that never call Facebook, and the Graph API refusing. The
load client runs niced (LOAD_NICENESS), as people's browsers would run on machines of their
own; the visitor and every part of the stack at the normal priority. Each phase gives
logins/s, the callback's p50/p95/p99, the failed logins and what the people saw, the time
from the fault's end to the first login that succeeded again, the other pages' p50/p99,
duplicate and half-created users, and new Graph TCP connections per login; the script fails
(exit 1) when a phase breaks its promise (Promise, RECOVERY, --pages-p99-ms); --phases runs
only some phases, and HAProxy logs every request's timers for a slow page's request id (in
the JSON results) to be looked up in. Every loop is bounded in count and time; traffic stays
on 127.0.0.1 and the namespaces' addresses; everything is stopped and deleted at the end, on
failure and on Ctrl-C too. Needs haproxy, redis-server, openssl, psql and iproute2, and
DATABASE_URL naming a PostgreSQL server (default postgres://postgres@127.0.0.1:5432/).

The package, a module a job: processes.py (commands, waits, the run's processes), network.py
(namespaces, ports, certificates), forwarder.py, services.py (PostgreSQL, HAProxy), stack.py
(all of it built and torn down, and the faults), browser.py (one person's login), load.py
(the load client and the visitor), phases.py (a phase and its promise), scenarios.py (the
phases in order), report.py (the table) and __main__.py (the command line).
"""
