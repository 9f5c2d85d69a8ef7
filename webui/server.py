"""Running the web app under gunicorn, in-process (no shell command to assemble).

Limits chosen here (README, "Safety"):
- REQUEST_TIMEOUT_S: a worker silent for longer is killed and replaced by gunicorn's
  arbiter; its in-flight requests get their connection closed. Nothing the app does
  should take a tenth of it (a render is stopped at 2 s, a search bounded), so reaching
  it means a bug, and it frees the CPU instead of leaving it pinned.
- LIMIT_REQUEST_LINE: gunicorn's largest bounded request line (8190 bytes; above it
  gunicorn only offers "unlimited", whose reader copies the buffer on every read, so a
  long line costs the square of its length and unbounded memory). That holds the
  advisor's GET form with a description of about 5,000 plain English characters
  (spaces become %20 or '+'), not 5,000 accented ones (each 6 bytes percent-encoded):
  a description that long must be POSTed. Longer lines get gunicorn's 414, with the
  security headers (HardenedThreadWorker).
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from indexer.settings import Settings

from .security import hardening_headers

REQUEST_TIMEOUT_S = 30
LIMIT_REQUEST_LINE = 8190


class _HardenedSocket:
    """The client socket as gunicorn's error writer uses it, with the security headers
    added after the status line of what it writes (its page is HTML)."""

    def __init__(self, sock):
        self._sock = sock

    def gettimeout(self):
        return self._sock.gettimeout()

    def setblocking(self, flag):
        return self._sock.setblocking(flag)

    def sendall(self, data: bytes):
        end_of_status = data.find(b"\r\n")
        if end_of_status >= 0:
            extra = "".join(f"{name}: {value}\r\n" for name, value in hardening_headers(html=True))
            data = data[:end_of_status + 2] + extra.encode("latin-1") + data[end_of_status + 2:]
        return self._sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


class HardenedThreadWorker(ThreadWorker):
    """gunicorn's gthread worker whose own error pages (400, 414, 431, ... written
    before the app sees the request) carry the same security headers as the app's."""

    def handle_error(self, req, client, addr, exc):
        """Answer as gunicorn does, through a socket that adds the headers."""
        super().handle_error(req, _HardenedSocket(client), addr, exc)


class _Application(BaseApplication):
    def __init__(self, options: dict, settings: Settings):
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from webui import create_app

        app = create_app(settings=self.settings)
        try:
            # Only the index before serving: keyword answers start at once, while the model
            # and the advisor load in the background (semantic queries wait for the model).
            app.extensions["casebase"].warm(wait=False)
        except Exception:  # a missing model or index is reported by the pages themselves
            app.logger.exception("warm-up failed")
        return app


def run_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted: `workers` processes, each opening its own Casebase over
    `settings`."""
    _Application({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "webui.server.HardenedThreadWorker",
        "threads": 4,
        "timeout": REQUEST_TIMEOUT_S,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "warning",
    }, settings).run()
