"""The run's phases, in order: steady load at each concurrency, then each fault under load.

Each fault is a phase with its promise (Promise in phases.py): what the people may see while
it lasts, and that logins resume soon after it. --phases runs only some of them.
"""

from .phases import Promise, phase


def scenarios(stack, people, args):
    """The phases, in order, but those --phases leaves out (the first steady phase always
    runs: it registers the people who return later); each a result dict."""
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    planned = [("steady", concurrency, None, None) for concurrency in concurrencies]
    planned += faults(stack, args, concurrencies[-1])
    seconds, cap = args.seconds, args.max_logins
    results = []
    for name, concurrency, event, promise in planned:
        wanted = not args.phases or any(word in name for word in args.phases.split(","))
        if wanted or not results:
            results.append(phase(stack, people, name, concurrency, seconds, cap, event, promise))
    return results


def faults(stack, args, top):
    """The fault phases: (name, concurrency, event, promise) each, the event run in a thread
    a second into its phase (FAULT_AFTER) while `top` people log in (the crowd, for Graph
    slow)."""
    hosts = stack.network.hosts
    fault = args.fault_seconds

    def rolling():
        for host in hosts:
            stack.restart_gracefully(host)

    return [
        ("rolling restart", top, rolling, None),
        # The host killed hard fails the requests it was serving: at most one per person.
        (
            "host killed",
            top,
            lambda: stack.kill_and_restart(hosts[0]),
            Promise(allowed=top, may_see=("",)),
        ),
        # Redis is an accelerator: restarted or stopped, no login fails.
        ("Redis restarted", top, stack.restart_redis, None),
        (f"Redis stopped {fault:g} s", top, lambda: stack.stop_redis_for(fault), None),
        (
            "PostgreSQL connections dropped",
            top,
            stack.postgresql.terminate_backends,
            Promise(allowed=top, may_see=("",)),
        ),
        # Unreachable: every login needs it, and fails with the site's own page, then resumes.
        (
            f"PostgreSQL unreachable {fault:g} s",
            top,
            lambda: stack.falter("postgresql", fault),
            Promise(allowed=None, may_see=("the site's 503 page",)),
        ),
        # More people than the hosts have threads, Graph at 5 s a call: the other pages and the
        # health checks go on; logins beyond the Graph slots are told Facebook is slow.
        (
            f"Graph slow 5 s a call for {fault * 2:g} s",
            args.crowd,
            lambda: stack.falter("graph", fault * 2, slow=5.0),
            Promise(
                allowed=None,
                may_see=("Facebook is slow", "Facebook unreachable"),
                pages_p99_ms=args.pages_p99_ms,
            ),
        ),
        (
            f"Graph refused {fault * 1.5:g} s",
            top,
            lambda: stack.falter("graph", fault * 1.5),
            Promise(allowed=None, may_see=("Facebook unreachable",)),
        ),
    ]
