"""Compile the site's translation catalogs (locale/*/LC_MESSAGES/django.po) into the .mo files
Django reads, with Babel: pure Python, so a fresh machine needs no GNU gettext.

`python3 tasks.py install` runs it, and so does the container image's build; the .mo files are
build output, never committed (docs/languages.md). Entries without a translation, and fuzzy
ones, are left out, so Django falls back to the catalogs of Django and of the registration
system, then to the English msgid.

    python -m config.catalogs            # compile every catalog under locale/
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalog(po_path: Path) -> Path:
    """Write the .mo beside one .po file; return its path."""
    with po_path.open("rb") as file:
        catalog = read_po(file)
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as file:
        write_mo(file, catalog, use_fuzzy=False)
    return mo_path


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return [compile_catalog(path) for path in sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))]


if __name__ == "__main__":
    compiled = compile_all()
    print(f"compiled {len(compiled)} catalogs in {LOCALE_DIR}", flush=True)
    sys.exit(0)
