"""Sessions in the database, as Django keeps them, saved in one statement.

Every page saves the session (its idle time slides: SESSION_SAVE_EVERY_REQUEST). Django wraps
that save in a transaction of its own, which only a new session needs (its INSERT may clash
with another's key); an existing one is a single UPDATE, atomic by itself.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router


class SessionStore(db.SessionStore):
    def save(self, must_create=False):
        if self.session_key is None or must_create:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())
        using = router.db_for_write(self.model, instance=obj)
        updated = (
            self.model.objects.using(using)
            .filter(session_key=obj.session_key)
            .update(session_data=obj.session_data, expire_date=obj.expire_date)
        )
        if not updated:  # ended meanwhile (signed out elsewhere): as Django's save
            raise UpdateError
