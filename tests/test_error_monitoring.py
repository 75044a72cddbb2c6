"""The error_monitoring choice: off by default (no Sentry file, dependency or setting), and a
site baked with Sentry has its files and lints clean. The Sentry site's own tests (its
scrubbed events, tests/test_sentry.py) run with the userena bake of test_baked_sites.py."""

import pytest
from conftest import ruff, run

SENTRY_FILES = ["config/sentry.py", "tests/test_sentry.py"]


def test_the_default_has_no_error_monitoring(bake, tmp_path):
    site = bake(tmp_path)

    for path in SENTRY_FILES:
        assert not (site / path).exists()
    assert "sentry" not in (site / "pyproject.toml").read_text()
    assert "sentry" not in (site / "config/settings/production.py").read_text()


@pytest.fixture(scope="module")
def sentry_site(bake, tmp_path_factory):
    return bake(tmp_path_factory.mktemp("sentry"), error_monitoring="sentry")


def test_sentry_site_has_its_files_and_lints_clean(sentry_site):
    for path in SENTRY_FILES:
        assert (sentry_site / path).is_file()
    assert '"sentry-sdk[django]' in (sentry_site / "pyproject.toml").read_text()
    run(ruff("check", "--no-cache", "."), cwd=sentry_site)
    run(ruff("format", "--check", "--no-cache", "."), cwd=sentry_site)
