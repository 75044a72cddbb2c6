"""A small HTTP "browser" over requests: follows redirects, keeps cookies, submits forms.

The integration tests use it to go through the Facebook stand-in's dialog over real HTTP,
as a person's browser would, without the weight of a real browser.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from django.urls import reverse


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)
    buttons: list = field(default_factory=list)  # (text, name, value)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []
        self._button = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                Form(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            )
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            self._add_field(attrs)
        elif tag == "input" and attrs.get("type") == "submit":
            self.forms[-1].buttons.append(
                (attrs.get("value", ""), attrs.get("name"), attrs.get("value", ""))
            )
        elif tag == "button":
            self._button = [attrs.get("name"), attrs.get("value", ""), ""]

    def _add_field(self, attrs):
        """What a browser sends of an input: nothing for a disabled one or an unticked box;
        a box's value beside those of the other ticked boxes of its name."""
        kind = attrs.get("type")
        if "disabled" in attrs or (kind in ("checkbox", "radio") and "checked" not in attrs):
            return
        fields, name = self.forms[-1].fields, attrs["name"]
        value = attrs.get("value", "on" if kind == "checkbox" else "")
        if kind == "checkbox" and name in fields:
            previous = fields[name]
            fields[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            fields[name] = value

    def handle_data(self, data):
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None and self.forms:
            name, value, text = self._button
            self.forms[-1].buttons.append((" ".join(text.split()), name, value))
            self._button = None


class InputParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attrs = dict(attrs)
            self.inputs[attrs.get("name")] = attrs


def inputs_of(html):
    """{name: attributes} of the page's <input> elements, to check what a browser is told."""
    parser = InputParser()
    parser.feed(html)
    return parser.inputs


def password_page(client, **request):
    """The page the account page's password link leads to, after its redirects (an allauth
    site sends `accounts:password` on to allauth's own set or change page): its path, and the
    names of its password inputs in order (the systems name them differently). `request`: the
    test client's other arguments (headers...)."""
    response = client.get(reverse("accounts:password"), follow=True, **request)
    assert response.status_code == 200
    inputs = inputs_of(response.content.decode())
    names = [name for name, attrs in inputs.items() if attrs.get("type") == "password"]
    return response.request["PATH_INFO"], names


class Browser:
    def __init__(self):
        self.session = requests.Session()
        self.response = None

    def get(self, url, **params):
        self.response = self.session.get(url, params=params, timeout=30)
        return self.response

    def click(self, button_text, unticked=(), fill=None):
        """Submit the form holding the button whose text contains `button_text`, with the
        boxes of the values in `unticked` unticked and the fields of `fill` filled in."""
        parser = FormParser()
        parser.feed(self.response.text)
        for form in parser.forms:
            for text, name, value in form.buttons:
                if button_text in text:
                    data = {
                        key: [item for item in field if item not in unticked]
                        if isinstance(field, list)
                        else field
                        for key, field in form.fields.items()
                        if isinstance(field, list) or field not in unticked
                    }
                    data.update(fill or {})
                    if name:
                        data[name] = value
                    url = urljoin(self.response.url, form.action)
                    if form.method == "post":
                        self.response = self.session.post(
                            url, data=data, headers={"Referer": self.response.url}, timeout=30
                        )
                    else:
                        self.response = self.session.get(url, params=data, timeout=30)
                    return self.response
        raise AssertionError(f"no button {button_text!r} on {self.response.url}")


def login_with_facebook(site, browser, person, **params):
    """Start at the site, continue as `person` in the dialog; return the final path+query."""
    browser.get(f"{site}/facebook/login/", **params)
    assert "/fakebook/www/" in browser.response.url
    browser.click(f"Continue as {person}")
    return path_of(browser.response.url)


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
