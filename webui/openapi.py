"""The OpenAPI 3.1 document of the JSON API, generated rather than written by hand.

Three sources, one per kind of fact:
- the engine's typed answers (indexer/models.py: search responses, suggestions, error
  bodies) give their component schemas through pydantic's JSON Schema, with `$defs`
  moved into `components/schemas`;
- the field registry (indexer/content/schema.py) gives what depends on the fields: the
  profile a suggestion is asked for, the case list's columns, the facets and the
  search filters;
- kb/vocabulary.yaml gives the enums (controlled values) and the content example ids,
  when a content is at hand (the app's Casebase, read per request).
The observatory's paths and schemas are webui/observatory_openapi.py's (from its
records); the helpers both use are in webui/openapi_parts.py.
The web layer adds the `url` of every linked item (kind, doc_id and anchor) itself, so
the document adds it to those schemas. tests/web/test_api.py validates live responses
against the document, and runs schemathesis over it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from pydantic import BaseModel

from indexer import models
from indexer.advisor.profile import MAX_DESCRIPTION
from indexer.content.loading import Content
from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry
from indexer.content.vocabulary import UNKNOWN, Vocabulary
from indexer.search.searcher import KINDS, MODES

from . import documents_openapi, observatory_openapi, presenters
from .openapi_parts import (BOOLEAN, COUNT, INTEGER, NULL, NUMBER, TEXT, TEXTS, Schema, array, json_response,
                            map_of, model_schemas, nullable, obj, operation, query, ref)
from .params import MAX_OFFSET
from .security import ID_PATTERN

# Answers dumped whole (every field present, null where unknown), and bodies that leave
# out what is not known (an error names a parameter only when one is at fault).
ANSWER_MODELS: tuple[type[BaseModel], ...] = (models.SearchResponse, models.Suggestion)
SPARSE_MODELS: tuple[type[BaseModel], ...] = (models.ErrorResponse,)
PROFILE_EXAMPLE = {"description": "Shoe workshops lose market share to imports; large factories and small "
                                  "workshops distrust each other", "country": "Mexico", "sectors": ["footwear"],
                   "driver": "private", "approach": "bottom-up"}


# -- schema helpers -------------------------------------------------------------

def values_of(vocabulary: Vocabulary | None, name: str | None) -> list[str] | None:
    return list(vocabulary.values(name)) if vocabulary is not None and name is not None else None


def term(vocabulary: Vocabulary | None, name: str | None, *extra: str) -> Schema:
    """A controlled value: an enum when the vocabulary is known, else a string."""
    values = values_of(vocabulary, name)
    return {"type": "string", "enum": values + list(extra)} if values is not None else dict(TEXT)


def link(description: str) -> Schema:
    return obj({"id": TEXT, "title": TEXT, "url": TEXT}, description=description)


# -- components from the engine's models ----------------------------------------

def answer_schemas(vocabulary: Vocabulary | None, registry: FieldRegistry) -> dict[str, Schema]:
    """The models' schemas, with what the registry knows better than a model's types:
    the facets a search counts, and the attributes a suggestion echoes."""
    schemas = model_schemas(ANSWER_MODELS, SPARSE_MODELS)
    facets = schemas["SearchResponse"]["properties"]["facets"]
    counted = map_of({"type": "integer", "minimum": 1})
    # The documents' facets are counted once the index holds an uploaded document.
    schemas["SearchResponse"]["properties"]["facets"] = obj(
        {facet: counted for facet in registry.facets},
        {facet: counted for facet in presenters.document_facet_titles(registry)},
        description=facets.get("description"))
    schemas["Suggestion"]["properties"]["profile"] = profile_echo(vocabulary, registry)
    return schemas


# -- components from the registry and the vocabulary ------------------------------

def attribute_values(vocabulary: Vocabulary | None, registry: FieldRegistry) -> dict[str, tuple[Any, Schema]]:
    """Profile attribute -> (its field, the schema of one of its values)."""
    return {spec.key: (spec, term(vocabulary, presenters.vocabulary_of(spec)))
            for spec in registry.with_role(ATTRIBUTE)}


def profile_schema(vocabulary: Vocabulary | None, registry: FieldRegistry = REGISTRY) -> Schema:
    """The request body of POST /api/suggest (indexer.advisor.profile.Profile.from_mapping):
    the texts and one property per profile attribute of `registry`."""
    not_known = [{"const": ""}, NULL]
    attributes: dict[str, Schema] = {}
    for name, (spec, value) in attribute_values(vocabulary, registry).items():
        known = {**value, "enum": value["enum"] + [UNKNOWN]} if "enum" in value else value
        if spec.many:
            attributes[name] = {"anyOf": [array(value), known, *not_known],
                                "description": "A list of keys, or a single key."}
        elif spec.kind == "country":
            attributes[name] = nullable({**known, **({"enum": known["enum"] + [""]} if "enum" in known else {}),
                                         "description": "A country name from the vocabulary (matched "
                                                        "case-insensitively)."})
        else:
            attributes[name] = {"anyOf": [known, *not_known]}
    return obj({}, {"description": nullable({**TEXT, "maxLength": MAX_DESCRIPTION}), **attributes,
                    "title": {"description": "A name for the initiative; any value is taken as text."}},
               description="A new initiative. Every attribute is optional; leaving it out, null, '' or "
                           "'unknown' means it does not count. A value may also be given by its label, and "
                           "keys and labels are matched case-insensitively ('Decline', 'under pressure'); "
                           "a description without a letter or digit counts as none.")


def profile_echo(vocabulary: Vocabulary | None, registry: FieldRegistry = REGISTRY) -> Schema:
    """The validated profile a suggestion answers with: only what is known."""
    echo = {name: array(value) if spec.many else TEXT if spec.kind == "country" else value
            for name, (spec, value) in attribute_values(vocabulary, registry).items()}
    return obj({}, {**echo, "description": TEXT, "title": TEXT},
               description="The validated profile, with only what is known.")


def case_schemas(vocabulary: Vocabulary | None, registry: FieldRegistry = REGISTRY) -> dict[str, Schema]:
    """The presenters' case, note and facet shapes (webui/presenters.py), their fields
    from the registry."""
    fields: dict[str, Schema] = {"id": TEXT, "title": TEXT, "summary": TEXT}
    for spec in registry.csv_columns:
        name = presenters.vocabulary_of(spec)
        value = term(vocabulary, name, *(() if spec.many else (UNKNOWN,))) if name else TEXT
        fields[presenters.column_name(spec)] = array(value) if spec.many else value
    fields.update({"lessons": {**COUNT, "description": "Number of lessons."}, "url": TEXT})
    detail = {**fields, "lessons": array(ref("Lesson")), "fact_sheet": array(ref("FactRow")),
              "sources": array(ref("Source")), "related_notes": array(link("A related note.")),
              "similar": array(obj({"id": TEXT, "title": TEXT, "score": NUMBER, "reason": TEXT, "url": TEXT}),
                               maxItems=4),
              "body_markdown": TEXT, "body_html": TEXT,
              "modified": {**NUMBER, "description": "File modification time (Unix seconds)."}}
    topics = term(vocabulary, presenters.facet_vocabularies(registry)[presenters.TOPIC_FACET])
    return {
        "CaseFields": obj(fields, description="A case's structured fields, flat ('unknown' where the "
                                              "source is silent)."),
        "CaseList": obj({"cases": array(ref("CaseFields")), "total": COUNT}),
        "Source": obj({"author": TEXT, "year": {"anyOf": [INTEGER, {"const": "n.d."}]}},
                      {"title": TEXT, "via": TEXT}),
        "Lesson": obj({"id": TEXT, "uid": TEXT, "statement": TEXT, "explanation": TEXT,
                       "topics": array(topics), "applies_when": map_of(TEXTS), "sources": TEXTS}),
        "FactRow": obj({"label": TEXT, "values": array(obj({
            "value": TEXT, "label": TEXT, "link": nullable(TEXT),
            "interpreted": {**BOOLEAN, "description": "The codifier's reading rather than stated in the "
                                                      "sources (the case's `interpreted` list)."}}),
            minItems=1)}),
        "CaseDetail": obj(detail),
        "NoteDetail": obj({
            "id": TEXT, "title": TEXT, "summary": TEXT, "topics": array(topics),
            "paper_section": TEXT, "learn_order": nullable(INTEGER), "sources": array(ref("Source")),
            "related_notes": array(link("A related note.")), "related_cases": array(link("A related case.")),
            "illustrated_by": array(link("A case that cites or links this note.")),
            "body_markdown": TEXT, "body_html": TEXT, "url": TEXT, "modified": NUMBER}),
        "Facets": obj({facet: array(obj({"value": TEXT, "label": TEXT, "count": COUNT}))
                       for facet in (*registry.facets, *presenters.document_facet_titles(registry))},
                      description="Every value of every facet, with its item count (of uploaded documents: "
                                  "the values of those you may find)."),
    }


def health_schema() -> Schema:
    return obj({
        "status": {"type": "string", "enum": ["ok", "no-index", "degraded"],
                   "description": "degraded: the database is unreachable or its schema is behind; reads go on."},
        "time": {"type": "string", "format": "date-time"},
        "index": obj({"generation": nullable(TEXT), "built_at": nullable(TEXT), "model": nullable(TEXT),
                      "semantic": nullable(BOOLEAN), "units": nullable(INTEGER)},
                     description="The index generation in use; every field null when there is no index."),
        "content": obj({name: COUNT for name in ("cases", "notes", "lessons", "errors")}),
        "database": obj({"backend": {"type": "string", "enum": ["sqlite", "postgresql"]},
                         "reachable": BOOLEAN, "revision": nullable(TEXT), "expected": TEXT, "current": BOOLEAN},
                        description="The instance database and its schema revision."),
    })


def components(vocabulary: Vocabulary | None, registry: FieldRegistry = REGISTRY) -> Schema:
    """Every component schema: the models', the registry's and the presenters'."""
    schemas = {**answer_schemas(vocabulary, registry), **case_schemas(vocabulary, registry),
               "Profile": profile_schema(vocabulary, registry), "Health": health_schema(),
               **observatory_openapi.components(), **documents_openapi.components()}
    return {"schemas": schemas}


# -- paths ----------------------------------------------------------------------

def search_parameters(vocabulary: Vocabulary | None, registry: FieldRegistry = REGISTRY) -> list[Schema]:
    """The query parameters of GET /api/search: one repeatable filter per facet of `registry`."""
    parameters = [
        query("q", {"type": "string", "maxLength": models.MAX_QUERY},
              'Words and "quoted phrases"; glossary aliases are expanded.'),
        query("mode", {"type": "string", "enum": list(MODES), "default": "hybrid"}, "How to rank."),
        query("kind", array({"type": "string", "enum": list(KINDS)}), "Only these kinds (repeatable).",
              explode=True),
    ]
    for facet, vocabulary_name in presenters.facet_vocabularies(registry).items():
        if facet == presenters.KIND_FACET:
            continue
        values = {**TEXT}
        known = values_of(vocabulary, vocabulary_name)
        if known:
            values["examples"] = known[:3]
        parameters.append(query(facet, array(values), f"Filter on {facet} (repeatable; OR within a facet, AND "
                                "across facets; a value no item has matches nothing).", explode=True))
    parameters += [
        query("limit", {"type": "integer", "minimum": 1, "maximum": models.MAX_LIMIT, "default": 10}, "Page size."),
        query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}, "Items to skip."),
    ]
    return [{**parameter, "allowEmptyValue": True} for parameter in parameters]  # '' = left out


def id_parameter(name: str, known: list[str]) -> Schema:
    parameter = {"name": name, "in": "path", "required": True, "description": "A slug id; anything else is a 404.",
                 "schema": {"type": "string", "pattern": ID_PATTERN.pattern}}
    if known:
        parameter["examples"] = {value: {"value": value} for value in known}
    return parameter


def paths(content: Content | None, registry: FieldRegistry = REGISTRY) -> Schema:
    vocabulary = content.vocabulary if content is not None else None
    case_ids = [case.id for case in content.cases][:2] if content is not None else []
    note_ids = [note.id for note in content.notes][:2] if content is not None else []
    csv_ok = {"description": "Every case: JSON (format=json) or CSV with a header row (format=csv).",
              "content": {"application/json": {"schema": ref("CaseList")},
                          "text/csv": {"schema": {"type": "string"}}}}
    return {
        "/api/search": {"get": operation(
            "Search cases, notes, lessons and uploaded documents",
            json_response("A page of results.", ref("SearchResponse")),
            "400", "503", parameters=search_parameters(vocabulary, registry), operation_id="search",
            description="Uploaded documents' passages are found only by those who may see them (kind "
                        "'document', the hit's section names the page). They are also filtered by "
                        + ", ".join(presenters.document_facet_titles(registry)) + " (repeatable query "
                        "parameters, as the other facets).")},
        "/api/cases": {"get": operation(
            "Every case with its structured fields", csv_ok, "400", "503", operation_id="listCases",
            parameters=[query("format", {"type": "string", "enum": ["json", "csv"], "default": "json"},
                              "Answer format.")])},
        "/api/cases/{case_id}": {"get": operation(
            "One case", json_response("Fact sheet, lessons, sources, related notes, similar cases.",
                                      ref("CaseDetail")), "404", "503", parameters=[id_parameter("case_id", case_ids)],
            operation_id="getCase")},
        "/api/notes/{note_id}": {"get": operation(
            "One methodology note", json_response("The note with its backlinks.", ref("NoteDetail")), "404", "503",
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


def openapi_document(content: Content | None = None, registry: FieldRegistry = REGISTRY) -> dict:
    """OpenAPI 3.1 description of /api; enums and examples from `content` (default: the
    current app's Casebase), plain strings without it (or without its vocabulary)."""
    if content is None and has_app_context():
        casebase = current_app.extensions.get("casebase")
        content = casebase.content if casebase is not None else None
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cluster Casebase API", "version": "1",
                 "description": "Search, browse and advisor endpoints, and the initiative observatory's "
                                "programmes, initiatives, scorecards, measurements, evaluations and benchmarks, and "
                                "uploaded documents (proposals, fact-finding reports: list, upload, passages, "
                                "corrections, originals, a draft case from one); "
                                "the same JSON shapes as the CLI's --json, with the `url` of every linked page. "
                                "Writes need a signed-in session and its CSRF token (X-CSRF-Token). Errors are JSON: "
                                "{\"error\": {\"status\", \"message\", \"parameter\"?}}."},
        "paths": {**paths(content, registry), **observatory_openapi.paths(), **documents_openapi.paths()},
        "components": components(content.vocabulary if content is not None else None, registry),
    }
