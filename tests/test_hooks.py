"""Fast tests of baking: the answers the hooks accept and refuse, and what a bake leaves."""

import importlib.util
import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from bakes import BACKENDS
from conftest import TEMPLATE_DIR, run
from cookiecutter.exceptions import FailedHookException

# One bad value per rule of the answers' check (local_extensions.py).
BAD_ANSWERS = [
    ("project_slug", "1abc"),
    ("project_slug", "class"),
    ("project_slug", "django"),
    ("project_slug", "Has-Caps"),
    ("domain_name", "http://x.com"),
    ("domain_name", "no_dots"),
    ("facebook_app_id", "12ab"),
    ("facebook_api_version", "26.0"),
    ("facebook_api_version", "v26"),
    ("email", "nope"),
    ("email", "a" * 70 + "@example.com"),
    ("domain_name", "a" * 60 + ".example"),
    ("project_name", 'Bob\'s "Site"'),
    ("author_name", "Back\\slash"),
    ("author_name", "x" * 61),
    ("description", "two\nlines"),
    ("default_language", "xx"),
    ("default_language", "pt_BR"),
]

# Cookiecutter's own markers in this template (see _jinja2_env_vars in cookiecutter.json):
# a block or comment marker anywhere, or a variable marker beside the word cookiecutter.
LEFTOVER_MARKER = re.compile(r"<%|%>|<#|#>|<<-?\s*cookiecutter|cookiecutter[\w.|()'\", ]*>>")


def hook_names(answers):
    """The post-gen hook's module-level names for these answers, read from the hook itself."""
    source = (TEMPLATE_DIR / "hooks" / "post_gen_project.py").read_text()
    source = source.replace("<< cookiecutter|tojson >>", json.dumps(answers))
    namespace = {"__name__": "post_gen_project"}  # not "__main__": define, don't run
    exec(compile(source, "post_gen_project.py", "exec"), namespace)  # noqa: S102 -- our own hook
    return namespace


def option_files(answers):
    """The post-gen hook's OPTION_FILES for these answers, read from the hook itself."""
    return hook_names(answers)["OPTION_FILES"]


def text_files(root):
    """(path, text) of every file under root that is text; binaries are skipped."""
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            yield path, data.decode("utf-8")
        except UnicodeDecodeError:
            continue


def test_bake_with_defaults_writes_private_env(bake, tmp_path):
    site = bake(tmp_path)

    assert site == tmp_path / "facebook_connect_site"
    assert (site / "manage.py").is_file()
    env = site / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    key = re.search(r"^DJANGO_SECRET_KEY=(\S+)$", env.read_text(), re.MULTILINE)
    assert key, env.read_text()
    assert len(key.group(1)) >= 50


def test_every_bake_gets_its_own_secret_key(bake, tmp_path):
    first = bake(tmp_path / "first") / ".env"
    second = bake(tmp_path / "second") / ".env"

    assert first.read_text() != second.read_text()


def test_project_slug_is_derived_from_project_name(bake, tmp_path):
    site = bake(tmp_path, project_name="My Great Site")

    assert site.name == "my_great_site"
    assert (site / "my_great_site" / "__init__.py").is_file()


def test_answers_with_apostrophes_and_unicode_are_baked_intact(bake, tmp_path):
    site = bake(tmp_path, project_name="Bob's Café", project_slug="bobs_site")

    assert 'SITE_NAME = "Bob\'s Café"' in (site / "config/settings/base.py").read_text()


@pytest.mark.parametrize(("field", "value"), BAD_ANSWERS)
def test_bad_answer_is_refused_with_one_line_and_nothing_written(bake, tmp_path, field, value):
    with pytest.raises(FailedHookException) as refused:
        bake(tmp_path, **{field: value})

    lines = str(refused.value).splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"ERROR: {field}:"), lines
    assert list(tmp_path.iterdir()) == []


def test_the_message_after_a_bake_tells_how_to_use_another_port(bake, tmp_path, capfd):
    bake(tmp_path)

    assert "make run PORT=8102" in capfd.readouterr().err


def template_tasks():
    """The template's tasks.py, loaded as a module."""
    spec = importlib.util.spec_from_file_location("template_tasks", TEMPLATE_DIR / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


def test_the_message_after_a_bake_names_the_port_it_is_given(bake, tmp_path, capfd, monkeypatch):
    monkeypatch.setenv(template_tasks().RUN_PORT_VARIABLE, "8201")

    bake(tmp_path)

    message = capfd.readouterr().err
    assert "make run PORT=8201 # virtualenv, migrations, dev server on http://127.0.0.1:8201/" in (
        message
    )
    assert "127.0.0.1:8000" not in message


class Handover(Exception):
    """Raised instead of tasks.py's exec of the baked site's own `tasks.py run`."""


def test_tasks_run_bakes_with_the_port_it_then_serves_on(
    cookiecutter_config, tmp_path, capfd, monkeypatch
):
    """`python3 tasks.py run --port 8201` in the template: the bake's message names port
    8201, the port the site's own `tasks.py run` is then started with."""
    tasks = template_tasks()
    venv = Path(sys.executable).parent.parent
    monkeypatch.setattr(tasks, "venv", lambda: 0)
    monkeypatch.setattr(tasks, "VENV", venv)
    monkeypatch.setattr(tasks, "PYTHON", Path(sys.executable))
    monkeypatch.setattr(tasks, "BUILD", tmp_path)
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(cookiecutter_config))
    monkeypatch.delenv(tasks.RUN_PORT_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)  # undoes cmd_run's chdir into the site after the test

    def execv(path, argv):
        raise Handover(argv)

    monkeypatch.setattr(os, "execv", execv)

    with pytest.raises(Handover) as handover:
        tasks.cmd_run(["--port", "8201"])

    assert handover.value.args[0][-3:] == ["run", "--port", "8201"]
    message = capfd.readouterr().err
    assert "make run PORT=8201" in message
    assert "http://127.0.0.1:8201/" in message
    assert "127.0.0.1:8000" not in message


@pytest.mark.parametrize(
    ("args", "port"),
    [([], None), (["--port", "8201"], "8201"), (["--port=8202"], "8202"), (["--port", "x"], None)],
)
def test_tasks_run_reads_the_port_as_the_site_does(args, port):
    assert template_tasks().requested_port(args) == port


def cookiecutter_cli(cookiecutter_config, *args, cwd=None, typed=None):
    """Run cookiecutter's own command line (this venv's, the one tasks.py installs) with the
    tests' config, as a person would; `typed` is what they type at the prompts."""
    return subprocess.run(
        [Path(sys.executable).parent / "cookiecutter", "--config-file", cookiecutter_config, *args],
        cwd=cwd,
        input=typed,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def cookiecutter_command(cookiecutter_config, output_dir, *answers):
    """The command line on the template, without prompts, with these answers."""
    return cookiecutter_cli(
        cookiecutter_config, "--no-input", "--output-dir", output_dir, TEMPLATE_DIR, *answers
    )


def test_the_command_line_prints_the_refusal_alone(cookiecutter_config, tmp_path):
    result = cookiecutter_command(
        cookiecutter_config, tmp_path, "project_slug=Has-Caps", "email=nope"
    )

    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "ERROR: project_slug: 'Has-Caps' must start with a lower-case letter and hold only "
        "lower-case letters, digits and underscores (at most 50)",
        "ERROR: email: 'nope' is not an email address of at most 80 characters",
    ]
    assert list(tmp_path.iterdir()) == []


def test_answers_typed_at_the_prompts_are_checked_after_the_last_one(cookiecutter_config, tmp_path):
    """What README.md ("The prompts") says: the answers are checked together once the last
    prompt is answered, before anything is written; a bad one is not refused as it is typed."""
    readme = " ".join((TEMPLATE_DIR / "README.md").read_text().split())
    assert "checks the answers all together, once the last prompt is answered" in readme
    context = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    names = [name for name in context if not name.startswith("_")]
    prompts = len(names)
    # Enter (the default) for every prompt but the slug and the email.
    answers = {"project_slug": "Has-Caps", "email": "nope"}
    typed = "".join(f"{answers.get(name, '')}\n" for name in names)

    result = cookiecutter_cli(
        cookiecutter_config, "--output-dir", tmp_path, TEMPLATE_DIR, typed=typed
    )

    assert result.returncode == 1, result.stdout + result.stderr
    last_prompt = result.stdout.index(f"[{prompts}/{prompts}]")
    assert result.stdout.index("ERROR: project_slug:") > last_prompt
    assert result.stdout.index("ERROR: email:") > last_prompt
    assert list(tmp_path.iterdir()) == []


def readme_bake_command():
    """The hand bake README.md shows ("The prompts"), as its words."""
    readme = (TEMPLATE_DIR / "README.md").read_text()
    (line,) = [line for line in readme.splitlines() if line.startswith(".venv/bin/cookiecutter ")]
    return shlex.split(line)


def test_the_readmes_hand_bake_command_bakes_that_system(cookiecutter_config, tmp_path):
    """README.md's command, run as written from the template's folder, but with this venv's
    cookiecutter (the one tasks.py installs in .venv/) and its output under tmp_path."""
    program, *args = readme_bake_command()
    assert program == ".venv/bin/cookiecutter"
    output = args.index("--output-dir") + 1
    args[output] = str(tmp_path / args[output])

    result = cookiecutter_cli(cookiecutter_config, *args, cwd=TEMPLATE_DIR)

    assert result.returncode == 0, result.stdout + result.stderr
    (site,) = Path(args[output]).iterdir()
    assert (site / "tests" / "test_userena.py").is_file()
    assert "registration_backend=userena" in args


def test_the_command_line_refuses_an_unknown_backend_with_its_own_error(
    cookiecutter_config, tmp_path
):
    """cookiecutter checks a choice given on the command line itself, before our check runs,
    and reports it with its own traceback (the README says so)."""
    result = cookiecutter_command(cookiecutter_config, tmp_path, "registration_backend=social")

    assert result.returncode != 0
    assert "ValueError: social provided for choice variable registration_backend" in (result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_unknown_backend_is_refused_and_nothing_written(bake, tmp_path):
    # Cookiecutter itself refuses a value outside the choice list, before any hook runs.
    with pytest.raises(ValueError, match="registration_backend"):
        bake(tmp_path, registration_backend="social")

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_file_of_an_unchosen_backend_is_left(bake, tmp_path, backend):
    site = bake(tmp_path, registration_backend=backend)
    answers = {"project_slug": site.name, "registration_backend": backend}

    left = [
        relative
        for option, paths in option_files(answers).items()
        if option != backend
        for relative in paths
        if (site / relative).exists()
    ]
    assert left == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_file_some_backends_share_is_left_for_those_only(bake, tmp_path, backend):
    site = bake(tmp_path, registration_backend=backend)
    answers = {"project_slug": site.name, "registration_backend": backend}
    shared = hook_names(answers)["SHARED_OPTION_FILES"]

    assert {option for options in shared.values() for option in options} <= set(BACKENDS)
    wrong = [
        relative
        for relative, options in shared.items()
        if (site / relative).exists() != (backend in options)
    ]
    assert wrong == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_template_marker_is_left(bake, tmp_path, backend):
    site = bake(tmp_path, registration_backend=backend)

    leftovers = [
        f"{path.relative_to(site)}:{number}: {line.strip()}"
        for path, text in text_files(site)
        # The record of the bake names the template's delimiters, as data.
        if path.name != ".cruft.json"
        for number, line in enumerate(text.splitlines(), start=1)
        if LEFTOVER_MARKER.search(line)
    ]
    assert leftovers == []
    named = [str(path.relative_to(site)) for path in site.rglob("*") if "cookiecutter" in path.name]
    assert named == []


def test_bake_records_its_origin_for_cruft_and_no_secret(bake, tmp_path):
    site = bake(tmp_path, registration_backend="userena")

    record = json.loads((site / ".cruft.json").read_text())
    head = run(["git", "rev-parse", "HEAD"], TEMPLATE_DIR).strip()
    answers = record["context"]["cookiecutter"]
    template = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    assert record["template"] == answers["_template"] == str(TEMPLATE_DIR)
    assert record["commit"] == answers["_commit"] == head
    assert answers["_template_version"] == template["_template_version"]
    assert answers["registration_backend"] == "userena"
    assert answers["project_slug"] == site.name
    # Nothing about the machine that baked it, and no secret.
    assert not {"_output_dir", "_repo_dir"} & set(answers)
    secret_key = re.search(r"^DJANGO_SECRET_KEY=(\S+)$", (site / ".env").read_text(), re.M)
    assert secret_key.group(1) not in (site / ".cruft.json").read_text()
    assert not [key for key in answers if re.search("secret|password|token", key, re.I)]


def test_the_site_security_policy_names_its_owner_and_template_release(bake, tmp_path):
    site = bake(tmp_path, author_name="Ada Lovelace", email="security@analytical.example")

    policy = (site / "SECURITY.md").read_text()
    version = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["_template_version"]
    assert "Ada Lovelace at security@analytical.example" in policy
    assert f"release\n{version}" in policy or f"release {version}" in policy
    assert "cruft update" in policy and "Python 3.11 to 3.14" in policy


def test_the_prompt_and_the_site_check_hold_one_api_version_rule():
    """The prompt refuses what the site's system check would (django_facebook.E003)."""
    checks = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "django_facebook" / "checks.py"
    pattern = re.search(r'VERSION_RE = re\.compile\(r"([^"]+)"\)', checks.read_text()).group(1)
    spec = importlib.util.spec_from_file_location(
        "extensions", TEMPLATE_DIR / "local_extensions.py"
    )
    extensions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(extensions)
    assert extensions.VERSION_RE.pattern == pattern
    assert extensions.REGISTRATION_BACKENDS == BACKENDS


def test_the_prompt_and_the_site_offer_the_same_languages():
    """local_extensions.py accepts as default_language exactly the languages the site's
    settings have catalogs for (SITE_LANGUAGES in config/settings/base.py)."""
    extensions = importlib.util.spec_from_file_location(
        "local_extensions", TEMPLATE_DIR / "local_extensions.py"
    )
    module = importlib.util.module_from_spec(extensions)
    extensions.loader.exec_module(module)
    settings = (
        TEMPLATE_DIR / "<<cookiecutter.project_slug>>" / "config/settings/base.py"
    ).read_text()
    block = settings.split("SITE_LANGUAGES = {", 1)[1].split("}", 1)[0]
    assert tuple(re.findall(r'^\s*"([a-z-]+)":', block, re.M)) == module.SITE_LANGUAGES


def test_changelog_names_the_template_version():
    version = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["_template_version"]
    changelog = (TEMPLATE_DIR / "CHANGELOG.md").read_text()

    assert re.fullmatch(r"20\d\d\.\d{1,2}\.\d+", version), version
    first_release = re.search(r"^## (\S+)", changelog, re.M)
    assert first_release.group(1) == version


@pytest.mark.parametrize(
    ("licence", "first_line"),
    [
        ("MIT", "MIT License"),
        ("BSD-3-Clause", "BSD 3-Clause License"),
        ("Apache-2.0", "Apache License"),
        ("GPL-3.0-or-later", "GNU GENERAL PUBLIC LICENSE"),
        ("Not open source", "Copyright (c)"),
    ],
)
def test_the_chosen_licence_is_the_sites_licence(bake, tmp_path, licence, first_line):
    site = bake(tmp_path, license=licence, author_name="Ada Lovelace")

    text = (site / "LICENSE").read_text()
    assert text.strip().startswith(first_line), text[:200]
    if licence in ("MIT", "BSD-3-Clause", "Not open source"):
        assert "Ada Lovelace" in text.splitlines()[0 if licence == "Not open source" else 2]
    if licence == "Not open source":
        assert "All rights reserved" in text
    assert not (site / "licenses").exists()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_bake_holds_its_systems_lock_as_requirements_txt(bake, tmp_path, backend):
    site = bake(tmp_path, registration_backend=backend)

    lock = TEMPLATE_DIR / "<<cookiecutter.project_slug>>" / "locks" / f"{backend}.txt"
    assert (site / "requirements.txt").read_text() == lock.read_text()
    assert not (site / "locks").exists()


# A relative link of a Markdown page: [text](target), not a URL and not an anchor alone.
MARKDOWN_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)\s]+)\)")


def broken_links(pages, root):
    """'page: target' for every relative link of `pages` naming no file under `root`."""
    broken = []
    for page in pages:
        for target in MARKDOWN_LINK.findall(page.read_text()):
            path = unquote(target.split("#")[0])
            if (
                not (page.parent / path).resolve().is_relative_to(root.resolve())
                or not (page.parent / path).exists()
            ):
                broken.append(f"{page.relative_to(root)}: {target}")
    return broken


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_documentation_link_of_a_bake_leads_to_a_page_it_has(bake, tmp_path, backend):
    """The site's README and docs/ link only to pages the bake holds: a system's own page
    (docs/userena.md) is linked only in its sites."""
    site = bake(tmp_path, registration_backend=backend)
    pages = [site / "README.md", *sorted((site / "docs").glob("*.md"))]

    assert broken_links(pages, site) == []
    linked = {Path(unquote(t)).name for p in pages for t in MARKDOWN_LINK.findall(p.read_text())}
    unlinked = [p.name for p in pages[1:] if p.name not in linked]
    assert unlinked == [], "pages of docs/ that no page links to"


def test_every_documentation_link_of_the_template_leads_to_a_page_it_has():
    pages = [TEMPLATE_DIR / "README.md", *sorted((TEMPLATE_DIR / "docs").glob("*.md"))]

    assert broken_links(pages, TEMPLATE_DIR) == []
