"""Regenerate the site's catalogs, <site>/locale/<language>/LC_MESSAGES/django.po, from the
strings of every registration system at once.

Each bake holds one system's templates and code only, so its `tasks.py messages` finds that
system's strings alone: this script bakes each system, extracts with Django's makemessages
(GNU gettext) in it, and writes one catalog per language with the union, keeping every
translation already in the template's catalogs. Run it with a Python that has Babel (a
bake's .venv/bin/python):

    build/builtin/facebook_connect_site/.venv/bin/python scripts/catalogs.py SITE...

where each SITE is a bake (of a different system) whose `tasks.py install` has run.
"""

import subprocess
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "<<cookiecutter.project_slug>>" / "locale"
# Django's locale names of the languages of the site's settings (SITE_LANGUAGES), English
# aside: its msgids are the English text.
LANGUAGES = (
    *("ar", "de", "es", "fr", "it", "pt_BR", "nl", "pl"),
    *("tr", "ru", "uk", "ja", "ko", "zh_Hans", "hi", "id"),
)


def extract(site):
    """The site's catalog of one language (de) after its makemessages: every msgid it has."""
    (site / "locale" / "de").mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "tasks.py", "messages"], cwd=site, check=True)
    with (site / "locale" / "de" / "LC_MESSAGES" / "django.po").open("rb") as file:
        return read_po(file)


def babel_locale(language):
    return Locale.parse(language.replace("zh_Hans", "zh_Hans_CN"))


def existing(language):
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return None
    with path.open("rb") as file:
        return read_po(file)


def write(language, sources):
    old = existing(language)
    plural = get_plural(babel_locale(language))
    catalog = Catalog(
        locale=babel_locale(language),
        project="the site",
        charset="utf-8",
        fuzzy=False,
    )
    for source in sources:
        for message in source:
            if not message.id or catalog.get(message.id, message.context):
                continue
            translated = old.get(message.id, message.context) if old else None
            string = (
                translated.string
                if translated
                else (("",) * plural.num_plurals if message.pluralizable else "")
            )
            catalog.add(
                message.id,
                string,
                auto_comments=message.auto_comments,
                flags=[flag for flag in message.flags if flag != "fuzzy"],
                context=message.context,
            )
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=0, omit_header=True, sort_output=True)
    header = (
        'msgid ""\nmsgstr ""\n'
        '"Project-Id-Version: the site\\n"\n'
        f'"Language: {language}\\n"\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
        f'"Plural-Forms: nplurals={plural.num_plurals}; plural={plural.plural_expr};\\n"\n\n'
    )
    path.write_text(header + path.read_text(encoding="utf-8"), encoding="utf-8")
    return len(catalog)


def main(sites):
    sources = [extract(Path(site)) for site in sites]
    for language in LANGUAGES:
        count = write(language, sources)
    print(f"{len(LANGUAGES)} catalogs of {count} messages in {LOCALE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
