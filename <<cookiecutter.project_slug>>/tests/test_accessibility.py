"""Every page a person can reach passes axe-core with no serious or critical finding.

axe-core (tests/vendor/axe.min.js, see the README there) runs in Chromium on each page. The
pages are found as a person finds them, and more: from the home page and from every URL of
the site that takes no parameter, every link on the site is followed, first as a visitor,
then logged in with the stand-in's Facebook; the pages no link leads to (404, 403, the
stand-in's dialog and its error page, "complete your account", the notice of a cancelled
login, a data deletion status) are opened on purpose; in English, German and Arabic (right to
left), the browser asking for the language as a person's does. The findings of every page, by
impact, are written to test-results/axe-<language>.json.
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver
from django.utils import translation
from django.utils.translation import gettext

from django_facebook.models import DataDeletionRequest

from .chromium import RESULTS, expect_error_status, log_in_with_facebook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.slow]

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text()
BLOCKING = {"serious", "critical"}
# Not pages: the admin (staff only), files, the stand-in's Graph API, and links that act.
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/fakebook/graph/", "/favicon.ico")
SKIPPED_SUFFIXES = ("/mugshot/",)
MAX_PAGES = 60


def axe_findings(page):
    """axe-core's violations on the page as loaded: [{id, impact, nodes: [selectors]}]."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern: the
    # site's policy (no inline script) stays as it is served.
    page.evaluate(AXE)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "nodes": [" ".join(node["target"]) for node in violation["nodes"]],
        }
        for violation in violations
    ]


class Scan:
    """The findings of every page scanned, by name (a path, or a description)."""

    def __init__(self, page, base):
        self.page = page
        self.base = base
        self.results = {}

    def here(self, name):
        self.results[name] = axe_findings(self.page)

    def open(self, path, name=None):
        self.page.goto(self.base + path)
        self.here(name or path)

    def crawl(self, start, label):
        """Scan `start`, every parameterless URL, and every page linked from them."""
        queue, seen = [start, *parameterless_paths()], set()
        while queue and len(seen) < MAX_PAGES:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            # Asked first without the page, so that what is no page (a POST-only URL's 405,
            # a file) is skipped without an error in the browser's console.
            probe = self.page.request.get(self.base + path)
            if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
                continue
            self.page.goto(self.base + path)
            name = f"{label} {urlsplit(self.page.url).path}"
            if name in self.results:  # a redirect to a page scanned already
                continue
            self.here(name)
            for href in self.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
                link = urlsplit(href)
                # One visit per page: a query string (?next=...) gives the same page.
                if f"{link.scheme}://{link.netloc}" == self.base and self._is_page(link.path):
                    queue.append(link.path)

    @staticmethod
    def _is_page(path):
        return not path.startswith(SKIPPED_PREFIXES) and not path.endswith(SKIPPED_SUFFIXES)

    def blocking(self):
        return {
            name: [f"{finding['id']} ({finding['impact']}): {finding['nodes'][:3]}"]
            for name, findings in self.results.items()
            for finding in findings
            if finding["impact"] in BLOCKING
        }

    def write(self):
        RESULTS.mkdir(exist_ok=True)
        summary = {
            name: {impact: sum(f["impact"] == impact for f in findings) for impact in IMPACTS}
            | {"findings": findings}
            for name, findings in self.results.items()
        }
        path = RESULTS / f"axe-{self.page.language}.json"
        path.write_text(json.dumps(summary, indent=2) + "\n")


IMPACTS = ("critical", "serious", "moderate", "minor")


def parameterless_paths(resolver=None, prefix="/"):
    """The path of every URL pattern of the site that takes no parameter."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = str(pattern.pattern).removeprefix("^").removesuffix("$")
        if pattern.pattern.regex.groups or "(" in route or "[" in route:
            continue
        if isinstance(pattern, URLResolver):
            yield from parameterless_paths(pattern, prefix + route)
        elif Scan._is_page(prefix + route):
            yield prefix + route


@pytest.mark.parametrize("page", ["en", "de", "ar"], indirect=True)
def test_no_page_has_a_serious_or_critical_axe_finding(page, live_server, settings):
    """The names of the buttons clicked are the page's language's (gettext)."""
    with translation.override(page.language):
        scan_every_page(page, live_server.url, settings)


def scan_every_page(page, base, settings):
    scan = Scan(page, base)
    scan.crawl("/", "visitor")

    missing = f"{base}/no-such-page/"
    expect_error_status(page, missing, 404)
    scan.open("/no-such-page/", "404 page")
    code = DataDeletionRequest.objects.create(facebook_id_digest="0" * 64, issued_at=0)
    scan.open(f"/facebook/data-deletion/{code.confirmation_code}/", "data deletion status")
    dialog = f"{base}/fakebook/www/{settings.FACEBOOK_API_VERSION}/dialog/oauth?client_id=1"
    expect_error_status(page, dialog, 400)
    page.goto(dialog)
    scan.here("stand-in: dialog error page")
    # The 403 pages: rendered on a page of the site, so that they get its stylesheet.
    page.goto(f"{base}/")
    for template in ("403.html", "403_csrf.html"):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        page.set_content(render_to_string(template, {"request": request}, request=request))
        scan.here(template.replace(".html", " page"))

    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name=gettext("Log in with Facebook")).first.click()
    scan.here("stand-in: login dialog")
    page.get_by_role("button", name=gettext("Cancel")).click()
    page.wait_for_load_state()
    scan.here("cancelled login notice")

    log_in_with_facebook(page, base, "Grace Hopper")
    page.wait_for_url(f"{base}/facebook/register/")
    scan.here("complete your account")
    # A form that did not pass answers 400 with its errors, which Chromium logs.
    expect_error_status(page, f"{base}/facebook/register/", 400)
    page.get_by_role("button", name=gettext("Create my account")).click()
    page.wait_for_load_state()
    scan.here("complete your account, with errors")

    page.context.clear_cookies()
    log_in_with_facebook(page, base, "Alan Turing")
    page.wait_for_url(f"{base}/facebook/register/")
    scan.here("complete your account, the email declined")
    page.get_by_role("button", name=gettext("Share my email with Facebook")).click()
    page.wait_for_load_state()
    scan.here("stand-in: login dialog, asking again")

    page.context.clear_cookies()
    log_in_with_facebook(page, base, "Katherine Johnson")
    page.wait_for_url(f"{base}/accounts/welcome/")
    scan.crawl("/accounts/welcome/", "logged in")
    scan.open("/fakebook/www/settings/apps/", "stand-in: apps and websites")

    scan.write()
    assert len(scan.results) >= 15
    assert scan.blocking() == {}
