"""The update path, end to end and offline, with real git repositories: a site baked at
template commit A and edited by its owner takes template commit B with cruft, as the site's
docs/updates.md tells a person to, and a later commit C that touches a line the
owner changed too is reported as a conflict.

The template repository is a copy of this checkout's files (committed or not), so the test
proves the template as it is on disk.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bakes import PYTHON3, clean_env
from conftest import TEMPLATE_DIR, run
from cookiecutter.main import cookiecutter

pytestmark = pytest.mark.slow

# A throwaway identity for the test's commits, so that no git config is needed.
GIT = ["git", "-c", "user.name=Site Owner", "-c", "user.email=owner@example.com"]
CRUFT = [sys.executable, "-m", "cruft"]
# The owner's tests and the site's own tests of what the update touches (signed requests, the
# connect flow through the owner's registration backend), run on the updated site.
UPDATED_SITE_TESTS = [
    "tests/test_about_page.py",
    "tests/test_signed_request.py",
    "tests/test_connect_flow.py",
]

# Template commit B: a line in django_facebook/ and a setting.
B_FACEBOOK_OLD = "CLOCK_SKEW = 300\n"
B_FACEBOOK_NEW = "CLOCK_SKEW = 240  # seconds a signed request may come from the future\n"
B_SETTING_ANCHOR = 'WSGI_APPLICATION = "config.wsgi.application"\n'
B_SETTING = "SESSION_COOKIE_AGE = 14 * 24 * 60 * 60  # two weeks, stated\n"

# The owner's edits.
OWNER_BACKEND = '''
    def post_connect(self, request, user, action):
        """The owner's change: log each connect, then do as before."""
        logger.info("facebook connect: %s by user %s", action, user.pk)
        return super().post_connect(request, user, action)
'''
OWNER_SETTING = '\nSUPPORT_EMAIL = "help@example.com"\n'
OWNER_PAGE = """{% extends "base.html" %}
{% block title %}About us{% endblock %}
{% block content %}
  <h1>About us</h1>
{% endblock %}
"""
OWNER_PAGE_TEST = '''"""The owner's own page."""


def test_about_page(client):
    response = client.get("/about/")

    assert response.status_code == 200
    assert b"About us" in response.content
'''
OWNER_ROUTE = (
    '    path("about/", TemplateView.as_view(template_name="about.html"), name="about"),\n'
)
ADMINS_LINE = "ADMINS = [(ADMIN_NAME, ADMIN_EMAIL)]\n"
OWNER_ADMINS_LINE = 'ADMINS = [(ADMIN_NAME, ADMIN_EMAIL), ("Support", "help@example.com")]\n'
# Template commit C changes the very line the owner changed.
C_ADMINS_LINE = 'ADMINS = [("Site admins", ADMIN_EMAIL)]\n'


def git(*args, cwd):
    return run([*GIT, *args], cwd=cwd)


def cruft(*args, cwd):
    """cruft's exit code and output (a failing `cruft check` is an answer, not an error)."""
    result = subprocess.run(
        [*CRUFT, *args],
        cwd=cwd,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def edit(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new))


def template_copy(destination):
    """This checkout's template files, as git sees them (tracked and new, not ignored)."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], TEMPLATE_DIR
    )
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE_DIR / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet committed
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    git("init", "-q", "-b", "main", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "A", cwd=destination)
    return destination


def commit_template(template, message, *edits):
    site = template / "<<cookiecutter.project_slug>>"
    for relative, old, new in edits:
        edit(site / relative, old, new)
    git("commit", "-q", "-am", message, cwd=template)


def make_owner_edits(site):
    slug = site.name
    backends = site / slug / "accounts" / "backends.py"
    edit(
        backends,
        "from django_facebook.registration_backends",
        "import logging\n\nfrom django_facebook.registration_backends",
    )
    edit(
        backends,
        "from .welcome import WelcomeNewUsers\n",
        "from .welcome import WelcomeNewUsers\n\nlogger = logging.getLogger(__name__)\n",
    )
    backends.write_text(backends.read_text() + OWNER_BACKEND)
    settings = site / "config" / "settings" / "base.py"
    settings.write_text(settings.read_text() + OWNER_SETTING)
    edit(settings, ADMINS_LINE, OWNER_ADMINS_LINE)
    (site / slug / "templates" / "about.html").write_text(OWNER_PAGE)
    (site / "tests" / "test_about_page.py").write_text(OWNER_PAGE_TEST)
    edit(site / "config" / "urls.py", '    path("admin/"', OWNER_ROUTE + '    path("admin/"')


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return template_copy(tmp_path_factory.mktemp("template-repo"))


@pytest.fixture(scope="module")
def owned_site(template, cookiecutter_config, tmp_path_factory):
    """A site baked at template commit A with plain cookiecutter (its post-gen hook writes
    .cruft.json), in its own git repository, with the owner's edits committed."""
    site = Path(
        cookiecutter(
            str(template),
            no_input=True,
            extra_context={"registration_backend": "builtin"},
            output_dir=str(tmp_path_factory.mktemp("owned")),
            config_file=str(cookiecutter_config),
        )
    )
    git("init", "-q", "-b", "main", cwd=site)
    git("add", "-A", cwd=site)
    git("commit", "-q", "-m", "Baked from the template", cwd=site)
    make_owner_edits(site)
    git("add", "-A", cwd=site)
    git("commit", "-q", "-m", "The owner's changes", cwd=site)
    return site


def test_cruft_create_works_with_the_custom_delimiters(template, tmp_path):
    code, output = cruft(
        "create",
        "--no-input",
        "--output-dir",
        str(tmp_path),
        "--extra-context",
        '{"registration_backend": "django-registration"}',
        str(template),
        cwd=tmp_path,
    )

    assert code == 0, output
    (site,) = tmp_path.iterdir()
    record = json.loads((site / ".cruft.json").read_text())
    assert record["template"] == str(template)
    assert record["commit"] == git("rev-parse", "HEAD", cwd=template).strip()
    assert record["context"]["cookiecutter"]["registration_backend"] == "django-registration"
    assert (site / "django_facebook" / "django_registration_views.py").is_file()


@pytest.fixture(scope="module")
def update(template, owned_site):
    """Template commit B, then the owner's `cruft check` (behind), `cruft update`, `cruft
    check` again; returns each step's exit code and output."""
    commit_template(
        template,
        "B: a line in django_facebook/ and a setting",
        ("django_facebook/signed_request.py", B_FACEBOOK_OLD, B_FACEBOOK_NEW),
        ("config/settings/base.py", B_SETTING_ANCHOR, B_SETTING_ANCHOR + B_SETTING),
    )
    steps = {"check before": cruft("check", cwd=owned_site)}
    started = time.monotonic()
    steps["update"] = cruft("update", "--skip-apply-ask", cwd=owned_site)
    steps["seconds"] = time.monotonic() - started
    steps["check after"] = cruft("check", cwd=owned_site)
    return steps


def test_check_fails_while_behind_the_template(update):
    code, output = update["check before"]

    assert code == 1, output
    assert "out of date" in output, output


def test_update_brings_the_template_change_and_keeps_every_local_edit(update, owned_site, capsys):
    code, output = update["update"]
    assert code == 0, output
    with capsys.disabled():
        print(f"\n--- cruft update took {update['seconds']:.1f} s")

    slug = owned_site.name
    signed_request = (owned_site / "django_facebook" / "signed_request.py").read_text()
    settings = (owned_site / "config" / "settings" / "base.py").read_text()
    assert B_FACEBOOK_NEW in signed_request
    assert B_SETTING_ANCHOR + B_SETTING in settings
    # The owner's edits, every one.
    assert OWNER_BACKEND in (owned_site / slug / "accounts" / "backends.py").read_text()
    assert settings.endswith(OWNER_SETTING)
    assert OWNER_ADMINS_LINE in settings
    assert OWNER_ROUTE in (owned_site / "config" / "urls.py").read_text()
    assert (owned_site / slug / "templates" / "about.html").read_text() == OWNER_PAGE
    assert (owned_site / "tests" / "test_about_page.py").read_text() == OWNER_PAGE_TEST
    # A clean merge: nothing unmerged, no rejected hunks, and the record names commit B.
    assert git("diff", "--name-only", "--diff-filter=U", cwd=owned_site) == ""
    assert not list(owned_site.rglob("*.rej"))


def test_check_passes_after_the_update(update):
    code, output = update["check after"]

    assert code == 0, output
    assert "up to date" in output, output


def test_updated_site_tests_pass(update, owned_site, capsys):
    git("add", "-A", cwd=owned_site)
    git("commit", "-q", "-m", "Template update B", cwd=owned_site)

    output = run(
        [PYTHON3, "tasks.py", "test", "-q", "-p", "no:cacheprovider", *UPDATED_SITE_TESTS],
        cwd=owned_site,
        env=clean_env(),
    )

    with capsys.disabled():
        print("\n--- updated site: " + output.rstrip().splitlines()[-1])


def test_a_line_both_changed_is_reported_as_a_conflict(update, template, owned_site):
    git("add", "-A", cwd=owned_site)
    git("commit", "-q", "--allow-empty", "-m", "Template update B", cwd=owned_site)
    commit_template(
        template,
        "C: the same setting line",
        ("config/settings/base.py", ADMINS_LINE, C_ADMINS_LINE),
    )

    code, output = cruft("update", "--skip-apply-ask", cwd=owned_site)

    assert code == 0, output
    # cruft passes on git's own report, which names the file; git marks it unmerged, and the
    # file holds both versions between conflict markers.
    assert "Applied patch to 'config/settings/base.py' with conflicts." in output, output
    assert "U config/settings/base.py" in output, output
    unmerged = git("diff", "--name-only", "--diff-filter=U", cwd=owned_site).split()
    assert unmerged == ["config/settings/base.py"]
    settings = (owned_site / "config" / "settings" / "base.py").read_text()
    assert "<<<<<<< ours\n" + OWNER_ADMINS_LINE + "=======\n" + C_ADMINS_LINE in settings
