"""The OpenAPI 3.1 document of the JSON API, built from small schema helpers.

Every schema describes what the endpoints in `webui.api` really return (the engine's
`SearchResponse` and `Suggestion`, and the presenters' case, note and facet shapes);
tests/web/test_api.py validates live responses against it. Controlled values come
from kb/vocabulary.yaml and example ids from the content when they are at hand (the
app's Casebase, read per request), so the document lists the values the server accepts.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

from indexer.content.loading import Content
from indexer.advisor.profile import LIST_ATTRIBUTES, MAX_DESCRIPTION, SCALAR_ATTRIBUTES
from indexer.advisor.rules import RULE_KINDS
from indexer.search.searcher import KINDS, MODES
from indexer.advisor.suggest import DEFAULT_WEIGHTS
from indexer.search.units import FACETS
from indexer.content.vocabulary import UNKNOWN, Vocabulary

from .params import MAX_QUERY
from . import presenters
from indexer.content.schema import REGISTRY
from .security import ID_PATTERN

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
TEXTS: Schema = {"type": "array", "items": TEXT}
NULL: Schema = {"type": "null"}
# Facet filters of /api/search other than kind, with the vocabulary of their values.
FILTER_VOCABULARY = {"country": "countries", "sector": "sectors", "markusen": "typology.markusen",
                     "altenburg_meyer_stamer": "typology.altenburg_meyer_stamer",
                     "enright": "typology.enright", "driver": "driver", "approach": "approach",
                     "pressure": "pressure", "stage": "stage", "topic": "topics"}
PROFILE_EXAMPLE = {"description": "Shoe workshops lose market share to imports; large factories and small "
                                  "workshops distrust each other", "country": "Mexico", "sectors": ["footwear"],
                   "driver": "private", "approach": "bottom-up"}
ERROR_STATUSES = {"400": "A parameter cannot be used; `error.parameter` names it.",
                  "404": "No such item.", "413": "The request body is too large.",
                  "503": "The index is missing or being rebuilt."}


# -- schema helpers -------------------------------------------------------------

def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def nullable(schema: Schema) -> Schema:
    """The schema or JSON null (OpenAPI 3.1 has no `nullable`)."""
    return {"anyOf": [schema, NULL]}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None,
        description: str | None = None) -> Schema:
    """A closed object: these properties, the first group required, nothing else."""
    schema: Schema = {"type": "object", "properties": {**required, **(optional or {})},
                      "required": list(required), "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def map_of(values: Schema) -> Schema:
    return {"type": "object", "additionalProperties": values}


def values_of(vocabulary: Vocabulary | None, name: str) -> list[str] | None:
    return list(vocabulary.values(name)) if vocabulary is not None else None


def term(vocabulary: Vocabulary | None, name: str, *extra: str) -> Schema:
    """A controlled value: an enum when the vocabulary is known, else a string."""
    values = values_of(vocabulary, name)
    return {"type": "string", "enum": values + list(extra)} if values is not None else dict(TEXT)


def link(description: str) -> Schema:
    return obj({"id": TEXT, "title": TEXT, "url": TEXT}, description=description)


# -- components -----------------------------------------------------------------

def error_schema() -> Schema:
    return obj({"error": obj({"status": {"type": "integer", "minimum": 400, "maximum": 599}, "message": TEXT},
                             {"parameter": {**TEXT, "description": "The request parameter at fault (400 only)."}})},
               description="Every error under /api: 400, 404, 405, 413, 500 and 503.")


def search_schemas() -> dict[str, Schema]:
    rank = nullable({"type": "integer", "minimum": 1})
    return {
        "Explanation": obj({"fused_score": NUMBER, "keyword_rank": rank, "keyword_score": nullable(NUMBER),
                            "semantic_rank": rank, "semantic_score": nullable(NUMBER)},
                           description="Ranks and scores per retriever; null when that retriever did not find "
                                       "the item (or did not run)."),
        "Hit": obj({"id": {**TEXT, "description": "A document id, or '<case-id>#<lesson-id>' for a lesson."},
                    "kind": {"type": "string", "enum": list(KINDS)}, "title": TEXT, "score": NUMBER,
                    "snippet": {**TEXT, "description": "Plain text; matched terms in [brackets]."},
                    "snippet_html": {**TEXT, "description": "HTML; matched terms in <mark>."},
                    "section": TEXT, "doc_id": TEXT, "url": TEXT, "explanation": ref("Explanation"),
                    "other_matches": array(obj({"section": TEXT, "url": TEXT}), maxItems=3)}),
        "SearchResponse": obj({
            "query": TEXT, "mode": {"type": "string", "enum": list(MODES)},
            "total": {"type": "integer", "minimum": 0}, "results": array(ref("Hit")),
            "facets": obj({facet: map_of({"type": "integer", "minimum": 1}) for facet in FACETS},
                          description="Facet -> value -> number of matching items (all pages)."),
            "suggestion": nullable({**TEXT, "description": "A 'did you mean' query."}),
            "expanded_query": TEXT, "notices": TEXTS}),
    }


def case_schemas(vocabulary: Vocabulary | None) -> dict[str, Schema]:
    fields: dict[str, Schema] = {"id": TEXT, "title": TEXT, "summary": TEXT}
    for spec in REGISTRY.csv_columns:
        name = presenters.vocabulary_of(spec)
        if spec.many:
            fields[presenters.column_name(spec)] = array(term(vocabulary, name) if name else TEXT)
        else:
            fields[presenters.column_name(spec)] = term(vocabulary, name, UNKNOWN) if name else TEXT
    fields.update({"lessons": {"type": "integer", "minimum": 0, "description": "Number of lessons."},
                   "url": TEXT})
    detail = {**fields, "lessons": array(ref("Lesson")), "fact_sheet": array(ref("FactRow")),
              "sources": array(ref("Source")), "related_notes": array(link("A related note.")),
              "similar": array(obj({"id": TEXT, "title": TEXT, "score": NUMBER, "reason": TEXT, "url": TEXT}),
                               maxItems=4),
              "body_markdown": TEXT, "body_html": TEXT,
              "modified": {**NUMBER, "description": "File modification time (Unix seconds)."}}
    return {
        "CaseFields": obj(fields, description="A case's structured fields, flat ('unknown' where the "
                                              "source is silent)."),
        "CaseList": obj({"cases": array(ref("CaseFields")), "total": {"type": "integer", "minimum": 0}}),
        "Source": obj({"author": TEXT, "year": {"anyOf": [INTEGER, {"const": "n.d."}]}},
                      {"title": TEXT, "via": TEXT}),
        "Lesson": obj({"id": TEXT, "uid": TEXT, "statement": TEXT, "explanation": TEXT,
                       "topics": array(term(vocabulary, "topics")), "applies_when": map_of(TEXTS),
                       "sources": TEXTS}),
        "FactRow": obj({"label": TEXT, "values": array(obj({"value": TEXT, "label": TEXT,
                                                             "link": nullable(TEXT)}), minItems=1)}),
        "CaseDetail": obj(detail),
        "NoteDetail": obj({
            "id": TEXT, "title": TEXT, "summary": TEXT, "topics": array(term(vocabulary, "topics")),
            "paper_section": TEXT, "learn_order": nullable(INTEGER), "sources": array(ref("Source")),
            "related_notes": array(link("A related note.")), "related_cases": array(link("A related case.")),
            "illustrated_by": array(link("A case that cites or links this note.")),
            "body_markdown": TEXT, "body_html": TEXT, "url": TEXT, "modified": NUMBER}),
        "Facets": obj({facet: array(obj({"value": TEXT, "label": TEXT, "count": {"type": "integer", "minimum": 0}}))
                       for facet in FACETS}, description="Every value of every facet, with its item count."),
    }


def profile_schema(vocabulary: Vocabulary | None) -> Schema:
    """The request body of POST /api/suggest (indexer.profile.Profile.from_mapping)."""
    not_known = [{"const": ""}, NULL]
    scalars = {name: {"anyOf": [term(vocabulary, vocabulary_name, UNKNOWN), *not_known]}
               for name, vocabulary_name in SCALAR_ATTRIBUTES.items()}
    lists = {name: {"anyOf": [array(term(vocabulary, vocabulary_name)), term(vocabulary, vocabulary_name, UNKNOWN),
                              *not_known], "description": "A list of keys, or a single key."}
             for name, vocabulary_name in LIST_ATTRIBUTES.items()}
    country = {**term(vocabulary, "countries", UNKNOWN, ""),
               "description": "A country name from the vocabulary (matched case-insensitively)."}
    schema = obj({}, {"description": nullable({**TEXT, "maxLength": MAX_DESCRIPTION}),
                      "country": nullable(country), **scalars, **lists,
                      "title": {"description": "A name for the initiative; any value is taken as text."}},
                 description="A new initiative. Every attribute is optional; leaving it out, null, '' or "
                             "'unknown' means it does not count.")
    return schema


def suggestion_schemas(vocabulary: Vocabulary | None) -> dict[str, Schema]:
    value = {"anyOf": [TEXT, TEXTS]}
    echo = {name: term(vocabulary, vocabulary_name) for name, vocabulary_name in SCALAR_ATTRIBUTES.items()}
    echo.update({name: array(term(vocabulary, vocabulary_name)) for name, vocabulary_name in LIST_ATTRIBUTES.items()})
    unit = {"type": "number", "minimum": 0, "maximum": 1}
    return {
        "Profile": profile_schema(vocabulary),
        "AttributeScore": obj({"attribute": {"type": "string", "enum": list(DEFAULT_WEIGHTS)},
                               "query_value": value, "case_value": value, "similarity": unit,
                               "weight": {"type": "number", "minimum": 0}}),
        "CaseMatch": obj({"id": TEXT, "title": TEXT, "score": unit, "explanation": array(ref("AttributeScore")),
                          "passage": TEXT, "reason": TEXT}),
        "Suggestion": obj({
            "profile": obj({}, {**echo, "country": TEXT, "description": TEXT, "title": TEXT},
                           description="The validated profile, with only what is known."),
            "cases": array(ref("CaseMatch"), maxItems=5),
            "lessons": array(obj({"id": TEXT, "case_id": TEXT, "text": TEXT, "score": NUMBER, "why": TEXTS,
                                  "url": TEXT}), maxItems=8),
            "notes": array(obj({"id": TEXT, "title": TEXT, "why": TEXTS, "url": TEXT}), maxItems=6),
            "warnings": array(obj({"rule": TEXT, "kind": {"type": "string",
                                                          "enum": [k for k in RULE_KINDS if k != "reading"]},
                                   "message": TEXT, "evidence": TEXTS, "note_id": TEXT})),
            "notices": TEXTS}),
    }


def health_schema() -> Schema:
    return obj({
        "status": {"type": "string", "enum": ["ok", "no-index"]},
        "time": {"type": "string", "format": "date-time"},
        "index": obj({"generation": nullable(TEXT), "built_at": nullable(TEXT), "model": nullable(TEXT),
                      "semantic": nullable(BOOLEAN), "units": nullable(INTEGER)},
                     description="The index generation in use; every field null when there is no index."),
        "content": obj({name: {"type": "integer", "minimum": 0} for name in ("cases", "notes", "lessons", "errors")}),
    })


def components(vocabulary: Vocabulary | None) -> Schema:
    schemas = {"Error": error_schema(), **search_schemas(), **case_schemas(vocabulary),
               **suggestion_schemas(vocabulary), "Health": health_schema()}
    return {"schemas": schemas}


# -- paths ----------------------------------------------------------------------

def query(name: str, schema: Schema, description: str, *, explode: bool = False) -> Schema:
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if explode:
        parameter.update(style="form", explode=True)
    return parameter


def json_response(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def responses(ok: Schema, *errors: str) -> Schema:
    answers = {"200": ok}
    answers.update({status: json_response(ERROR_STATUSES[status], ref("Error")) for status in errors})
    return answers


def operation(summary: str, ok: Schema, *errors: str, parameters: list | None = None, **extra: Any) -> Schema:
    return {"summary": summary, "operationId": extra.pop("operation_id"),
            "parameters": parameters or [], "responses": responses(ok, *errors), **extra}


def search_parameters(vocabulary: Vocabulary | None) -> list[Schema]:
    parameters = [
        query("q", {"type": "string", "maxLength": MAX_QUERY},
              'Words and "quoted phrases"; glossary aliases are expanded.'),
        query("mode", {"type": "string", "enum": list(MODES), "default": "hybrid"}, "How to rank."),
        query("kind", array({"type": "string", "enum": list(KINDS)}), "Only these kinds (repeatable).",
              explode=True),
    ]
    for facet, vocabulary_name in FILTER_VOCABULARY.items():
        values = {**TEXT}
        known = values_of(vocabulary, vocabulary_name)
        if known:
            values["examples"] = known[:3]
        parameters.append(query(facet, array(values), f"Filter on {facet} (repeatable; OR within a facet, AND "
                                "across facets; a value no item has matches nothing).", explode=True))
    parameters += [
        query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}, "Page size."),
        query("offset", {"type": "integer", "minimum": 0, "maximum": 10_000, "default": 0}, "Items to skip."),
    ]
    return [{**parameter, "allowEmptyValue": True} for parameter in parameters]  # '' = left out


def id_parameter(name: str, known: list[str]) -> Schema:
    parameter = {"name": name, "in": "path", "required": True, "description": "A slug id; anything else is a 404.",
                 "schema": {"type": "string", "pattern": ID_PATTERN.pattern}}
    if known:
        parameter["examples"] = {value: {"value": value} for value in known}
    return parameter


def paths(content: Content | None) -> Schema:
    vocabulary = content.vocabulary if content is not None else None
    case_ids = [case.id for case in content.cases][:2] if content is not None else []
    note_ids = [note.id for note in content.notes][:2] if content is not None else []
    csv_ok = {"description": "Every case: JSON (format=json) or CSV with a header row (format=csv).",
              "content": {"application/json": {"schema": ref("CaseList")},
                          "text/csv": {"schema": {"type": "string"}}}}
    return {
        "/api/search": {"get": operation(
            "Search cases, notes and lessons", json_response("A page of results.", ref("SearchResponse")),
            "400", "503", parameters=search_parameters(vocabulary), operation_id="search")},
        "/api/cases": {"get": operation(
            "Every case with its structured fields", csv_ok, "400", operation_id="listCases",
            parameters=[query("format", {"type": "string", "enum": ["json", "csv"], "default": "json"},
                              "Answer format.")])},
        "/api/cases/{case_id}": {"get": operation(
            "One case", json_response("Fact sheet, lessons, sources, related notes, similar cases.",
                                      ref("CaseDetail")), "404", parameters=[id_parameter("case_id", case_ids)],
            operation_id="getCase")},
        "/api/notes/{note_id}": {"get": operation(
            "One methodology note", json_response("The note with its backlinks.", ref("NoteDetail")), "404",
            parameters=[id_parameter("note_id", note_ids)], operation_id="getNote")},
        "/api/facets": {"get": operation(
            "Every facet with its values", json_response("Values, labels and counts.", ref("Facets")), "503",
            operation_id="facets")},
        "/api/suggest": {"post": operation(
            "Suggestions for a new initiative",
            json_response("Similar cases, lessons, notes and warnings.", ref("Suggestion")), "400", "413", "503",
            operation_id="suggest",
            requestBody={"required": True, "content": {"application/json": {
                "schema": ref("Profile"), "examples": {"footwear": {"value": PROFILE_EXAMPLE}}}}})},
        "/api/health": {"get": operation(
            "Service and index status", json_response("Status.", ref("Health")), operation_id="health")},
        "/api/openapi.json": {"get": operation(
            "This document", json_response("OpenAPI 3.1.", {"type": "object", "required": ["openapi", "info",
                                                                                            "paths"]}),
            operation_id="openapi")},
    }


def openapi_document(content: Content | None = None) -> dict:
    """OpenAPI 3.1 description of /api; enums and examples from `content` (default: the
    current app's Casebase), plain strings without it."""
    if content is None and has_app_context():
        casebase = current_app.extensions.get("casebase")
        content = casebase.content if casebase is not None else None
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cluster Casebase API", "version": "1",
                 "description": "Search, browse and advisor endpoints; the same JSON shapes as the CLI's --json. "
                                "Errors are JSON: {\"error\": {\"status\", \"message\", \"parameter\"?}}."},
        "paths": paths(content),
        "components": components(content.vocabulary if content is not None else None),
    }
