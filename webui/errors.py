"""Errors to HTTP, once: JSON under /api (and for ?format=json), HTML pages elsewhere.

The engine's one error hierarchy (indexer/errors.py) maps to statuses here and nowhere
else: a view raises or lets an engine error through, and the handler answers it. The
JSON body is the engine's `ErrorResponse` model: {"error": {"status", "message",
"parameter"?}}, `parameter` naming the input at fault for a 400.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from indexer.errors import CasebaseError, InvalidInput, NotFound, Refused, StateConflict, TooLarge, Unavailable
from indexer.library.editing import InvalidEdit
from indexer.models import ErrorBody, ErrorResponse

from .markdown_limits import TooComplex

# Category -> HTTP status, most specific first; a class is answered by its first match.
# An edit that does not validate is 422 (the form is answered with its problems), and so
# is a text too complex to render within the budget.
STATUSES: tuple[tuple[type[CasebaseError], int], ...] = (
    (InvalidEdit, 422), (TooComplex, 422), (TooLarge, 413), (InvalidInput, 400), (NotFound, 404), (StateConflict, 409), (Refused, 403),
    (Unavailable, 503),
)
# Headings of the HTML error pages; other statuses are headed by their HTTP name.
TITLES = {400: "That request did not work", 404: "Page not found", 405: "Method not allowed",
          413: "Request too large", 422: "That edit does not validate", 500: "Something went wrong"}


class BadParameter(InvalidInput):
    """A request parameter that cannot be used; answered with 400 naming it."""

    def __init__(self, parameter: str, message: str):
        super().__init__(parameter, message)


def wants_json() -> bool:
    """True when the answer should be JSON: the API, or a page asked for ?format=json."""
    return request.path.startswith("/api/") or request.args.get("format") == "json"


def status_of(error: Exception) -> int | None:
    """The HTTP status of an engine error, or None when it has no category (a bug).

    >>> status_of(InvalidInput("q", "too long")), status_of(Unavailable("no index")), status_of(KeyError())
    (400, 503, None)
    """
    for category, status in STATUSES:
        if isinstance(error, category):
            return status
    return None


def title_of(status: int) -> str:
    """The heading of an HTML error page."""
    return TITLES.get(status) or HTTP_STATUS_CODES.get(status, "Error")


def error_body(status: int, message: str, parameter: str | None = None) -> dict:
    """The JSON error body, from the engine's model (leaving out what is not known)."""
    body = ErrorResponse(error=ErrorBody(status=status, message=message, parameter=parameter))
    return body.model_dump(exclude_none=True)


def answer(status: int, message: str, parameter: str | None = None, headers=()):
    """The error answer: JSON or the HTML error page."""
    if wants_json():
        return jsonify(error_body(status, message, parameter)), status, list(headers)
    shown = f"{parameter}: {message}" if parameter else message
    return render_template("error.html", status=status, title=title_of(status),
                           message=shown), status, list(headers)


def init_app(app: Flask) -> None:
    """Register the handlers: one for the engine's hierarchy, one for HTTP errors, one
    for anything else (logged, answered 500 without details)."""

    def engine_error(error: Exception):
        status = status_of(error)
        if status is None:
            return unexpected(error)
        if isinstance(error, InvalidInput):
            return answer(status, error.message, error.field)
        return answer(status, str(error))

    # One handler for the whole hierarchy (every engine error derives from it), so no
    # class is answered twice or differently in two places.
    app.register_error_handler(CasebaseError, engine_error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Keep the exception's own headers (405 must name the allowed methods), except its content type.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        status = error.code or 500
        if wants_json():
            return jsonify(error_body(status, error.description or error.name)), status, headers
        return render_template("error.html", status=status, title=title_of(status),
                               message=error.description), status, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.error("unhandled error on %s", request.path, exc_info=error)
        return answer(500, "internal error; the log has details" if wants_json() else
                      "The error was logged. Try again, or go back to the home page.")
