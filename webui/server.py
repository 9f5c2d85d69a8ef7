"""Running the web app under gunicorn, in-process (no shell command to assemble)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from indexer.settings import Settings


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
            app.extensions["casebase"].warm()
        except Exception:  # a missing model or index is reported by the pages themselves
            app.logger.exception("warm-up failed")
        return app


def run_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted: `workers` processes, each opening its own Casebase over
    `settings`."""
    _Application({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "warning",
    }, settings).run()
