"""The Graph API's bulkhead and breaker (django_facebook/graph_guard.py): a slow Facebook holds
at most FACEBOOK_GRAPH_CONCURRENCY threads of a process, and a failing one is not called again
for a while, then probed."""

import threading
import time
from contextlib import contextmanager

import pytest
import requests
import responses
from django.contrib.messages import get_messages

from django_facebook import exceptions, graph_guard
from django_facebook.graph import GraphClient

from .conftest import ADA, GRAPH, TOKEN, facebook_login, graph_error_body

pytestmark = [pytest.mark.django_db, pytest.mark.system_independent]
ME = f"{GRAPH}/me"


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def fail_with_timeouts(mock):
    return mock.add(responses.GET, ME, body=requests.ConnectTimeout("no answer"))


def call_me():
    return GraphClient().me(TOKEN, ["id"])


@contextmanager
def a_slow_call_in_flight(mock):
    """One Graph call holding its slot until the block ends; yields the requests Facebook got."""
    inside, release = threading.Event(), threading.Event()
    reached = []

    def slow_answer(request):
        reached.append(request)
        inside.set()
        release.wait(10)
        return 200, {}, '{"id": "1"}'

    mock.add_callback(responses.GET, ME, callback=slow_answer)
    first = threading.Thread(target=call_me)
    first.start()
    try:
        assert inside.wait(5)
        yield reached
    finally:
        release.set()
        first.join(10)


# A timed wait may end a hair before its deadline as the test's clock reads it.
CLOCK_SLACK = 0.01


def start_of_the_call_in_flight():
    """When the one call in flight began, by the guard's own clock: the waits count from it,
    so the tests' bounds do too, whatever the machine's load made of the moments between."""
    (began,) = graph_guard.guard.in_flight.values()
    return began


def test_a_call_beyond_the_slots_is_refused_after_its_wait(mock, settings):
    settings.FACEBOOK_GRAPH_CONCURRENCY = 1
    settings.FACEBOOK_GRAPH_QUEUE_SECONDS = 0.2
    with a_slow_call_in_flight(mock) as reached:
        began = start_of_the_call_in_flight()
        with pytest.raises(exceptions.FacebookBusy) as refused:
            call_me()
        # The wait ends 0.2 s after the call in flight began, not before.
        assert began + 0.2 - CLOCK_SLACK <= time.monotonic() < began + 1.0
        assert "slow right now" in str(refused.value.user_message)
        assert len(reached) == 1, "the refused call never reached Facebook"
    # The slot is free again.
    assert call_me() == {"id": "1"}


def test_no_call_waits_once_a_call_in_flight_is_slow(mock, settings):
    settings.FACEBOOK_GRAPH_CONCURRENCY = 1
    settings.FACEBOOK_GRAPH_QUEUE_SECONDS = 0.2
    with a_slow_call_in_flight(mock):
        time.sleep(0.3)  # the call in flight is now slower than the wait
        started = time.monotonic()
        with pytest.raises(exceptions.FacebookBusy):
            call_me()
        assert time.monotonic() - started < 0.1


def test_a_wait_ends_when_the_call_in_flight_turns_slow(mock, settings):
    """A call that came while the call in flight was young waits only until that call has
    taken longer than the wait, not the whole wait from its own start."""
    settings.FACEBOOK_GRAPH_CONCURRENCY = 1
    settings.FACEBOOK_GRAPH_QUEUE_SECONDS = 0.6
    with a_slow_call_in_flight(mock):
        began = start_of_the_call_in_flight()
        time.sleep(0.3)
        started = time.monotonic()
        with pytest.raises(exceptions.FacebookBusy):
            call_me()
        # Until the call in flight is 0.6 s old: before this call's own 0.6 s are up.
        assert began + 0.6 - CLOCK_SLACK <= time.monotonic() < started + 0.6


def test_no_more_calls_wait_than_the_queue_holds(mock, settings):
    """As Facebook turns slow its calls in flight are still young, so calls would wait: not
    more than FACEBOOK_GRAPH_QUEUE_LENGTH of them, or they would take every thread."""
    settings.FACEBOOK_GRAPH_CONCURRENCY = 1
    settings.FACEBOOK_GRAPH_QUEUE_SECONDS = 2
    settings.FACEBOOK_GRAPH_QUEUE_LENGTH = 1
    outcomes = []

    def wait_for_the_slot():
        try:
            outcomes.append(call_me())
        except exceptions.FacebookError as error:
            outcomes.append(error)

    with a_slow_call_in_flight(mock) as reached:
        waiter = threading.Thread(target=wait_for_the_slot)
        waiter.start()
        deadline = time.monotonic() + 5
        while not graph_guard.guard.waiting and time.monotonic() < deadline:
            time.sleep(0.01)
        assert graph_guard.guard.waiting == 1, "the first call beyond the slot waits"
        started = time.monotonic()
        with pytest.raises(exceptions.FacebookBusy):
            call_me()
        assert time.monotonic() - started < 0.1, "the second one is refused at once"
        assert len(reached) == 1
    waiter.join(5)
    # The slot came free within the wait (the slow call ended with the block): it got it.
    assert outcomes == [{"id": "1"}]
    assert graph_guard.guard.waiting == 0


def test_a_call_waits_for_a_slot_a_quick_call_frees(mock, settings):
    settings.FACEBOOK_GRAPH_CONCURRENCY = 1
    settings.FACEBOOK_GRAPH_QUEUE_SECONDS = 5
    inside = threading.Event()

    def quick_answer(request):
        inside.set()
        time.sleep(0.1)
        return 200, {}, '{"id": "1"}'

    mock.add_callback(responses.GET, ME, callback=quick_answer)
    first = threading.Thread(target=call_me)
    first.start()
    assert inside.wait(5)
    assert call_me() == {"id": "1"}
    first.join(5)


def test_repeated_failures_open_the_breaker_then_a_probe_closes_it(mock, settings):
    settings.FACEBOOK_GRAPH_BREAKER_FAILURES = 3
    settings.FACEBOOK_GRAPH_BREAKER_SECONDS = 60
    failing = fail_with_timeouts(mock)
    for _ in range(3):
        with pytest.raises(exceptions.FacebookUnreachable):
            call_me()
    calls = failing.call_count

    started = time.monotonic()
    with pytest.raises(exceptions.FacebookUnreachable) as fast:
        call_me()
    assert time.monotonic() - started < 0.1
    assert failing.call_count == calls, "an open breaker calls nobody"
    assert "could not be reached" in str(fast.value.user_message)

    settings.FACEBOOK_GRAPH_BREAKER_SECONDS = 0
    mock.replace(responses.GET, ME, json={"id": "1"})
    assert call_me() == {"id": "1"}
    assert call_me() == {"id": "1"}


def test_a_failed_probe_opens_the_breaker_again(mock, settings):
    settings.FACEBOOK_GRAPH_BREAKER_FAILURES = 2
    settings.FACEBOOK_GRAPH_BREAKER_SECONDS = 0
    failing = fail_with_timeouts(mock)
    for _ in range(2):
        with pytest.raises(exceptions.FacebookUnreachable):
            call_me()
    with pytest.raises(exceptions.FacebookUnreachable):
        call_me()  # the probe, which fails
    calls = failing.call_count
    settings.FACEBOOK_GRAPH_BREAKER_SECONDS = 60
    with pytest.raises(exceptions.FacebookUnreachable):
        call_me()
    assert failing.call_count == calls


def test_an_error_answer_is_facebook_being_there(mock, settings):
    settings.FACEBOOK_GRAPH_BREAKER_FAILURES = 2
    mock.add(responses.GET, ME, status=400, json=graph_error_body(190))
    for _ in range(5):
        with pytest.raises(exceptions.OAuthError):
            call_me()
    assert len(mock.calls) == 5


def test_a_login_while_the_breaker_is_open_ends_on_the_error_page(client, mock, settings):
    settings.FACEBOOK_GRAPH_BREAKER_FAILURES = 1
    settings.FACEBOOK_GRAPH_BREAKER_SECONDS = 60
    token = mock.add(
        responses.POST,
        f"{GRAPH}/oauth/access_token",
        body=requests.ConnectionError("refused"),
    )
    me = mock.add(responses.GET, ME, json=ADA)
    facebook_login(client, error_next="/oops/")
    tried = token.call_count

    response = facebook_login(client, error_next="/oops/")

    assert token.call_count == tried
    assert response["Location"] == "/oops/?fb_error_or_cancel=1"
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("could not be reached" in message for message in messages)
    assert me.call_count == 0
