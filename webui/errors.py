"""Useful error pages: JSON under /api, HTML elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from indexer.index.build import IndexProblem
from indexer.advisor.profile import ProfileError
from indexer.search.searcher import SearchError


class BadParameter(ValueError):
    """A request parameter that cannot be used; answered with 400 naming it."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.args.get("format") == "json"


def init_app(app: Flask) -> None:
    """Register the handlers: the engine's own errors map to 400 and 503 here, once,
    instead of in every view."""

    @app.errorhandler(SearchError)
    def search_error(error: SearchError):
        return bad_parameter(BadParameter(error.parameter, error.message))

    @app.errorhandler(ProfileError)
    def profile_error(error: ProfileError):
        return bad_parameter(BadParameter(error.field, error.message))

    @app.errorhandler(IndexProblem)
    def index_problem(error: IndexProblem):
        return http_error(ServiceUnavailable(description=str(error)))

    @app.errorhandler(BadParameter)
    def bad_parameter(error: BadParameter):
        if wants_json():
            return jsonify(error={"status": 400, "parameter": error.parameter, "message": error.message}), 400
        return render_template("error.html", status=400, title="That request did not work",
                               message=f"{error.parameter}: {error.message}"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # Keep the exception's own headers (405 must name the allowed methods), except its content type.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if wants_json():
            return jsonify(error={"status": status, "message": error.description}), status, headers
        titles = {404: "Page not found", 405: "Method not allowed", 413: "Request too large"}
        return render_template("error.html", status=status, title=titles.get(status, error.name),
                               message=error.description), status, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if wants_json():
            return jsonify(error={"status": 500, "message": "internal error; the log has details"}), 500
        return render_template("error.html", status=500, title="Something went wrong",
                               message="The error was logged. Try again, or go back to the home page."), 500
