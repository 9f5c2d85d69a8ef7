"""The `casebase` command line; with webui/ the only place that may import the web app.

Each module registers its commands on the one group in `app`.
"""

from . import advising, bench, check, searching, server  # noqa: F401 - registers the commands
from . import db  # noqa: F401 - registers `casebase db`
from . import observatory  # noqa: F401 - registers `casebase observatory`
from .app import main
from .documents import documents

main.add_command(documents)  # `casebase documents`: a group of its own, tested on its own

__all__ = ["main"]
