"""`make run PORT=N`: a whole Facebook login in Chromium on a port other than 8000.

Local settings leave FAKEBOOK_URL unset: the dialog and the site's Graph calls must reach
the stand-in on the port the server really runs on (see dev_server.py).
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.own_server, pytest.mark.slow]


def test_facebook_login_on_another_port(chromium, dev_server):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{dev_server.url}/")
        page.get_by_role("link", name="Log in with Facebook").first.click()
        page.wait_for_url(f"{dev_server.url}/fakebook/www/**")
        page.get_by_role("button", name="Continue as Ada Lovelace").click()
        page.wait_for_url(f"{dev_server.url}/accounts/welcome/")
        assert "Ada" in page.locator("h1").first.inner_text()
        page.goto(f"{dev_server.url}/accounts/profile/")
        assert "Ada Lovelace" in page.content()
    finally:
        context.close()
