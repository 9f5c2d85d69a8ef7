"""A response cache for anonymous reads, keyed by URL, index generation and content.

Most traffic is people reading: the same searches, cases and notes, asked again and
again between publishes. Anonymous GET answers are kept in a bounded LRU keyed by the
full URL, the index generation, the Casebase's `content_version` (an int that only
grows) and the uploaded documents an anonymous visitor may find, so once a process has reloaded after a publish or switched to a new index,
none of its older answers is reachable. Each worker notices another's publish on its
next request (services.py refreshes first). Signed-in users, other methods and
answers that set a cookie are never cached.
"""

from __future__ import annotations

import threading

import cachetools
from flask import Flask, Response, g, request, session

from . import searching

CACHEABLE_PREFIXES = ("/search", "/cases/", "/notes/", "/learn", "/advisor", "/api/search", "/api/cases",
                      "/api/notes/", "/api/facets")
MAX_ENTRIES = 4096
MAX_BODY = 512 * 1024


class ResponseCache:
    """A thread-safe LRU of (status, headers, body) by key."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        # cachetools' caches are not thread-safe on their own: every use holds the lock.
        self._entries: cachetools.LRUCache[tuple, tuple[int, list, bytes]] = cachetools.LRUCache(max_entries)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> tuple[int, list, bytes] | None:
        """The stored answer for `key` (counted as a hit), or None (a miss)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            return entry

    def put(self, key: tuple, entry: tuple[int, list, bytes]) -> None:
        """Store an answer; the least recently used one goes when the cache is full."""
        with self._lock:
            self._entries[key] = entry

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _key(app: Flask) -> tuple | None:
    if request.method != "GET" or g.get("user") is not None:
        return None
    path = request.path
    if path != "/" and not path.startswith(CACHEABLE_PREFIXES):
        return None
    casebase = app.extensions["casebase"]
    # Which uploaded documents an anonymous visitor may find changes with an initiative's
    # sharing, without a new generation or content version.
    return (request.full_path, casebase.generation_key(), casebase.content_version,
            tuple(sorted(searching.access_tokens())))


def init_app(app: Flask) -> None:
    """Serve anonymous reads from the cache; store fresh ones."""
    if app.config.get("RESPONSE_CACHE", True) is False:
        return
    cache = app.extensions["response_cache"] = ResponseCache()

    @app.before_request
    def from_cache():
        key = _key(app)
        if key is None:
            return None
        entry = cache.get(key)
        if entry is None:
            g.cache_key = key
            return None
        status, headers, body = entry
        g.cache_hit = True
        return Response(body, status=status, headers=headers)

    @app.after_request
    def to_cache(response: Response) -> Response:
        key = g.get("cache_key")
        if (key is not None and response.status_code == 200 and not session.modified
                and not response.headers.get("Set-Cookie") and not response.direct_passthrough):
            body = response.get_data()
            if len(body) <= MAX_BODY:
                cache.put(key, (response.status_code, list(response.headers.items()), body))
        return response
