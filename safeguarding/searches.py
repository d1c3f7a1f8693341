"""Pupils' names typed into a search never go into a URL.

A URL is kept in browser history, proxy and server access logs and the Referer of the next
request; a pupil's name must not be. So every search for pupils (the pupil list, the inbox's
pupil filter, choosing a pupil while reporting) is posted. The words are kept in the session,
on the server, under a short random id for SEARCH_LIFETIME, and the results page is shown at
`?search=<id>` (so it can be reloaded, paged and gone back to): `remember()` then `recall()`.
A name in the query string itself is ignored.
"""

import secrets
import time

PARAM = "search"
SESSION_KEY = "_searches"
SEARCH_LIFETIME = 30 * 60
KEEP_AT_MOST = 20


def remember(request, words: str) -> str:
    """Keep `words` for this session; returns the id to put in the URL instead."""
    now = time.time()
    kept = {
        key: entry
        for key, entry in request.session.get(SESSION_KEY, {}).items()
        if now - entry[1] < SEARCH_LIFETIME
    }
    search_id = secrets.token_urlsafe(9)
    kept[search_id] = [words, now]
    newest = sorted(kept.items(), key=lambda item: item[1][1])[-KEEP_AT_MOST:]
    request.session[SESSION_KEY] = dict(newest)
    return search_id


def recall(request) -> tuple[str, str]:
    """(id, words) of the search named in the URL; ("", "") if none, or it has run out."""
    search_id = request.GET.get(PARAM, "")
    entry = request.session.get(SESSION_KEY, {}).get(search_id) if search_id else None
    if entry is None or time.time() - entry[1] >= SEARCH_LIFETIME:
        return "", ""
    return search_id, entry[0]
