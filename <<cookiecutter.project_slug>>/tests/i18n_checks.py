"""The checks of the translations, as functions the tests run on the site and on samples.

- `untranslated_template_text`: text of a template outside the translate tags, as a
  person would read it (whitespace, punctuation, {{ variables }} and known non-words aside).
- `unmarked_python_strings`: literal strings given where a person reads them (messages.*,
  ValidationError, help_text, label, verbose_name, a JSON refusal's message).
- `code_msgids`: every msgid of the code, extracted with Django's templatize and Babel's
  Python extractor, so no GNU gettext is needed.
- `catalog_problems`: `msgfmt --check` semantics, in Python: untranslated (unless Django's or
  the registration system's catalog translates the msgid), fuzzy or obsolete entries, and
  placeholders that differ from the msgid's.
"""

import ast
import gettext
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import django
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation import to_locale
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
# Where a person's text lives: the site's package, Django Facebook, the stand-in.
CODE_DIRS = [ROOT / settings.SITE_PACKAGE, ROOT / "django_facebook", ROOT / "fakebook"]
# Words that are the same in every language: names, codes, the brand.
NON_WORDS = {"Facebook", "facebook", "fakebook", "UTC", "HTTP", "id"}
WORD = re.compile(r"[^\W\d_]{2,}")
TAG = re.compile(r"<[^>]*>")
ATTRIBUTE = re.compile(r'\b(?:alt|aria-label|title|placeholder)="([^"]*)"')
# An attribute, read or not, outside its tag (a block of an attribute: ` action="..."`).
ANY_ATTRIBUTE = re.compile(r'\b[\w-]+="[^"]*"')
# A URL's query parameter in an email's link: ?activation_key=
QUERY_PARAMETER = re.compile(r"[?&][\w-]+=")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
TRANSLATE_CALLS = {name for name in KEYWORDS if name != "gettext_noop"} | {"capfirst"}


def template_files() -> list[Path]:
    return sorted(
        path
        for folder in CODE_DIRS
        for path in folder.rglob("templates/**/*")
        if path.suffix in {".html", ".txt"} and path.is_file()
    )


def python_files() -> list[Path]:
    return sorted(
        path
        for folder in CODE_DIRS
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts
    )


def words(text: str) -> list[str]:
    return [word for word in WORD.findall(text) if word not in NON_WORDS]


def untranslated_template_text(source: str) -> list[str]:
    """The words of `source` a person would read untranslated: its text outside comments,
    translations and the site's description, template tags and variables blanked out, then
    HTML tags removed but for the attributes a person reads."""
    visible: list[str] = []
    skip = 0  # depth inside a comment, a translation or the site's description
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in {"comment", "blocktranslate", "blocktrans"} or (
                token.contents == "block description"
            ):
                skip += 1
            elif name in {"endcomment", "endblocktranslate", "endblocktrans"} or (
                skip and name == "endblock"
            ):
                skip = max(0, skip - 1)
            visible.append(" ")
        elif token.token_type == TokenType.TEXT and not skip:
            visible.append(token.contents)
        else:
            visible.append(" ")
    text = "".join(visible)
    found = [word for value in ATTRIBUTE.findall(text) for word in words(value)]
    return found + words(QUERY_PARAMETER.sub(" ", ANY_ATTRIBUTE.sub(" ", TAG.sub(" ", text))))


def _is_literal(node: ast.AST | None) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(words(node.value))
    )


def unmarked_python_strings(source: str, json_messages: bool = True) -> list[str]:
    """Literal strings where a person reads them, each as "line: text". `json_messages`: a
    dict's "message" too (the app endpoints' refusals; not the stand-in's Graph API errors,
    which are Facebook's English for developers)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Call):
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            owner = getattr(getattr(function, "value", None), "id", "")
            if owner == "messages" and name in {"debug", "info", "success", "warning", "error"}:
                candidates += node.args[1:2]
            if name == "ValidationError":
                candidates += node.args[:1]
            candidates += [
                keyword.value
                for keyword in node.keywords
                if keyword.arg in {"help_text", "label", "verbose_name", "message"}
            ]
        if isinstance(node, ast.Dict) and json_messages:
            candidates += [
                value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "message"
            ]
        found += [
            f"{candidate.lineno}: {ast.unparse(candidate)}"
            for candidate in candidates
            if _is_literal(candidate)
        ]
    return found


def _python_msgids(source: str) -> Iterator[tuple[str | None, str]]:
    for _, function, message, _ in extract_python(io.BytesIO(source.encode()), KEYWORDS, [], {}):
        if function == "gettext_noop" and not isinstance(message, str):
            continue
        if isinstance(message, str):
            yield None, message
        elif function.startswith(("pgettext", "npgettext")):
            yield message[0], message[1]
        else:
            yield None, message[0]


def code_msgids() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string the code marks, as makemessages would extract them."""
    msgids: set[tuple[str | None, str]] = set()
    for path in template_files():
        python = templatize(path.read_text(), origin=str(path))
        # templatize keeps the template's indentation, which Python's tokenizer refuses.
        msgids.update(_python_msgids("\n".join(line.lstrip() for line in python.splitlines())))
    for path in python_files():
        msgids.update(_python_msgids(path.read_text()))
    return {(context, msgid) for context, msgid in msgids if msgid}


def catalog_paths() -> list[Path]:
    return sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po"))


def others_translate(language: str) -> gettext.NullTranslations:
    """Django's and every installed app's catalogs of `language`, the site's own aside: what
    the site shows already translated without a word of its own catalog."""
    translations = gettext.NullTranslations()
    site_locale = (ROOT / "locale").resolve()
    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    for folder in folders:
        if folder.resolve() == site_locale or not folder.is_dir():
            continue
        catalog = gettext.translation("django", folder, [language], fallback=True)
        if type(catalog) is not gettext.NullTranslations:
            translations.add_fallback(catalog)
    return translations


def _translated_elsewhere(
    others: gettext.NullTranslations, context: str | None, msgid: str
) -> bool:
    if context:
        return others.pgettext(context, msgid) != msgid
    return others.gettext(msgid) != msgid


def catalog_problems(
    po_path: Path,
    used: Iterable[tuple[str | None, str]] | None = None,
    others: gettext.NullTranslations | None = None,
) -> list[str]:
    """What msgfmt --check (and a translator's review) would refuse in one catalog. `used`:
    the msgids this site's code uses; an entry none of them is needs no translation here.
    `others`: the catalogs whose translation an empty entry may rely on."""
    with po_path.open("rb") as file:
        catalog = read_po(file)
    used_set = set(used) if used is not None else None
    others = others or gettext.NullTranslations()
    problems = [f"obsolete: {message.id!r}" for message in catalog.obsolete.values()]
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            needed = used_set is None or (message.context, ids[0]) in used_set
            if needed and not _translated_elsewhere(others, message.context, ids[0]):
                problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for string in strings:
            if sorted(set(PLACEHOLDER.findall(string))) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    return problems


def catalog_language(po_path: Path) -> str:
    return to_locale(po_path.parent.parent.name)


def english_left(text: str, language: str) -> list[str]:
    """The English of the site's catalog still to be read in `text`, a page shown in
    `language`: each msgid of three words or more (its longest stretch between placeholders
    and tags) whose translation differs, found verbatim. A page whose text is all translated
    gives []."""
    with (ROOT / "locale" / catalog_dir(language) / "LC_MESSAGES" / "django.po").open("rb") as file:
        catalog = read_po(file)
    found = []
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or not message.string:
            continue
        pieces = re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]*>", message.id)
        english = max(pieces, key=len).strip(" .,:;!?()")
        if len(english.split()) >= 3 and english not in message.string and english in text:
            found.append(english)
    return found


def catalog_dir(language: str) -> str:
    """Django's locale folder of a language code: "pt-br" is pt_BR, "zh-hans" zh_Hans."""
    return to_locale(language)
