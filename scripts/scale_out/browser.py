"""What one person's browser does to log in, step by step, and what it tells of a failure.

The load client and the visitor both log people in this way (browser_login): the login start,
the stand-in's dialog (its page, then the person's choice), the callback and the landing
page, which must show them logged in. A failed step is named by what the person saw (seen).
"""

import html
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx


@dataclass
class Login:
    ok: bool
    new: bool
    callback_seconds: float | None = None
    failure: str = ""
    started: float = 0.0


# What a person is shown when a login fails, by the words of the page they land on.
SEEN = {
    "Facebook is slow right now": "Facebook is slow (the site's message)",
    "Facebook could not be reached": "Facebook unreachable (the site's message)",
    "Temporarily unavailable": "the site's 503 page",
    "No server is available": "the load balancer's bare 503",
    "Sorry, something went wrong": "the site's 500 page",
}


TITLE = re.compile(r"<title>([^<]*)</title>")
MESSAGE = re.compile(r'<p class="message [^"]*"[^>]*>([^<]*)</p>')


def seen(step, response):
    """A failed step, named by what the person saw: a known page, else its status, title and
    the first message on it."""
    for words, label in SEEN.items():
        if words in response.text:
            return f"{step}: {label}"
    title, message = TITLE.search(response.text), MESSAGE.search(response.text)
    return (
        f"{step}: HTTP {response.status_code}"
        + (f" {title.group(1).strip()!r}" if title else "")
        + (f" saying {html.unescape(message.group(1).strip())!r}" if message else "")
    )


def logged_in(page, username):
    return username in page.text and "Log out" in page.text


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


async def choose(client, dialog_url, site_url, standin_url, user_id):
    """The stand-in's dialog: its page, then the person's choice of `user_id`; (the callback
    URL it sends the browser to, the failure if it does not)."""
    dialog = await client.get(dialog_url)
    token, action = CSRF.search(dialog.text), FORM_ACTION.search(dialog.text)
    if dialog.status_code != 200 or not token or not action:
        return None, f"dialog: HTTP {dialog.status_code}"
    chosen = await client.post(
        urljoin(dialog_url, html.unescape(action.group(1))),
        data={"csrfmiddlewaretoken": token.group(1), "user_id": user_id},
        headers={"Origin": standin_url, "Referer": dialog_url},
    )
    callback_url = chosen.headers.get("location", "")
    if chosen.status_code != 302 or not callback_url.startswith(site_url):
        return None, f"dialog answer: HTTP {chosen.status_code}"
    return callback_url, None


async def browser_login(client, site_url, standin_url, number, new):
    """The whole login a browser makes, for load person `number`; a Login."""
    username = f"load.person.{number}"
    user_id = str(1990000000000000 + number)
    step = "start"
    try:
        start = await client.get(f"{site_url}/facebook/login/", params={"next": "/"})
        dialog_url = start.headers.get("location", "")
        if start.status_code != 302 or not dialog_url.startswith(standin_url):
            return Login(False, new, failure=seen("start", start))
        step = "dialog"
        callback_url, failure = await choose(client, dialog_url, site_url, standin_url, user_id)
        if failure:
            return Login(False, new, failure=failure)
        step = "callback"
        started = time.monotonic()
        callback = await client.get(callback_url)
        callback_seconds = time.monotonic() - started
        landing = callback.headers.get("location", "")
        if callback.status_code == 200 and "Log out" in callback.text:
            # The load balancer sent the callback again to another host after the first went
            # away answering (it had logged the person in): the person sees a page, logged in.
            return Login(True, new, callback_seconds)
        if callback.status_code != 302:
            return Login(False, new, failure=seen("callback", callback))
        step = "landing"
        page = await client.get(urljoin(site_url, landing))
        if "fb_error_or_cancel" in landing:
            return Login(False, new, failure=seen("callback", page))
        if page.status_code != 200:
            return Login(False, new, failure=seen("landing", page))
        if not logged_in(page, username):
            return Login(False, new, failure="landing: not logged in")
        return Login(True, new, callback_seconds)
    except httpx.HTTPError as error:
        return Login(False, new, failure=f"{step}: {type(error).__name__}")
