"""The JSON API: the same shapes as the CLI's --json, with the `url` of each linked page."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

from . import presenters, searching
from .errors import BadParameter
from .openapi import openapi_document
from .services import casebase, document_or_404, renderer

bp = Blueprint("api", __name__, url_prefix="/api")

# Columns of GET /api/cases?format=csv, derived from the field registry.
CSV_COLUMNS = presenters.csv_columns()
# Deepest JSON nesting accepted; a profile needs 2.
MAX_JSON_DEPTH = 32


def json_body() -> Any:
    """The request's JSON body, or BadParameter("body", why) when it is not JSON, is
    nested deeper than MAX_JSON_DEPTH or holds a lone surrogate (which no text can
    carry further). The body limit (413) applies before this reads anything."""
    if not request.is_json:
        raise BadParameter("body", "must be JSON (Content-Type: application/json)")
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise BadParameter("body", "is not valid UTF-8") from None
    try:
        data = json.loads(text)
    except RecursionError:  # the parser recurses per level: far past MAX_JSON_DEPTH
        raise BadParameter("body", f"is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as error:
        raise BadParameter("body", f"is not valid JSON ({error})") from None
    _check_shape(data)
    return data


def _check_shape(data: Any) -> None:
    """Refuse nesting past MAX_JSON_DEPTH and lone surrogates; iterative, so a parsed
    but deep value cannot exhaust the stack here either."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise BadParameter("body", f"is nested deeper than {MAX_JSON_DEPTH} levels")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise BadParameter("body", "contains a lone surrogate (\\ud800-\\udfff), "
                                           "which is not text") from None


@bp.get("/search")
def search():
    """Search cases, notes and lessons."""
    response, _ = searching.search_any_language(searching.search_request(request.args))
    return jsonify(presenters.search_answer(response))


@bp.get("/cases")
def cases():
    """Every case with its structured fields, as JSON or (format=csv) CSV."""
    presenters.loaded_vocabulary(casebase())  # without it no case loads: an empty list would mislead
    rows = [presenters.case_fields(case) for case in casebase().content.cases]
    output = request.args.get("format", "json")
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "; ".join(value) if isinstance(value, list) else value
                             for key, value in row.items()})
        return Response(buffer.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=cases.csv"})
    if output != "json":
        raise BadParameter("format", "must be json or csv")
    return jsonify(cases=rows, total=len(rows))


@bp.get("/cases/<case_id>")
def case(case_id: str):
    """One case with fact sheet, lessons, sources, related notes and similar cases."""
    presenters.loaded_vocabulary(casebase())  # without it no document loads: say why (503), not 404
    document = document_or_404("case", case_id)
    return jsonify(presenters.case_detail(document, casebase(), renderer()))


@bp.get("/notes/<note_id>")
def note(note_id: str):
    """One methodology note with its backlinks."""
    presenters.loaded_vocabulary(casebase())  # without it no document loads: say why (503), not 404
    document = document_or_404("note", note_id)
    return jsonify(presenters.note_detail(document, casebase(), renderer()))


@bp.get("/facets")
def facets():
    """Every facet with its values, labels and item counts."""
    return jsonify(presenters.facets_overview(casebase(), counts=searching.facet_counts()))


@bp.post("/suggest")
def suggest():
    """Suggestions for a new initiative described by a JSON profile."""
    data = json_body()
    if not isinstance(data, dict):
        raise BadParameter("body", "must be a JSON object describing the initiative")
    presenters.loaded_vocabulary(casebase())  # a profile is checked against the vocabulary
    return jsonify(presenters.suggestion_answer(casebase().suggest(data)))


@bp.get("/health")
def health():
    """Is the service up, which index does it serve, can it search by meaning?"""
    service = casebase()
    status = service.index_status()
    content = service.content
    database = service.database.describe()
    if not status.get("generation"):
        overall = "no-index"
    else:
        overall = "ok" if database["reachable"] and database["current"] else "degraded"
    return jsonify(
        status=overall,
        time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        index={key: status.get(key) for key in ("generation", "built_at", "model", "semantic", "units")},
        content={"cases": len(content.cases), "notes": len(content.notes), "lessons": len(content.lessons),
                 "errors": len(content.errors)},
        database=database,
    )


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
