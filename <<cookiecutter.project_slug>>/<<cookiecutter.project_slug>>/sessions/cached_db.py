"""Sessions read from Redis, written through to the database: the site's lean `db` store with
the cache in front of it.

A request's session is read from the cache (no SQL statement); only a miss reads the database
and fills the cache. Every save writes the database first (it is the record: a Redis restart,
flush or eviction logs nobody out) and then the cache, in the statements of the `db` store:
one per login.

The cache is an accelerator, never a dependency: when it cannot be reached (cache_guard.py
leaves it alone for a few seconds then), every operation goes on with the database alone.

- A read falls back to the database.
- A save is in the database; its cached copy is removed once the cache answers again.
- A key rotation (login) cannot remove the old key's copy at once: that copy holds the session
  as it was before the rotation, of nobody or of the same person (Django flushes, not rotates,
  a session that changes hands), and is removed once the cache answers again.
- A deletion (logout, a session ended by Facebook's callbacks) cannot remove the cached copy,
  which would log the person in again if it were read before its removal. So it also ends
  every session of the person it belonged to, through the user model's session generation
  (accounts.User.end_sessions): Django checks the session's auth hash against the user's row,
  which the cache does not serve, on every request, so no cached copy outlives it.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.cache import caches

from . import db
from .cache_guard import guard_for

KEY_PREFIX = "sessions:"


class SessionStore(db.SessionStore):
    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        self._guard = guard_for(settings.SESSION_CACHE_ALIAS)
        super().__init__(session_key)

    @staticmethod
    def _cache_key(session_key):
        return KEY_PREFIX + session_key

    def _cached(self, operation, *args, stale_keys=()):
        """(True, result), or (False, None) when the cache is out of reach."""
        return self._guard.call(self._cache, operation, *args, stale_keys=stale_keys)

    def load(self):
        if self.session_key is None:
            # No key, no session: what Django's own stores answer.
            return {}
        key = self._cache_key(self.session_key)
        _, data = self._cached("get", key)
        if data is None:
            row = self._get_session_from_db()
            if row is None:
                return {}
            data = self.decode(row.session_data)
            self._cached("set", key, data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def exists(self, session_key):
        """Whether a session is stored under the key: the cache first, as Django's cached_db."""
        if session_key:
            _, cached = self._cached("has_key", self._cache_key(session_key))
            if cached:
                return True
        return super().exists(session_key)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        if self._rotated and self._stored_key is not None:
            old = self._cache_key(self._stored_key)
            self._cached("delete", old, stale_keys=[old])
        super().save(must_create)
        key = self._cache_key(self.session_key)
        self._cached("set", key, self._session, self.get_expiry_age(), stale_keys=[key])

    def delete(self, session_key=None):
        own = session_key is None or session_key == self.session_key
        loaded = self._session_cache if own and hasattr(self, "_session_cache") else {}
        keys = self._keys_of(session_key)
        if not keys:
            return
        cache_keys = [self._cache_key(key) for key in keys]
        removed, _ = self._cached("delete_many", cache_keys, stale_keys=cache_keys)
        if not removed:
            people = self._people_of(keys, loaded)
            if people:
                get_user_model().end_sessions(people)
        self._sessions().filter(session_key__in=keys).delete()

    def _people_of(self, keys, loaded):
        """The ids of the users logged in to the sessions stored under these keys (or in the
        data already loaded), read from the database before the rows go."""
        rows = self._sessions().filter(session_key__in=keys).values_list("session_data", flat=True)
        people = {self.decode(data).get(SESSION_KEY) for data in rows}
        people.add(loaded.get(SESSION_KEY))
        people.discard(None)
        return people
