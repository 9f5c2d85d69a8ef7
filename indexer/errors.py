"""The engine's one error hierarchy.

Every error the engine raises on purpose derives from `CasebaseError` and belongs to
one category, which says what the caller did wrong (or what is missing). The web
layer maps the categories to HTTP statuses in one place (webui/errors.py), the
command line to messages and exit status 2. An error that is not a `CasebaseError`
is a bug.

>>> issubclass(InvalidInput, CasebaseError), InvalidInput("limit", "must be positive").field
(True, 'limit')
>>> str(InvalidInput("limit", "must be positive"))
'limit: must be positive'
"""

from __future__ import annotations


class CasebaseError(Exception):
    """Base of every error the engine raises on purpose; the message says what to do."""


class InvalidInput(CasebaseError, ValueError):
    """A value the caller gave cannot be used; `field` names it (a parameter, an
    attribute, a form field)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    @property
    def parameter(self) -> str:
        """The same as `field`, under the name request parameters use."""
        return self.field


class NotFound(CasebaseError, LookupError):
    """The thing asked for does not exist (a document, a draft, a revision)."""


class StateConflict(CasebaseError):
    """The operation does not fit the current state (a newer revision, a draft that
    is no longer open); repeating it unchanged will not help."""


class Refused(CasebaseError, PermissionError):
    """The operation is not allowed for this person or in this configuration."""


class Unavailable(CasebaseError, RuntimeError):
    """A part the operation needs is missing or busy (no index yet, the model, the
    database); the message says how to fix it or when to try again."""


class TooLarge(InvalidInput):
    """An upload (one file or the whole request) is over the instance's size limit;
    `limit` is that limit in bytes. The web layer answers 413."""

    def __init__(self, field: str, message: str, limit: int):
        super().__init__(field, message)
        self.limit = limit
