"""Building blocks of the OpenAPI document (webui/openapi.py, webui/observatory_openapi.py):
JSON Schema helpers, the error answers, operations, and component schemas made from
pydantic models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
TEXTS: Schema = {"type": "array", "items": TEXT}
NULL: Schema = {"type": "null"}
COUNT: Schema = {"type": "integer", "minimum": 0}
ERROR = "ErrorResponse"
LINK_FIELDS = ("kind", "doc_id")
URL: Schema = {"type": "string", "description": "The item's page (and fragment), built by the web layer from "
                                                "kind, doc_id and anchor."}
ERROR_STATUSES = {"400": "A parameter cannot be used; `error.parameter` names it.",
                  "401": "Sign in first (a session cookie).",
                  "403": "Not allowed for you (or a missing X-CSRF-Token header on a write).",
                  "404": "No such item (or not one you may see).", "409": "It does not fit the current state.",
                  "413": "The request body is too large.",
                  "503": "The index is missing or being rebuilt, or the content has errors."}


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


def model_schemas(answer_models: Iterable[type[BaseModel]],
                  sparse_models: Iterable[type[BaseModel]]) -> dict[str, Schema]:
    """Component schemas of the models and of every model they use, by model name.

    Every property of an answer model is marked required, since an answer is dumped
    whole; a linked item (one with kind and doc_id) gets the `url` the web layer adds.
    """
    schemas: dict[str, Schema] = {}
    for group, whole in ((answer_models, True), (sparse_models, False)):
        _, top = models_json_schema([(model, "serialization") for model in group],
                                    ref_template="#/components/schemas/{model}")
        for name, schema in top.get("$defs", {}).items():
            properties = schema.get("properties", {})
            if all(field in properties for field in LINK_FIELDS):
                properties["url"] = dict(URL)
            if whole and properties:
                schema["required"] = list(properties)
            schemas[name] = schema
    return schemas


def body_schemas(bodies: Iterable[type[BaseModel]]) -> dict[str, Schema]:
    """Component schemas of request bodies (what a client may send: validation mode,
    required as declared), by model name."""
    _, top = models_json_schema([(model, "validation") for model in bodies],
                                ref_template="#/components/schemas/{model}")
    return dict(top.get("$defs", {}))


# -- operations -----------------------------------------------------------------

def query(name: str, schema: Schema, description: str, *, explode: bool = False) -> Schema:
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if explode:
        parameter.update(style="form", explode=True)
    return parameter


def json_response(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def responses(ok: Schema, *errors: str, ok_status: str = "200") -> Schema:
    answers = {ok_status: ok}
    answers.update({status: json_response(ERROR_STATUSES[status], ref(ERROR)) for status in errors})
    return answers


def operation(summary: str, ok: Schema, *errors: str, parameters: list | None = None, ok_status: str = "200",
              **extra: Any) -> Schema:
    """One operation: its summary, id (`operation_id`), parameters, and answers (`ok`
    under `ok_status`, the `errors` as ErrorResponse)."""
    return {"summary": summary, "operationId": extra.pop("operation_id"),
            "parameters": parameters or [], "responses": responses(ok, *errors, ok_status=ok_status), **extra}
