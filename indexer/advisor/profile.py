"""The profile of a new initiative: what a facilitator knows about it.

The same structured attributes a case's situation has, plus planned funding and
monitoring and a free-text description. Every attribute is optional; "unknown" (or
leaving it out) means it simply does not count. Invalid values are refused with a
message that names the field and lists the valid values, closest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from indexer.content.schema import CONDITION_CASE_PATHS, CONDITION_KEYS
from indexer.content.vocabulary import UNKNOWN, Vocabulary

# Profile attribute -> vocabulary it draws from: a case's situation attributes (the
# same keys lessons use for their conditions) plus planned funding and monitoring.
SCALAR_ATTRIBUTES: dict[str, str] = {
    **CONDITION_KEYS,
    "funding_level": "funding_level",
    "monitoring_style": "monitoring_style",
}
LIST_ATTRIBUTES: dict[str, str] = {"sectors": "sectors", "activities": "activities"}
TEXT_ATTRIBUTES = ("country", "description", "title")
MAX_DESCRIPTION = 5000


class ProfileError(ValueError):
    """An invalid profile; `field` names the attribute."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Profile:
    """A new initiative, validated. Unknown attributes are absent from `values`."""

    values: dict[str, str] = field(default_factory=dict)
    sectors: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    country: str | None = None
    description: str = ""
    title: str = ""

    def get(self, name: str) -> str | None:
        """A scalar attribute, or None when unknown."""
        return self.values.get(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with only what is known."""
        data: dict[str, Any] = dict(self.values)
        if self.sectors:
            data["sectors"] = list(self.sectors)
        if self.activities:
            data["activities"] = list(self.activities)
        if self.country:
            data["country"] = self.country
        if self.description:
            data["description"] = self.description
        if self.title:
            data["title"] = self.title
        return data

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], vocabulary: Vocabulary) -> "Profile":
        """Validate a mapping (from YAML, JSON or CLI options) into a Profile."""
        if not isinstance(data, Mapping):
            raise ProfileError("profile", "must be a mapping of attribute: value")
        known = set(SCALAR_ATTRIBUTES) | set(LIST_ATTRIBUTES) | set(TEXT_ATTRIBUTES)
        for key in data:
            if key not in known:
                raise ProfileError(str(key), "unknown attribute; valid attributes: " + ", ".join(
                    _closest(str(key), sorted(known))))
        values: dict[str, str] = {}
        for name, vocabulary_name in SCALAR_ATTRIBUTES.items():
            value = data.get(name)
            if value in (None, "", UNKNOWN):
                continue
            if not vocabulary.is_valid(vocabulary_name, value):
                raise ProfileError(name, f"'{value}' is not valid; valid values, closest first: "
                                   + ", ".join(vocabulary.closest(vocabulary_name, value)))
            values[name] = str(value)
        lists: dict[str, tuple[str, ...]] = {}
        for name, vocabulary_name in LIST_ATTRIBUTES.items():
            raw = data.get(name)
            items = [] if raw in (None, "", UNKNOWN) else raw if isinstance(raw, list) else [raw]
            for item in items:
                if not vocabulary.is_valid(vocabulary_name, item):
                    raise ProfileError(name, f"'{item}' is not valid; valid values, closest first: "
                                       + ", ".join(vocabulary.closest(vocabulary_name, item, 10)))
            lists[name] = tuple(dict.fromkeys(str(item) for item in items))
        country = data.get("country")
        if country in (None, "", UNKNOWN):
            country = None
        else:
            entry = vocabulary.country(str(country))
            if entry is None:
                raise ProfileError("country", f"'{country}' is not a known country; closest first: "
                                   + ", ".join(vocabulary.closest("countries", country, 6)))
            country = entry["name"]
        description = data.get("description")
        if description is None:
            description = ""
        if not isinstance(description, str):
            raise ProfileError("description", "must be text")
        if len(description) > MAX_DESCRIPTION:
            raise ProfileError("description", f"is longer than {MAX_DESCRIPTION} characters")
        title = data.get("title") or ""
        return cls(values=values, sectors=lists["sectors"], activities=lists["activities"],
                   country=country, description=description.strip(), title=str(title).strip())

    @classmethod
    def from_case(cls, case, vocabulary: Vocabulary) -> "Profile":
        """The profile a case would have, to find cases similar to an existing one."""
        data: dict[str, Any] = {name: case.get(path) for name, path in CONDITION_CASE_PATHS.items()}
        data["sectors"] = case.values("sectors")
        data["activities"] = case.values("activities")
        data["country"] = case.get("location.country")
        data["description"] = case.summary
        return cls.from_mapping(data, vocabulary)


def _closest(value: str, candidates: list[str]) -> list[str]:
    import difflib

    return sorted(candidates, key=lambda c: -difflib.SequenceMatcher(None, value, c).ratio())
