"""Finish the generated site: drop the files of the options not chosen, write .env.

An option of the template changes whole files: every registration system owns the files
listed in OPTION_FILES, and the files of the systems not chosen are removed here, so the
baked site holds no module it does not use. Where every site has a file that differs per
system (OPTION_REPLACEMENTS), the chosen system's version takes its place. A file that some
systems share, but not every one, is in SHARED_OPTION_FILES.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from cookiecutter.config import BUILTIN_ABBREVIATIONS
from cookiecutter.repository import expand_abbreviations, is_repo_url, is_zip_file

ANSWERS = json.loads(r"""<< cookiecutter|tojson >>""")
SLUG = ANSWERS["project_slug"]

# Paths relative to the generated site, owned by one registration system each.
OPTION_FILES = {
    "builtin": [
        "django_facebook/auth_urls.py",
        "django_facebook/registration_views.py",
        "tests/test_builtin_registration.py",
    ],
    "django-registration": [
        "django_facebook/registration_backends/django_registration.py",
        "django_facebook/django_registration_views.py",
        "django_facebook/django_registration_urls.py",
        f"{SLUG}/accounts/backends_django_registration.py",
        f"{SLUG}/templates/django_registration",
        "docs/django-registration.md",
        "tests/test_django_registration.py",
    ],
    "userena": [
        "django_facebook/registration_backends/userena.py",
        # The picture fetcher: only userena's backend keeps a picture (its mugshot).
        "django_facebook/pictures.py",
        f"{SLUG}/accounts/backends_userena.py",
        f"{SLUG}/profiles",
        f"{SLUG}/templates/userena",
        "docs/userena.md",
        "tests/test_userena.py",
        "tests/test_shared_storage.py",
    ],
    "allauth": [
        "django_facebook/registration_backends/allauth.py",
        "django_facebook/allauth_urls.py",
        f"{SLUG}/accounts/backends_allauth.py",
        f"{SLUG}/accounts/adapter.py",
        f"{SLUG}/accounts/apps_allauth.py",
        f"{SLUG}/accounts/urls_allauth.py",
        f"{SLUG}/accounts/allauth_cache.py",
        f"{SLUG}/templates/allauth",
        f"{SLUG}/templates/account",
        "docs/allauth.md",
        "tests/test_allauth.py",
    ],
}

# Files some registration systems share, but not every one: {path: the systems that use it}.
# The sites of the other systems lose them, as they lose OPTION_FILES.
SHARED_OPTION_FILES = {
    # django_registration/registration_closed.html extends it.
    f"{SLUG}/templates/registration/registration_closed.html": ("builtin", "django-registration"),
    # allauth's own rate limits guard its password side.
    f"{SLUG}/password_limits.py": ("builtin", "django-registration", "userena"),
    "tests/test_password_limits.py": ("builtin", "django-registration", "userena"),
    "docs/password-limits.md": ("builtin", "django-registration", "userena"),
    # allauth's own password pages take the place of the site's.
    f"{SLUG}/accounts/password_page.py": ("builtin", "django-registration", "userena"),
    f"{SLUG}/templates/accounts/password.html": ("builtin", "django-registration", "userena"),
}

# Files of the other generation-time choices: {prompt: {answer: paths}}; a site keeps only
# those of the answer given.
CHOICE_FILES = {
    "error_monitoring": {
        "sentry": ["config/sentry.py", "tests/test_sentry.py"],
    },
}

# An option's own version of a file every site has, put in its place when the option is
# chosen: {option: {source: destination}}. Each source is in OPTION_FILES too, so the sites of
# the other options lose it. One whole module per option, never template conditionals in it.
OPTION_REPLACEMENTS = {
    "django-registration": {
        f"{SLUG}/accounts/backends_django_registration.py": f"{SLUG}/accounts/backends.py",
    },
    "userena": {
        f"{SLUG}/accounts/backends_userena.py": f"{SLUG}/accounts/backends.py",
    },
    "allauth": {
        f"{SLUG}/accounts/backends_allauth.py": f"{SLUG}/accounts/backends.py",
        f"{SLUG}/accounts/apps_allauth.py": f"{SLUG}/accounts/apps.py",
        f"{SLUG}/accounts/urls_allauth.py": f"{SLUG}/accounts/urls.py",
    },
}


# The text of each licence the site can choose (cookiecutter.json's "license"), in licenses/;
# the chosen one becomes LICENSE and the folder goes.
LICENSE_TEXTS = {
    "MIT": "MIT.txt",
    "BSD-3-Clause": "BSD-3-Clause.txt",
    "Apache-2.0": "Apache-2.0.txt",
    "GPL-3.0-or-later": "GPL-3.0-or-later.txt",
    "Not open source": "not-open-source.txt",
}

# The choices besides the registration system that add dependencies: each answer but "none"
# has locks of its own.
LOCKED_CHOICES = ("error_monitoring",)


def lock_name(answers):
    """The lock of this combination of answers, in locks/ (python3 tasks.py lock in the
    template makes one per combination): "userena.txt", "builtin+sentry.txt". It becomes the
    site's requirements.txt, which `make install` installs."""
    choices = [answers[choice] for choice in LOCKED_CHOICES if answers[choice] != "none"]
    return "+".join([answers["registration_backend"], *choices]) + ".txt"


# The file cruft (the update tool, the site's docs/updates.md) reads.
ORIGIN_FILE = ".cruft.json"
# Keys cookiecutter adds that describe the baking machine, not the site: left out of the record.
MACHINE_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def remove_unchosen(root, chosen):
    for option, paths in OPTION_FILES.items():
        if option == chosen:
            continue
        for relative in paths:
            remove(root / relative)
    for relative, options in SHARED_OPTION_FILES.items():
        if chosen not in options:
            remove(root / relative)


def remove_unchosen_choices(root):
    for prompt, files in CHOICE_FILES.items():
        for answer, paths in files.items():
            if ANSWERS[prompt] != answer:
                for relative in paths:
                    (root / relative).unlink(missing_ok=True)


def replace_shared(root, chosen):
    for source, destination in OPTION_REPLACEMENTS.get(chosen, {}).items():
        (root / source).replace(root / destination)


def keep_one(root, folder, name, destination):
    """Move folder/name to destination and remove the folder with the files not chosen."""
    (root / folder / name).replace(root / destination)
    shutil.rmtree(root / folder)


def local_path(typed):
    """A local path as cookiecutter passes it: as typed (perhaps "."), relative to the
    directory cookiecutter was started in. This hook runs in the new site; PWD still names
    that directory."""
    return Path(os.environ.get("PWD", "."), typed).expanduser().resolve()


def template_source(answers):
    """Where cruft can fetch the template again: the repository URL it was baked from
    (abbreviations such as gh: expanded), or the absolute path of a local template."""
    template = answers.get("_template") or ""
    if is_repo_url(template) or is_zip_file(template):
        return expand_abbreviations(template, BUILTIN_ABBREVIATIONS)
    return str(local_path(template))


def template_commit(answers):
    """The template's git commit: cruft passes it; for a plain cookiecutter bake, the HEAD of
    the template's checkout (cookiecutter's clone of a URL, or the local directory), or None
    if it is not a git checkout. Uncommitted changes in a local template are not recorded:
    bake from a commit to update from it later."""
    if answers.get("_commit"):
        return answers["_commit"]
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 -- git from PATH, as cruft runs it
            cwd=local_path(answers.get("_repo_dir") or ""),
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def write_origin(root, answers):
    """Record the template's source, version, commit and the answers in .cruft.json, in
    cruft's own format, so that `cruft check/diff/update` work on any bake, not only on one
    made by `cruft create` (which writes the same file after this hook).

    The answers hold no secret: the prompts ask for none, and the secret key lives in .env.
    """
    if (root / ORIGIN_FILE).exists():
        return
    source = template_source(answers)
    commit = template_commit(answers)
    context = {key: value for key, value in answers.items() if key not in MACHINE_KEYS}
    context.update(_template=source, _commit=commit)
    origin = {
        "template": source,
        "commit": commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": None,
    }
    (root / ORIGIN_FILE).write_text(json.dumps(origin, indent=2, ensure_ascii=False) + "\n")


def write_env(root):
    """Write .env with a fresh SECRET_KEY; it is git-ignored and never overwritten."""
    env = root / ".env"
    if env.exists():
        return
    lines = [
        "# Local settings for this checkout; never commit this file.",
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}",
        f"FACEBOOK_APP_ID={ANSWERS['facebook_app_id']}",
        "# Set the app secret here (or in the environment) to use the real Facebook",
        "# instead of the offline stand-in:",
        "# FACEBOOK_APP_SECRET=",
        "",
    ]
    # Created readable by the owner only, before the secret is written into it.
    descriptor = os.open(env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("\n".join(lines))


# The port `make run` serves the site on unless told otherwise (the site's Makefile).
DEFAULT_PORT = 8000


def run_port():
    """The port the new site is about to be served on: the template's `tasks.py run --port N`
    bakes with it in TEMPLATE_RUN_PORT (and then runs the site on it); any other bake gets
    `make run`'s default. Anything but a port number is ignored."""
    port = os.environ.get("TEMPLATE_RUN_PORT", "")
    if re.fullmatch(r"[0-9]{1,5}", port) and 0 < int(port) < 65536:
        return int(port)
    return DEFAULT_PORT


def main():
    root = Path.cwd()
    remove_unchosen(root, ANSWERS["registration_backend"])
    replace_shared(root, ANSWERS["registration_backend"])
    remove_unchosen_choices(root)
    keep_one(root, "licenses", LICENSE_TEXTS[ANSWERS["license"]], "LICENSE")
    keep_one(root, "locks", lock_name(ANSWERS), "requirements.txt")
    write_origin(root, ANSWERS)
    write_env(root)
    port = run_port()
    make_run = "make run" if port == DEFAULT_PORT else f"make run PORT={port}"
    print(
        f"\nYour site is in {root}.\n"
        "Next:\n"
        f"  cd {root}\n"
        f"  {make_run:<13} # virtualenv, migrations, dev server on http://127.0.0.1:{port}/\n"
        "                # (make run PORT=8102: on another port; everything follows it)\n"
        "  make test     # the site's tests\n",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
