"""The Graph API versions: the day Facebook released each and the day it stops serving it.

Facebook serves a version until about two years after the next one ships, then answers its
calls as the oldest version it still serves. The system checks read this table to warn from
WARNING_DAYS before the pinned version's end (django_facebook.W002) and to fail after it
(django_facebook.E012); `manage.py facebook_app` prints the pinned version's status
(docs/facebook-app.md, "The Graph API version").

The table is the template's, copied from Facebook's changelog (SOURCE): each template release
brings the versions and the end dates Facebook has announced since, and `cruft update`
brings them into the site (docs/updates.md). An end of None is one Facebook has not
announced (its changelog says "TBD"): the checks say nothing about such a version. Facebook
announces an end long before it (some two years after the next version ships), and the
template release that brings the date brings the warning with it. A version missing from the
table (one released after the table was last updated) is not checked either.

Only vN.0 versions are listed: the only ones FACEBOOK_API_VERSION accepts (check E003). Every
function takes the day to judge by, `today`, so that tests can fix the clock; only the
callers (checks.py, the command) ask for date.today().
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

# Days before a version's end from which `manage.py check` warns (django_facebook.W002).
WARNING_DAYS = 180
SOURCE = "https://developers.facebook.com/docs/graph-api/changelog/versions/"
MODULE = "django_facebook/graph_versions.py"

State = Literal["unknown", "unannounced", "supported", "ending", "ended"]


@dataclass(frozen=True)
class GraphVersion:
    """A Graph API version: "v26.0", released on `released`; `ends` is the day Facebook
    stops serving it ("Available Until" in its changelog), None while not announced."""

    name: str
    released: date
    ends: date | None


# Newest first, as Facebook's changelog lists them.
VERSIONS: tuple[GraphVersion, ...] = (
    # The introduction of v27.0 on Facebook's developer blog (2026-11-04); v26.0's end is
    # still "TBD" in the changelog.
    GraphVersion("v27.0", date(2026, 11, 4), None),
    GraphVersion("v26.0", date(2026, 7, 29), None),
    GraphVersion("v25.0", date(2026, 2, 18), date(2028, 7, 29)),
    GraphVersion("v24.0", date(2025, 10, 8), date(2028, 2, 18)),
    GraphVersion("v23.0", date(2025, 5, 29), date(2027, 10, 8)),
    GraphVersion("v22.0", date(2025, 1, 21), date(2027, 5, 20)),
    GraphVersion("v21.0", date(2024, 10, 2), date(2027, 1, 21)),
    GraphVersion("v20.0", date(2024, 5, 21), date(2026, 9, 24)),
    GraphVersion("v19.0", date(2024, 1, 23), date(2026, 5, 21)),
    GraphVersion("v18.0", date(2023, 9, 12), date(2026, 1, 26)),
    GraphVersion("v17.0", date(2023, 5, 23), date(2025, 9, 12)),
    GraphVersion("v16.0", date(2023, 2, 2), date(2025, 5, 14)),
    GraphVersion("v15.0", date(2022, 9, 15), date(2024, 11, 20)),
    GraphVersion("v14.0", date(2022, 5, 25), date(2024, 9, 17)),
    GraphVersion("v13.0", date(2022, 2, 8), date(2024, 5, 28)),
    GraphVersion("v12.0", date(2021, 9, 14), date(2024, 2, 8)),
    GraphVersion("v11.0", date(2021, 6, 8), date(2023, 9, 14)),
    GraphVersion("v10.0", date(2021, 2, 23), date(2023, 6, 8)),
    GraphVersion("v9.0", date(2020, 11, 10), date(2023, 2, 23)),
    GraphVersion("v8.0", date(2020, 8, 4), date(2022, 11, 1)),
    GraphVersion("v7.0", date(2020, 5, 5), date(2022, 8, 4)),
    GraphVersion("v6.0", date(2020, 2, 3), date(2022, 5, 5)),
    GraphVersion("v5.0", date(2019, 10, 29), date(2022, 2, 3)),
    GraphVersion("v4.0", date(2019, 7, 29), date(2021, 11, 2)),
    GraphVersion("v3.0", date(2018, 5, 1), date(2020, 7, 28)),
    GraphVersion("v2.0", date(2014, 4, 30), date(2016, 8, 7)),
    GraphVersion("v1.0", date(2010, 4, 21), date(2015, 4, 30)),
)


@dataclass(frozen=True)
class VersionStatus:
    """Where a version stands on `today`: its row of the table (None: not in it), its state
    and the days left to its end."""

    name: str
    version: GraphVersion | None
    today: date

    @property
    def ends(self) -> date | None:
        """The version's end; None: not announced, or not in the table."""
        return self.version.ends if self.version else None

    @property
    def days_left(self) -> int | None:
        """Days from `today` to the end (0 on the end day, negative after); None: no end known."""
        return None if self.ends is None else (self.ends - self.today).days

    @property
    def state(self) -> State:
        """unknown (not in the table), unannounced (no end yet), supported, ending (within
        WARNING_DAYS of the end) or ended (on the end day and after)."""
        if self.version is None:
            return "unknown"
        days_left = self.days_left
        if days_left is None:
            return "unannounced"
        if days_left <= 0:
            return "ended"
        if days_left <= WARNING_DAYS:
            return "ending"
        return "supported"


def find(name: str) -> GraphVersion | None:
    """The table's row of version `name` ("v26.0"), None if it has none."""
    return next((version for version in VERSIONS if version.name == name), None)


def newest(today: date) -> GraphVersion:
    """The newest version in the table released on or before `today`."""
    return max(
        (version for version in VERSIONS if version.released <= today),
        key=lambda version: version.released,
        default=max(VERSIONS, key=lambda version: version.released),
    )


def status(name: str, today: date) -> VersionStatus:
    """Where version `name` stands on `today`."""
    return VersionStatus(name=name, version=find(name), today=today)


def describe(name: str, today: date) -> str:
    """One line on version `name` for a developer, as `manage.py facebook_app` prints it."""
    current = status(name, today)
    version = current.version
    if version is None:
        return f"{name}: not in this site's table of Graph API versions ({MODULE})."
    released = f"{name}: released on {version.released.isoformat()}"
    days_left = current.days_left
    if current.ends is None or days_left is None:
        return f"{released}; Facebook has not announced its end."
    ends = current.ends.isoformat()
    if days_left == 0:
        return f"{released}; ended today, {ends}."
    if days_left < 0:
        return f"{released}; ended on {ends} ({days(-days_left)} ago)."
    return f"{released}; ends on {ends} ({days(days_left)} left)."


def days(count: int) -> str:
    """ "1 day", "12 days"."""
    return f"{count} day" if count == 1 else f"{count} days"
