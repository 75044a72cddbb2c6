"""Django's database sessions, with one SQL statement per login where Django spends six.

Logging in rotates the session key (against session fixation). Django's database store does
it at once: it asks whether a new random key is free (SELECT), inserts the session under it
(BEGIN, INSERT, COMMIT), reads the old row (SELECT) and deletes it (DELETE); the login's data
is then saved (BEGIN, UPDATE, COMMIT). Here the rotation only draws the new key, and the save
that ends the request renames the row and writes its data in one UPDATE. The old key is
gone from the database in the same statement that stores the new one, so the old key never
reaches the logged-in session.

Every write takes its columns from create_model_instance(), as Django's store does, so a
custom session model's own fields are written too (Django's documented way to extend it).

A new key is 32 random characters, so it is never looked up first: a duplicate would fail on
the primary key, and another key is drawn. A DELETE needs no read first. Every write is a
single statement, so it needs no transaction of its own; inside the caller's transaction it
gets a savepoint, so a duplicate key leaves that transaction usable.
"""

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import IntegrityError, router, transaction
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        # After cycle_key(): the key the session's row is stored under until the next save
        # (None: the session has no row yet).
        self._rotated = False
        self._stored_key = None

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self):
        """Draw a new key; the next save moves the row to it (Django's writes it at once)."""
        data = self._session
        if not self._rotated:
            self._rotated, self._stored_key = True, self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self.modified = True

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        rotated, stored_key = self._rotated, self._stored_key
        self._rotated, self._stored_key = False, None
        values = self._row_values(self._get_session(no_load=must_create))
        if rotated:
            if stored_key is None or not self._rename(stored_key, values):
                # No row yet, or it is gone (expired, deleted by a logout elsewhere): stored
                # under the key cycle_key() drew, which the request may have handed out already
                # (an app login's session token).
                self._insert(values)
            return
        sessions = self._sessions()
        if must_create:
            try:
                self._write(sessions.create, session_key=self.session_key, **values)
            except IntegrityError:
                raise CreateError from None
        elif not self._write(sessions.filter(session_key=self.session_key).update, **values):
            # The row was deleted while this request ran: SessionMiddleware tells the client.
            raise UpdateError

    def _row_values(self, data):
        """The row's columns but its key, from create_model_instance(): Django's hook for a
        session model with fields of its own, whose values are written with the row's."""
        row = self.create_model_instance(data)
        return {
            field.attname: getattr(row, field.attname)
            for field in self.model._meta.concrete_fields
            if not field.primary_key
        }

    def _rename(self, stored_key, values):
        """Move the row stored under `stored_key` to the current key; False if there is none."""
        while True:
            rows = self._sessions().filter(session_key=stored_key)
            try:
                return bool(self._write(rows.update, session_key=self.session_key, **values))
            except IntegrityError:
                self._session_key = self._get_new_session_key()

    def _insert(self, values):
        """Store the session under its current key; another is drawn only if that one is taken."""
        while True:
            try:
                return self._write(self._sessions().create, session_key=self.session_key, **values)
            except IntegrityError:
                self._session_key = self._get_new_session_key()

    def delete(self, session_key=None):
        keys = self._keys_of(session_key)
        if keys:
            self._sessions().filter(session_key__in=keys).delete()

    def _keys_of(self, session_key):
        """The keys a deletion removes: this session's own row may still be under the key it
        had before cycle_key()."""
        if session_key is not None and session_key != self.session_key:
            return [session_key]
        keys = [key for key in (self.session_key, self._stored_key) if key is not None]
        self._rotated, self._stored_key = False, None
        return keys

    # The async API (async views, auth.alogin) runs the same code in a thread, so that both
    # ways rotate keys alike and cached_db's cache stays in step with the database.
    async def aload(self):
        return await sync_to_async(self.load)()

    async def asave(self, must_create=False):
        return await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key=None):
        return await sync_to_async(self.delete)(session_key)

    async def acycle_key(self):
        return await sync_to_async(self.cycle_key)()

    async def aexists(self, session_key):
        return await sync_to_async(self.exists)(session_key)

    def _sessions(self):
        return self.model._default_manager.using(router.db_for_write(self.model))

    def _write(self, statement, **values):
        """Run one write; in a savepoint when the caller holds a transaction open."""
        using = router.db_for_write(self.model)
        if transaction.get_connection(using).in_atomic_block:
            with transaction.atomic(using=using):
                return statement(**values)
        return statement(**values)
