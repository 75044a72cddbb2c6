"""The database out of reach: the site's own 503 page (Retry-After, rendered without the
database) instead of the 500 page, pages that need no database still served, one log line per
minute of the outage, and a person whose account was just created told that it exists."""

import logging
import sys
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connections
from django.test import Client

from config.logs import OutageLogFilter
from django_facebook import signals
from << cookiecutter.project_slug >>.unavailable import server_error

from .conftest import facebook_login

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor fails as PostgreSQL's does when the server has gone away."""
    database = connections["default"]

    def broken_cursor(*args, **kwargs):
        raise database.Database.OperationalError("server closed the connection unexpectedly")

    def down():
        monkeypatch.setattr(type(database), "create_cursor", broken_cursor)

    return down


@contextmanager
def after_the_commit(receiver):
    """`receiver` runs once a registration is committed (facebook_user_registered)."""
    signals.facebook_user_registered.connect(receiver, dispatch_uid="after-the-commit")
    try:
        yield
    finally:
        signals.facebook_user_registered.disconnect(dispatch_uid="after-the-commit")


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def test_a_page_that_needs_no_database_is_still_served(visitor, database_down):
    database_down()
    response = visitor.get("/")

    assert response.status_code == 200


def test_a_page_that_needs_it_gets_the_sites_503_page(visitor, database_down):
    user = User.objects.create_user("ada", "ada@example.com", "a-long-passphrase-42")
    visitor.force_login(user)
    database_down()
    response = visitor.get("/accounts/profile/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    assert "Please try again in a minute" in page
    assert "server closed" not in page


def test_an_account_committed_before_the_outage_is_said_to_exist(visitor, graph, database_down):
    def outage_after_the_commit(**kwargs):
        database_down()

    with after_the_commit(outage_after_the_commit):
        response = facebook_login(visitor)

    assert response.status_code == 503
    assert "Your account is ready" in response.content.decode()


def test_any_error_after_the_commit_says_the_account_exists(visitor, graph):
    def broken_receiver(**kwargs):
        raise RuntimeError("a receiver of the site's")

    with after_the_commit(broken_receiver):
        response = facebook_login(visitor)

    assert response.status_code == 500
    assert "Your account is ready" in response.content.decode()
    assert User.objects.count() == 1


def test_other_errors_keep_the_500_page(rf):
    try:
        raise ZeroDivisionError
    except ZeroDivisionError:
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()
    assert "Your account is ready" not in response.content.decode()


def outage_record():
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        return logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error",
            None,
            sys.exc_info(),
        )


def test_the_outage_is_logged_once_a_minute():
    log_filter = OutageLogFilter(interval=60)
    other = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "other", None, None)

    assert [log_filter.filter(outage_record()) for _ in range(3)] == [True, False, False]
    assert log_filter.filter(other)
