"""Today's initiative, tomorrow's case: the first draft of a case from an advisor profile.

Every case field of the field registry is written: the profile's value where the
field is an advisor attribute the profile states, else 'unknown' (or an empty list),
so the draft validates as a case and a field added to the registry appears here
without an edit.
"""

from __future__ import annotations

from typing import Any, Mapping

import yaml

from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry

# Fields the profile cannot supply, written from the draft's own facts instead.
_OWN_FIELDS = {"id", "title", "summary", "sources", "lessons"}


def _set(data: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


def case_from_profile(doc_id: str, title: str, profile: Mapping[str, Any], author: str, year: int,
                      registry: FieldRegistry = REGISTRY) -> str:
    """The text of a new case `doc_id` describing the initiative in `profile` (keys as
    the advisor's form names them), recorded by `author` in `year`.

    >>> text = case_from_profile("x-town", "X", {"country": "Kenya", "sectors": ["furniture"]}, "erin", 2026)
    >>> "country: Kenya" in text, "pressure: unknown" in text, "author: erin" in text
    (True, True, True)
    """
    description = str(profile.get("description") or "")
    front: dict[str, Any] = {"id": doc_id, "title": title,
                             "summary": description or "A new initiative recorded from the advisor."}
    for spec in registry.fields("case"):
        if spec.path in _OWN_FIELDS:
            continue
        stated = profile.get(spec.key) if spec.has(ATTRIBUTE) else None
        _set(front, spec.path, stated or ([] if spec.many else "unknown"))
    _set(front, "initiative.name", title)
    _set(front, "period", str(year))
    front["sources"] = [{"author": author, "year": year, "title": "Initiative profile recorded in Cluster Casebase"}]
    front["lessons"] = []
    body = (f"## Context\n\n{description}\n\n"
            "## What was done\n\nTo be written as the initiative unfolds.\n")
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100) + "---\n\n" + body
