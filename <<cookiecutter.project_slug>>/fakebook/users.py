"""The stand-in's test users: the people who can "log in with Facebook" offline.

Each one exercises a case a real Facebook login meets: an ordinary profile, a profile with
no email (people who signed up by phone), a person who declines the email permission, and a
name with accents. Their ids play app-scoped user ids (Facebook's User docs): strings of
digits, never numbers, 15 to 17 digits long.
"""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class TestUser:
    """A Facebook profile, and the permissions its owner refuses in the login dialog."""

    __test__ = False  # not a pytest test class, despite the name

    id: str
    name: str
    first_name: str
    last_name: str
    email: str | None = None
    declines: frozenset[str] = field(default_factory=frozenset)

    @property
    def initials(self):
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    def granted(self, requested):
        """The permissions this person grants when asked for `requested`.

        `public_profile` is always granted and cannot be declined (Facebook's User docs).
        """
        return sorted({"public_profile", *requested} - (self.declines - {"public_profile"}))


USERS = (
    TestUser(
        id="112233445566771",
        name="Ada Lovelace",
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
    ),
    TestUser(
        id="1029384756473829",
        name="Grace Hopper",
        first_name="Grace",
        last_name="Hopper",
        email=None,
    ),
    TestUser(
        id="10987654321012345",
        name="Alan Turing",
        first_name="Alan",
        last_name="Turing",
        email="alan@example.com",
        declines=frozenset({"email"}),
    ),
    TestUser(
        id="120000000000042",
        name="Katherine Johnson",
        first_name="Katherine",
        last_name="Johnson",
        email="katherine@example.com",
    ),
    TestUser(
        id="1357924680135792",
        name="Émilie du Châtelet",
        first_name="Émilie",
        last_name="du Châtelet",
        email="emilie@example.com",
    ),
)

_BY_ID = {user.id: user for user in USERS}

# Load tests (the template's scripts/scale_out/) play many people: with
# FAKEBOOK_LOAD_PEOPLE = N, the ids LOAD_PERSON_BASE + 0 ... N - 1 are people too. They are
# not offered in the dialog; a client picks one by posting its id, as the dialog's form does.
LOAD_PERSON_BASE = 1990000000000000


def load_person(number):
    """The load tests' person `number`: "Load Person <number>", load<number>@example.org."""
    return TestUser(
        id=str(LOAD_PERSON_BASE + number),
        name=f"Load Person {number}",
        first_name="Load",
        last_name=f"Person {number}",
        email=f"load{number}@example.org",
    )


def get_user(user_id):
    """The test user with this id, or None."""
    user = _BY_ID.get(str(user_id))
    if user is None and str(user_id).isdigit():
        number = int(user_id) - LOAD_PERSON_BASE
        if 0 <= number < getattr(settings, "FAKEBOOK_LOAD_PEOPLE", 0):
            return load_person(number)
    return user
