"""The profile of a new initiative: what a facilitator knows about it.

The same structured attributes a case's situation has, plus planned funding and
monitoring and a free-text description. Every attribute is optional; "unknown" (or
leaving it out) means it simply does not count. A value may be given by its key or its
label, in any case ("Decline", "under pressure"). Invalid values are refused with a
message that names the field by its label and lists the valid values, closest first,
each by its label and key. A description without a letter or digit is no description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from rapidfuzz import fuzz

from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry
from indexer.content.vocabulary import UNKNOWN, Vocabulary
from indexer.errors import InvalidInput

# Profile attribute -> vocabulary it draws from, derived from the field registry: a
# case's situation, initiative and typology (the keys lessons use for their
# conditions) plus planned funding and monitoring; and the list attributes.
SCALAR_ATTRIBUTES: dict[str, str] = REGISTRY.scalar_attributes
LIST_ATTRIBUTES: dict[str, str] = REGISTRY.list_attributes
# Free-text attributes of every profile, whatever the registry holds.
TEXT_ATTRIBUTES = ("description", "title")
MAX_DESCRIPTION = 5000


class ProfileError(InvalidInput):
    """An invalid profile; `field` names the attribute."""


@dataclass(frozen=True)
class Profile:
    """A new initiative, validated. Unknown attributes are absent from `values` and `lists`."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    country: str | None = None
    description: str = ""
    title: str = ""

    def get(self, name: str) -> str | None:
        """A scalar attribute, or None when unknown."""
        return self.values.get(name)

    def items(self, name: str) -> tuple[str, ...]:
        """A list attribute, empty when unknown."""
        return self.lists.get(name, ())

    @property
    def sectors(self) -> tuple[str, ...]:
        """The sectors of the initiative (empty when unknown)."""
        return self.items("sectors")

    @property
    def activities(self) -> tuple[str, ...]:
        """The planned activities (empty when unknown)."""
        return self.items("activities")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with only what is known."""
        data: dict[str, Any] = dict(self.values)
        data.update((name, list(items)) for name, items in self.lists.items() if items)
        if self.country:
            data["country"] = self.country
        if self.description:
            data["description"] = self.description
        if self.title:
            data["title"] = self.title
        return data

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], vocabulary: Vocabulary,
                     registry: FieldRegistry = REGISTRY) -> "Profile":
        """Validate a mapping (from YAML, JSON or CLI options) into a Profile.

        The attributes are those `registry` gives the advisor's role, plus free text."""
        if not isinstance(data, Mapping):
            raise ProfileError("profile", "must be a mapping of attribute: value")
        scalars = registry.scalar_attributes
        lists, countries = registry.list_attributes, _countries(registry)
        known = set(scalars) | set(lists) | set(countries) | set(TEXT_ATTRIBUTES)
        for key in data:
            if key not in known:
                raise ProfileError(str(key), "unknown attribute; valid attributes: " + ", ".join(
                    closest(str(key), known)))
        titles = {spec.key: spec.title for spec in registry.with_role(ATTRIBUTE)}
        values: dict[str, str] = {}
        for name, vocabulary_name in scalars.items():
            value = data.get(name)
            if _unknown(value):
                continue
            valid = term_values(vocabulary, vocabulary_name)
            key = canonical(value, valid)
            if key is None:
                raise ProfileError(name, f"'{value}' is not a value of {titles.get(name, name)}; valid values, "
                                   "closest first: " + choices(value, valid))
            values[name] = key
        chosen: dict[str, tuple[str, ...]] = {}
        for name, vocabulary_name in lists.items():
            raw = data.get(name)
            items = [] if _unknown(raw) else raw if isinstance(raw, list) else [raw]
            valid = term_values(vocabulary, vocabulary_name)
            keys = []
            for item in items:
                key = canonical(item, valid)
                if key is None:
                    raise ProfileError(name, f"'{item}' is not a value of {titles.get(name, name)}; valid values, "
                                       "closest first: " + choices(item, valid, 10))
                keys.append(key)
            chosen[name] = tuple(dict.fromkeys(keys))
        country = None
        for name in countries:
            country = _country(data.get(name), name, vocabulary, titles.get(name, name)) or country
        description = data.get("description")
        if description is None:
            description = ""
        if not isinstance(description, str):
            raise ProfileError("description", "must be text")
        if len(description) > MAX_DESCRIPTION:
            raise ProfileError("description", f"is longer than {MAX_DESCRIPTION} characters")
        if not has_words(description):  # "   " or "...": nothing to read or compare
            description = ""
        title = data.get("title") or ""
        return cls(values=values, lists=chosen, country=country, description=description.strip(),
                   title=str(title).strip())

    @classmethod
    def from_case(cls, case, vocabulary: Vocabulary, registry: FieldRegistry = REGISTRY) -> "Profile":
        """The profile a case would have, to find cases similar to an existing one."""
        lists = registry.list_attributes
        data: dict[str, Any] = {name: case.values(path) if name in lists else case.get(path)
                                for name, path in registry.attribute_paths.items()}
        data["description"] = case.summary
        return cls.from_mapping(data, vocabulary, registry)


def has_words(text: str) -> bool:
    """True when `text` holds a letter or a digit (whitespace or punctuation alone say nothing).

    >>> has_words("  ... "), has_words("Wine, 3 firms")
    (False, True)
    """
    return any(character.isalnum() for character in text)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _unknown(value: Any) -> bool:
    """Left out, empty or 'unknown' (in any case): the attribute does not count."""
    return value is None or (isinstance(value, str) and _fold(value) in ("", UNKNOWN))


def canonical(value: Any, valid: Mapping[str, Mapping]) -> str | None:
    """The key of `valid` that `value` names, by its key or its label, ignoring case
    and spacing; None when it names none.

    >>> valid = {"under-pressure": {"label": "Under pressure"}, "doing-well": {"label": "Doing well"}}
    >>> canonical("Under-Pressure", valid), canonical("under pressure", valid), canonical("desperate", valid)
    ('under-pressure', 'under-pressure', None)
    """
    if not isinstance(value, str):
        return None
    folded = _fold(value)
    for key, entry in valid.items():
        if folded in (_fold(key), _fold(str((entry or {}).get("label", key)))):
            return key
    return None


def choices(value: Any, valid: Mapping[str, Mapping], limit: int | None = None) -> str:
    """The valid values, closest to `value` first (by key or label), each as its label
    and its key, for an error message.

    >>> choices("doing badly", {"under-pressure": {"label": "Under pressure"}, "doing-well": {"label": "Doing well"}})
    "'Doing well' (doing-well), 'Under pressure' (under-pressure)"
    """
    folded = _fold(str(value))

    def closeness(key: str) -> float:
        label = str((valid[key] or {}).get("label", key))
        return max(fuzz.ratio(folded, key.casefold()), fuzz.ratio(folded, label.casefold()))

    ranked = sorted(valid, key=lambda key: (-closeness(key), key))[:limit]
    return ", ".join(f"'{(valid[key] or {}).get('label', key)}' ({key})" if (valid[key] or {}).get("label")
                     else key for key in ranked)


def term_values(vocabulary: Vocabulary, name: str) -> dict[str, dict]:
    """The values of vocabulary `name`, also for the condition vocabularies that the
    vocabulary module does not name (read from the file's top level)."""
    try:
        return vocabulary.values(name)
    except KeyError:
        entry = (vocabulary.raw.get(name) or {}).get("values")
        if not isinstance(entry, dict):
            raise
        return {str(key): (value or {}) for key, value in entry.items()}


def term_label(vocabulary: Vocabulary, name: str, value: str) -> str:
    """Human label of a value of vocabulary `name` (the value itself when it has none)."""
    try:
        return str(term_values(vocabulary, name).get(value, {}).get("label", value))
    except KeyError:
        return value


def term_title(vocabulary: Vocabulary, name: str) -> str:
    """Human title of vocabulary `name`."""
    try:
        return vocabulary.title(name)
    except KeyError:
        return str((vocabulary.raw.get(name) or {}).get("label") or name.replace("_", " ").capitalize())


def closest(value: str, candidates: Iterable[str]) -> list[str]:
    """Candidates ordered by similarity to `value`, closest first (ties alphabetically).

    >>> closest("secotrs", ["title", "sectors", "stage"])[0]
    'sectors'
    """
    return sorted(candidates, key=lambda candidate: (-fuzz.ratio(value, candidate), candidate))


def _countries(registry: FieldRegistry) -> tuple[str, ...]:
    """Attributes that hold a country name (the profile keeps one country)."""
    return tuple(spec.key for spec in registry.with_role(ATTRIBUTE) if spec.kind == "country")


def _country(value: Any, name: str, vocabulary: Vocabulary, title: str = "Country") -> str | None:
    """A country named case-insensitively, as the vocabulary spells it; None when unknown."""
    if _unknown(value):
        return None
    entry = vocabulary.country(" ".join(str(value).split()))
    if entry is None:
        raise ProfileError(name, f"'{value}' is not a known country ({title}); closest first: "
                           + ", ".join(vocabulary.closest("countries", value, 6)))
    return entry["name"]
