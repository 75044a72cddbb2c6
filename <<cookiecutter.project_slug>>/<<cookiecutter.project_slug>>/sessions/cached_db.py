"""Sessions read from Redis, written through to the database: the site's lean `db` store with
the cache in front of it.

A request's session is read from the cache (no SQL statement); only a miss reads the database
and fills the cache. Every save writes the database first (it is the record: a Redis restart,
flush or eviction logs nobody out) and then the cache, in the statements of the `db` store:
one per login. When the cache cannot be reached, reads fall back to the database, and a save
logs the failure and goes on, as Django's `cached_db` does. A key rotation and a deletion
remove the old key from the cache first and fail if they cannot: a logged-out or rotated
session must not come back from a cache that was only out of reach.
"""

import logging

from django.conf import settings
from django.core.cache import caches

from . import db

logger = logging.getLogger("django.contrib.sessions")

KEY_PREFIX = "sessions:"


class SessionStore(db.SessionStore):
    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        super().__init__(session_key)

    @staticmethod
    def _cache_key(session_key):
        return KEY_PREFIX + session_key

    def load(self):
        key = self._cache_key(self.session_key)
        try:
            data = self._cache.get(key)
        except Exception:  # the cache is out of reach (or refuses the key): use the database
            logger.warning("Session cache unavailable; reading the database", exc_info=True)
            data = None
        if data is None:
            row = self._get_session_from_db()
            if row is None:
                return {}
            data = self.decode(row.session_data)
            self._cache_set(key, data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        if self._rotated and self._stored_key is not None:
            self._cache.delete(self._cache_key(self._stored_key))
        super().save(must_create)
        self._cache_set(self._cache_key(self.session_key), self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        keys = self._keys_of(session_key)
        if keys:
            self._cache.delete_many([self._cache_key(key) for key in keys])
            self._sessions().filter(session_key__in=keys).delete()

    def _cache_set(self, key, data, timeout):
        try:
            self._cache.set(key, data, timeout)
        except Exception:
            logger.warning("Session cache unavailable; the session is in the database only")
