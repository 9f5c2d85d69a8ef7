"""Background re-indexing after a publish: one writer, requests coalesce, never fail.

Publishing only asks for an update; a daemon thread builds the next generation while
searches keep being answered from the current one. If another process holds the build
lock (a `casebase index`, another web worker), the updater waits and tries again.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from indexer.index.build import BuildReport, IndexLocked

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


class IndexUpdater:
    """Runs `build` in the background whenever `request()` is called."""

    def __init__(self, build: Callable[[], BuildReport]):
        self._build = build
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.last_report: BuildReport | None = None
        self.last_error: str | None = None

    def request(self) -> None:
        """Ask for an update; several requests before the build starts make one build."""
        with self._lock:
            self._idle.clear()
            self._wanted.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="index-updater", daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no update is pending (for tests and shutdown); True when idle."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted.is_set():
                    self._idle.set()
                    self._thread = None
                    return
                self._wanted.clear()
            while True:
                try:
                    self.last_report = self._build()
                    self.last_error = None
                    break
                except IndexLocked:
                    threading.Event().wait(RETRY_SECONDS)
                except Exception as exc:  # keep serving; the error is visible in health
                    log.exception("background index update failed")
                    self.last_error = str(exc)
                    break
