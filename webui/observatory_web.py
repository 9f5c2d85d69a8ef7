"""What every observatory page shares: the facade and the viewer, HTML-or-JSON
answers, form parsing into typed values, and the success message after a redirect.

The pages only parse requests, call `casebase().observatory` and render; access
decisions are the engine's (a Refused is answered 403 by webui/errors.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask import g, jsonify, render_template, request
from pydantic import BaseModel

from indexer.errors import InvalidInput

from .errors import error_body
from .services import casebase

# The success messages a redirect may ask the next page to show (?done=KEY). Only
# these fixed texts are ever shown, so nothing a user typed travels in the URL.
DONE = {
    "programme-created": "The programme was created; you manage it.",
    "initiative-created": "The initiative was created.",
    "initiative-saved": "The initiative's profile was saved.",
    "status-set": "The status was changed.",
    "member-added": "The member was added.",
    "member-removed": "The member was removed.",
    "manager-added": "The programme manager was added.",
    "definition-added": "The programme-wide indicator was defined.",
    "sharing-set": "The sharing choice was saved.",
    "template-started": "The scorecard was started from the template; adapt it to your initiative.",
    "indicator-added": "The indicator was added.",
    "indicator-saved": "The indicator was saved.",
    "indicator-removed": "The indicator was removed.",
    "measurement-recorded": "The measurement was recorded.",
    "evaluation-recorded": "The evaluation was recorded.",
    "action-updated": "The action's status was changed.",
    "imported": "The measurements were imported.",
    "closed": "The initiative was closed and a draft case was created for an editor to complete.",
}


def observatory():
    """The engine's observatory facade of the current app."""
    return casebase().observatory


def viewer():
    """Who is looking, for the facade's access decisions."""
    return observatory().viewer(g.get("user"))


def wants_json() -> bool:
    """?format=json, or an Accept header that prefers JSON to HTML (Datasette's rule)."""
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def plain(value: Any) -> Any:
    """Models (and lists or dicts of them) as JSON-ready data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def respond(template: str, data: dict, status: int = 200, **page_only: Any):
    """The page as HTML, or `data` as JSON when asked; `page_only` goes to the template
    only. A form shown again with an `error` answers JSON as every error does."""
    if wants_json():
        refused = page_only.get("error") or data.get("error")
        if refused:
            return jsonify(error_body(status, refused["message"], refused["field"] or None)), status
        return jsonify(plain(data)), status
    return render_template(template, done=DONE.get(request.args.get("done", "")), **data, **page_only), status


def error_of(error: InvalidInput) -> dict:
    """An engine's InvalidInput as the form shows it: the field and the message."""
    return {"field": error.field or "", "message": error.message}


def text(form: Mapping, name: str) -> str:
    """A form field's text, trimmed."""
    return (form.get(name) or "").strip()


def optional_number(form: Mapping, name: str) -> float | None:
    """A decimal number from a form field (a decimal comma is accepted), None when empty.

    >>> optional_number({"v": "12,5"}, "v"), optional_number({"v": ""}, "v"), optional_number({}, "v")
    (12.5, None, None)
    >>> optional_number({"v": "many"}, "v")
    Traceback (most recent call last):
    ...
    indexer.errors.InvalidInput: v: 'many' is not a number; write e.g. 12.5
    """
    raw = text(form, name).replace(" ", "")
    if not raw:
        return None
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(name, f"'{text(form, name)}' is not a number; write e.g. 12.5") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(name, "must be a finite number")
    return value


def required_number(form: Mapping, name: str) -> float:
    """A decimal number that must be given."""
    value = optional_number(form, name)
    if value is None:
        raise InvalidInput(name, "is required")
    return value


def optional_date(form: Mapping, name: str) -> date | None:
    """An ISO date (YYYY-MM-DD) from a form field, None when empty.

    >>> optional_date({"d": "2027-03-31"}, "d"), optional_date({"d": ""}, "d")
    (datetime.date(2027, 3, 31), None)
    >>> optional_date({"d": "31.3.2027"}, "d")
    Traceback (most recent call last):
    ...
    indexer.errors.InvalidInput: d: '31.3.2027' is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31
    """
    raw = text(form, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(name, f"'{raw}' is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31") from None


def required_date(form: Mapping, name: str) -> date:
    """An ISO date that must be given."""
    value = optional_date(form, name)
    if value is None:
        raise InvalidInput(name, "is required (YYYY-MM-DD)")
    return value


def optional_id(form: Mapping, name: str) -> int | None:
    """A row id (ASCII digits) from a form field, None when empty.

    >>> optional_id({"i": "12"}, "i"), optional_id({"i": ""}, "i")
    (12, None)
    """
    raw = text(form, name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19):
        raise InvalidInput(name, f"'{raw}' is not an id")
    return int(raw)


def listed(raw: str) -> list[str]:
    """Comma- or line-separated values, trimmed, empty ones dropped.

    >>> listed("food, tourism\\n wine ,,")
    ['food', 'tourism', 'wine']
    """
    return [item.strip() for line in raw.splitlines() for item in line.split(",") if item.strip()]
