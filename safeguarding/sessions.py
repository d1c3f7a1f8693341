"""Sessions in the database, as Django keeps them, saved only when there is something to save.

A session's idle time slides: each page a person opens pushes its expiry 30 minutes on
(SESSION_SAVE_EVERY_REQUEST). Writing that on every page costs a query a page for a change of
a few seconds, so an unchanged session is written again only once its stored expiry is a
minute or more behind: someone idle for 29 minutes is still signed in, someone idle for 31 is
not, and the sign-out point is at most a minute early.

Django wraps a save in a transaction of its own, which only a new session needs (its INSERT
may clash with another's key); an existing one is a single UPDATE, atomic by itself.
"""

from datetime import timedelta

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router

# An unchanged session's expiry is written again once it would move on by this much.
EXPIRY_STEP = timedelta(minutes=1)


class SessionStore(db.SessionStore):
    _stored_expiry = None  # the expiry as read from the database, if it was

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def save(self, must_create=False):
        if self.session_key is None or must_create:
            return super().save(must_create=must_create)
        expiry = self.get_expiry_date()
        stored = self._stored_expiry
        if not self.modified and stored is not None and expiry - stored < EXPIRY_STEP:
            return
        obj = self.create_model_instance(self._get_session())
        using = router.db_for_write(self.model, instance=obj)
        updated = (
            self.model.objects.using(using)
            .filter(session_key=obj.session_key)
            .update(session_data=obj.session_data, expire_date=obj.expire_date)
        )
        if not updated:  # ended meanwhile (signed out elsewhere): as Django's save
            raise UpdateError
        self._stored_expiry = obj.expire_date
