"""The advisor page's request and view, apart from its route (webui/pages.py).

The request: the profile of the query string (webui/params.py), with the values the
page pre-filled from an earlier description forgotten once that description has changed
(`forget_stale_readings`), and notices for parameters the advisor does not know.

The view: what the engine's answer says, put as a reader sees it: the explanation table
in labels, imputed rows in words, sentences with labels in running text, the notices
with the case they name linked, and that case shown even when it is not among the most
similar.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

from werkzeug.datastructures import MultiDict

from indexer.advisor.explain import Labels, words
from indexer.advisor.profile import TEXT_ATTRIBUTES, closest
from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry

from . import urls

# Hidden fields of the form: the digest of the description the pre-filled values were
# read from, and each pre-filled value as 'attribute=value'.
READ_FROM = "read_from"
READ = "read"
# Parameters of the page that are not profile attributes.
PAGE_PARAMETERS = ("format", "page", READ_FROM, READ)


def description_digest(text: str) -> str:
    """A short digest of a description, blind to spacing and line ends (a browser sends
    a textarea's lines with CRLF).

    >>> description_digest("Orders are full.\\r\\nFirms distrust") == description_digest(" Orders are full. Firms distrust")
    True
    """
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def forget_stale_readings(data: dict[str, Any], args: MultiDict, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """`data` without the values the form pre-filled from another description.

    The form sends back the values it pre-filled from the description (READ) and the
    digest of that description (READ_FROM). When the description sent differs, a value
    still equal to what was pre-filled is the old reading, not the user's choice: it is
    left out, so the new description is read afresh. A value the user changed stays
    given, and so does everything when the description is unchanged (confirmed).

    >>> args = MultiDict([("description", "new"), (READ_FROM, description_digest("old")),
    ...                   (READ, "pressure=doing-well"), (READ, "stage=growth")])
    >>> forget_stale_readings({"description": "new", "pressure": "doing-well", "stage": "decline"}, args)
    {'description': 'new', 'stage': 'decline'}
    """
    digest = args.get(READ_FROM)
    if not digest or digest == description_digest(str(data.get("description", ""))):
        return data
    lists = {spec.key for spec in registry.with_role(ATTRIBUTE) if spec.many}
    read: dict[str, set[str]] = {}
    for pair in args.getlist(READ):
        attribute, _, value = pair.partition("=")
        read.setdefault(attribute, set()).add(value)
    kept = dict(data)
    for attribute, values in read.items():
        given = kept.get(attribute)
        if given is not None and (set(given) if attribute in lists else {given}) == values:
            del kept[attribute]
    return kept


def read_fields(fields: list[dict[str, Any]], data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The hidden fields that record what the form pre-fills from the description."""
    read = [(READ, f"{field['name']}={value}") for field in fields if field["status"] == "inferred"
            for value in field["selected"]]
    return [(READ_FROM, description_digest(str(data.get("description", ""))))] + read if read else []


def unknown_parameter_notices(args: MultiDict, registry: FieldRegistry = REGISTRY) -> list[str]:
    """A notice for each query parameter that is neither a profile attribute nor one of
    the page's own, which the page ignores."""
    attributes = [*TEXT_ATTRIBUTES, *(spec.key for spec in registry.with_role(ATTRIBUTE))]
    notices = []
    for key in dict.fromkeys(args.keys()):
        if key not in attributes and key not in PAGE_PARAMETERS:
            nearest = closest(key, attributes)[0]
            notices.append(f"The address holds '{key}', which is not a field of the advisor, so it was ignored "
                           f"(the closest field is '{nearest}').")
    return notices


def field_error(error, registry: FieldRegistry = REGISTRY) -> dict[str, str]:
    """An invalid profile value as the form shows it: the field's name and label, and a
    message that names the field by its label.

    >>> from indexer.errors import InvalidInput
    >>> field_error(InvalidInput("description", "is longer than 5000 characters"))["message"]
    'Description is longer than 5000 characters'
    """
    titles = {spec.key: spec.title for spec in registry.with_role(ATTRIBUTE)}
    label = titles.get(error.field, error.field.capitalize())
    message = error.message
    if label.casefold() not in message.casefold():
        message = f"{label} {message}" if message[:1].islower() else f"{label}: {message}"
    return {"field": error.field, "label": label, "message": message}


# -- the view ------------------------------------------------------------------

def explanation_rows(match: Mapping[str, Any], labels: Labels) -> list[dict[str, Any]]:
    """A case's explanation in readers' words: labels, not keys."""
    rows = []
    for part in match["explanation"]:
        attribute = part["attribute"]
        theirs = "" if part["imputed"] else words(attribute, part["case_value"], labels)
        rows.append({"label": part["label"] or labels.attribute(attribute),
                     "yours": words(attribute, part["query_value"], labels),
                     "theirs": theirs + (" (interpreted)" if part["interpreted"] else ""),
                     "similarity": part["similarity"], "weight": part["weight"], "imputed": part["imputed"]})
    return rows


def page_view(answer: dict[str, Any], suggestion, labels: Labels) -> dict[str, Any]:
    """What the page renders beside the answer: each case's rows, the undecided rules in
    sentences, the notices (the nearest sector's case linked) and that case."""
    for match in answer["cases"]:
        match["rows"] = explanation_rows(match, labels)
    for item in answer["undecided"]:
        item["needs"] = labels.in_text(item["label"])
        item["would_fire"] = " or ".join(labels.in_text(value) for value in item["values_that_would_fire"])
    nearest = None
    if suggestion.nearest_sector_case is not None:
        nearest = suggestion.nearest_sector_case.to_dict()
        nearest["url"] = urls.linked(nearest)
        nearest["rows"] = explanation_rows(nearest, labels)
        nearest["shown"] = any(match["id"] == nearest["id"] for match in answer["cases"])
    notices = []
    for text in answer["notices"]:
        before, title, after = text.partition(nearest["title"]) if nearest else (text, "", "")
        notices.append({"before": before, "title": title, "after": after,
                        "url": nearest["url"] if title else None})
    return {"nearest": nearest, "notices": notices,
            "imputed": any(row["imputed"] for match in answer["cases"] for row in match["rows"])}
