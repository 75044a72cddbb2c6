"""Finish the generated site: drop the files of the options not chosen, write .env.

An option of the template changes whole files: every registration system owns the files
listed in OPTION_FILES, and the files of the systems not chosen are removed here, so the
baked site holds no module it does not use. Where every site has a file that differs per
system (OPTION_REPLACEMENTS), the chosen system's version takes its place.
"""

import json
import os
import secrets
import shutil
import sys
from pathlib import Path

ANSWERS = json.loads(r"""<< cookiecutter|tojson >>""")
SLUG = ANSWERS["project_slug"]

# Paths relative to the generated site, owned by one registration system each.
OPTION_FILES = {
    "builtin": [
        "django_facebook/auth_urls.py",
        "django_facebook/registration_views.py",
        f"{SLUG}/templates/registration/registration_form.html",
        f"{SLUG}/templates/registration/registration_closed.html",
        "tests/test_builtin_registration.py",
    ],
    "django-registration": [
        "django_facebook/registration_backends/django_registration.py",
        "django_facebook/django_registration_views.py",
        "django_facebook/django_registration_urls.py",
        f"{SLUG}/accounts/backends_django_registration.py",
        f"{SLUG}/templates/django_registration",
        "tests/test_django_registration.py",
    ],
    "userena": [
        "django_facebook/registration_backends/userena.py",
        f"{SLUG}/accounts/backends_userena.py",
        f"{SLUG}/profiles",
        f"{SLUG}/templates/userena",
        "tests/test_userena.py",
        "tests/test_shared_storage.py",
    ],
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
}


def remove_unchosen(root, chosen):
    for option, paths in OPTION_FILES.items():
        if option == chosen:
            continue
        for relative in paths:
            path = root / relative
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def remove_unchosen_choices(root):
    for prompt, files in CHOICE_FILES.items():
        for answer, paths in files.items():
            if ANSWERS[prompt] != answer:
                for relative in paths:
                    (root / relative).unlink(missing_ok=True)


def replace_shared(root, chosen):
    for source, destination in OPTION_REPLACEMENTS.get(chosen, {}).items():
        (root / source).replace(root / destination)


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


def main():
    root = Path.cwd()
    remove_unchosen(root, ANSWERS["registration_backend"])
    replace_shared(root, ANSWERS["registration_backend"])
    remove_unchosen_choices(root)
    write_env(root)
    print(
        f"\nYour site is in {root}.\n"
        "Next:\n"
        f"  cd {root}\n"
        "  make run      # virtualenv, migrations, dev server on http://127.0.0.1:8000/\n"
        "                # (make run PORT=8102: on another port; everything follows it)\n"
        "  make test     # the site's tests\n",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
