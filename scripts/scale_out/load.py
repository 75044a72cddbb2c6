"""The load client: many people logging in at once, and one more loading other pages.

The people (People: new ones and returning ones) log in as browsers do (browser.py), each
again a moment after a failure, in one asyncio event loop run niced (LOAD_NICENESS in
processes.py); the visitor of pages that never call Facebook runs in a process of its own at
the normal priority (Visitor), so that its timings are the site's.
"""

import asyncio
import multiprocessing
import os
import random
import ssl
import time
from contextlib import suppress

import httpx

from .browser import browser_login
from .processes import WAIT, Failed

# Seconds a person whose login failed waits before trying again.
RETRY_AFTER = 1.0


class People:
    """Who logs in next: a new person (the next unused number) or a returning one."""

    def __init__(self, total, new_share):
        self.total = total
        self.new_share = new_share
        self.next_new = 0
        self.registered = []

    def pick(self):
        if self.next_new < self.total and (
            not self.registered or random.random() < self.new_share  # noqa: S311 - not crypto
        ):
            self.next_new += 1
            return self.next_new - 1, True
        return self.returning()

    def returning(self):
        return random.choice(self.registered), False  # noqa: S311 - not crypto


def _visit(site_url, standin_url, ca, number, new, stop, answer):
    """A visitor of pages that never call Facebook, in a process of its own: logs in, says
    whether it could, then loads the home page and their account page until `stop` is set,
    and sends [(start, seconds, ok, path, X-Request-ID)] a page.

    Its own process, at the normal priority (the load client runs niced: LOAD_NICENESS), so
    that its timings are the site's, as a browser on a machine of its own would see them: in
    the load client's event loop they would also hold the time that loop spent on everyone
    else's TLS and parsing."""
    os.setpriority(os.PRIO_PROCESS, 0, 0)

    async def visit():
        pages = []
        context = ssl.create_default_context(cafile=ca)
        async with httpx.AsyncClient(verify=context, timeout=15) as client:
            login = await browser_login(client, site_url, standin_url, number, new)
            answer.send(login.ok)
            paths = ["/", "/accounts/profile/"] if login.ok else ["/"]
            while not stop.is_set():
                for path in paths:
                    started = time.monotonic()  # one clock for every process (Linux)
                    ok, request_id = False, None
                    with suppress(httpx.HTTPError):
                        page = await client.get(f"{site_url}{path}")
                        ok, request_id = page.status_code == 200, page.headers.get("x-request-id")
                    pages.append((started, time.monotonic() - started, ok, path, request_id))
                await asyncio.sleep(0.05)
        return pages

    answer.send(asyncio.run(visit()))


class Visitor:
    """_visit() in its own process: logged in (a returning person) once made, then pages()."""

    def __init__(self, stack, people):
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.answer, theirs = context.Pipe(duplex=False)
        arguments = (stack.site_url, stack.standin_url, str(stack.ca), *people.returning())
        self.process = context.Process(
            target=_visit, args=(*arguments, self.stop, theirs), daemon=True
        )
        self.process.start()
        if not (self.answer.poll(WAIT) and self.answer.recv()):
            self.process.kill()
            raise Failed("the visitor of other pages could not log in")

    def pages(self):
        self.stop.set()
        if not self.answer.poll(WAIT):
            self.process.kill()
            raise Failed("the visitor of other pages did not finish")
        pages = self.answer.recv()
        self.process.join(10)
        return pages


async def load(stack, people, concurrency, seconds, max_logins, event=None, settle=5.0, pages=None):
    """Logins by `concurrency` people at once, for `seconds` (or, with an event, until the
    event is done and `settle` seconds more), at most `max_logins` (but for the logins of an
    event still under way, and one second after it); with a `pages` list, one more person
    loads pages that never call Facebook meanwhile (Visitor), each appended to the list.
    (logins, seconds, event end)."""
    context = ssl.create_default_context(cafile=str(stack.ca))
    logins = []
    visitor = Visitor(stack, people) if pages is not None else None
    started = time.monotonic()
    hard_stop = started + seconds + (WAIT * 4 if event else 0)
    event_done = None
    event_task = asyncio.create_task(asyncio.to_thread(event)) if event else None

    def running():
        now = time.monotonic()
        if now > hard_stop:
            return False
        capped = len(logins) >= max_logins
        if event_task is None:
            return now < started + seconds and not capped
        if not event_task.done():
            # The event is what the phase tests: the load goes on while it lasts (hard_stop
            # bounds it), even past max_logins.
            return True
        done_at = event_done or now
        # Past the cap, one more second after the event: enough to show logins resumed.
        return now < done_at + (1.0 if capped else settle)

    async def person():
        nonlocal event_done
        async with httpx.AsyncClient(verify=context, timeout=15) as client:
            while running():
                if event_task is not None and event_task.done() and event_done is None:
                    event_done = time.monotonic()
                client.cookies.clear()  # a new browser for every login
                number, new = people.pick()
                started_login = time.monotonic()
                login = await browser_login(client, stack.site_url, stack.standin_url, number, new)
                login.started = started_login
                if login.ok and new:
                    people.registered.append(number)
                logins.append(login)
                if not login.ok:
                    # A person who was shown an error tries again a moment later.
                    await asyncio.sleep(RETRY_AFTER)

    await asyncio.gather(*(person() for _ in range(concurrency)))
    if visitor is not None:
        pages.extend(await asyncio.to_thread(visitor.pages))
    if event_task is not None:
        await event_task  # raises the event's failure, if any
        event_done = event_done or time.monotonic()
    return logins, time.monotonic() - started, event_done
