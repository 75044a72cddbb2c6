"""A small HTTP "browser" over requests: follows redirects, keeps cookies, submits forms.

The integration tests use it to go through the Facebook stand-in's dialog over real HTTP,
as a person's browser would, without the weight of a real browser.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests


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
            self.forms[-1].fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "input" and attrs.get("type") == "submit":
            self.forms[-1].buttons.append(
                (attrs.get("value", ""), attrs.get("name"), attrs.get("value", ""))
            )
        elif tag == "button":
            self._button = [attrs.get("name"), attrs.get("value", ""), ""]

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


class Browser:
    def __init__(self):
        self.session = requests.Session()
        self.response = None

    def get(self, url, **params):
        self.response = self.session.get(url, params=params, timeout=30)
        return self.response

    def click(self, button_text):
        """Submit the form holding the button whose text contains `button_text`."""
        parser = FormParser()
        parser.feed(self.response.text)
        for form in parser.forms:
            for text, name, value in form.buttons:
                if button_text in text:
                    data = dict(form.fields)
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
