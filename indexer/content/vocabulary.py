"""The controlled vocabularies in kb/vocabulary.yaml, as one read-only object.

The validator, the indexer's facets and filters, the similarity measures and the web
front end all read the same file through this class, so a value is valid, searchable
and selectable in exactly the same places.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from rapidfuzz import fuzz, process, utils

from indexer.content.frontmatter import FrontMatterError, read_yaml_file
from indexer.content.schema import REGISTRY, FieldRegistry
from indexer.errors import CasebaseError

UNKNOWN = "unknown"
# Fields of a value's entry that consumers read, and the type each must have.
_TEXT_ENTRY_FIELDS = ("label", "description", "region", "context", "area")

# Reference data, written flat (value: entry); every other vocabulary is a mapping
# with a label and its `values`, found at its dotted name ('typology.enright').
FLAT_VOCABULARIES = ("sectors", "countries", "regions")


def vocabulary_names(registry: FieldRegistry = REGISTRY) -> list[str]:
    """Every vocabulary the field registry names, then the flat reference data.

    >>> names = vocabulary_names()
    >>> "typology.enright" in names and "countries" in names and names.count("topics")
    1
    """
    specs = registry.case + registry.lesson + registry.note + registry.source + registry.profile_only
    named = [spec.vocabulary for spec in specs if spec.vocabulary]
    return list(dict.fromkeys(named + list(FLAT_VOCABULARIES)))


def _value_path(name: str) -> tuple[str, ...]:
    """Where the values of vocabulary `name` live in the file.

    >>> _value_path("typology.enright"), _value_path("sectors")
    (('typology', 'enright', 'values'), ('sectors',))
    """
    return (name,) if name in FLAT_VOCABULARIES else (*name.split("."), "values")


def closest_matches(value: Any, choices: Iterable[str], limit: int | None = None,
                    cutoff: float = 0) -> list[str]:
    """`choices` ordered by closeness to `value` (closest first, ties alphabetical),
    those scoring under `cutoff` (0-100) left out.

    >>> closest_matches("outcome", ["title", "outcomes", "output"], cutoff=60)
    ['outcomes']
    >>> closest_matches("Brasil", ["Chile", "Bolivia", "Brazil"], limit=2)
    ['Brazil', 'Chile']
    """
    ranked = process.extract(str(value), sorted(set(choices)), scorer=fuzz.ratio,
                             processor=utils.default_process, limit=None, score_cutoff=cutoff)
    names = [choice for choice, _, _ in sorted(ranked, key=lambda match: (-match[1], match[0]))]
    return names[:limit] if limit else names


class VocabularyError(CasebaseError, ValueError):
    """The vocabulary file itself is missing or malformed; `issues` holds each
    problem as (line, field, message), the line 1-based in the file or None."""

    def __init__(self, issues: list[tuple[int | None, str | None, str]]):
        super().__init__("; ".join(message for _, _, message in issues))
        self.issues = issues


@dataclass(frozen=True)
class Vocabulary:
    """Read-only access to every controlled vocabulary."""

    raw: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        """Load kb/vocabulary.yaml (bounded safe loader), checking every part the
        other modules read, so that a loaded vocabulary never fails them later."""
        try:
            raw, lines = read_yaml_file(path)
        except FileNotFoundError:
            raise VocabularyError([(None, None, "vocabulary file not found")])
        except FrontMatterError as exc:
            raise VocabularyError([(exc.line, None, exc.message)])
        if not isinstance(raw, dict):
            raise VocabularyError([(1, None, "the vocabulary must be a mapping of vocabulary names")])
        issues = _shape_issues(raw, lines)
        if issues:
            raise VocabularyError(issues)
        vocabulary = cls(raw)
        issues = vocabulary._sector_issues(lines)
        if issues:
            raise VocabularyError(issues)
        return vocabulary

    def names(self) -> list[str]:
        """All vocabulary names, e.g. 'driver', 'typology.enright', 'sectors'."""
        return vocabulary_names()

    def values(self, name: str) -> dict[str, dict]:
        """Mapping of value -> its entry (label, description, parents, ...)."""
        node: Any = self.raw
        for key in _value_path(name):
            node = node[key]
        if not isinstance(node, dict):
            raise TypeError(name)
        return {str(k): (v or {}) for k, v in node.items()}

    def label(self, name: str, value: str) -> str:
        """Human label of a value; the value itself when it has none."""
        if value == UNKNOWN:
            return "Unknown"
        entry = self.values(name).get(value, {})
        return str(entry.get("label", value))

    def title(self, name: str) -> str:
        """Human title of a whole vocabulary (e.g. 'Approach (Table 3)')."""
        node: Any = self.raw
        for key in _value_path(name)[:-1] or _value_path(name):
            node = node[key]
        if isinstance(node, dict) and "label" in node:
            return str(node["label"])
        return name.split(".")[-1].replace("_", " ").capitalize()

    def is_valid(self, name: str, value: Any) -> bool:
        """True when `value` is a key of vocabulary `name`."""
        return isinstance(value, str) and value in self.values(name)

    def closest(self, name: str, value: Any, limit: int | None = None) -> list[str]:
        """Valid values ordered by closeness to `value` (closest first).

        >>> v = Vocabulary({"approach": {"values": {"top-down": {}, "bottom-up": {}}}})
        >>> v.closest("approach", "botom-up")
        ['bottom-up', 'top-down']
        """
        return closest_matches(value, self.values(name), limit)

    def country(self, name: str) -> dict | None:
        """Region and development context of a country, looked up case-insensitively."""
        folded = name.casefold()
        for key, entry in self.values("countries").items():
            if key.casefold() == folded:
                return {"name": key, **entry}
        return None

    @cached_property
    def _sector_parents(self) -> dict[str, list[str]]:
        return {
            key: list(entry.get("parents", []) or [])
            for key, entry in self.values("sectors").items()
        }

    def sector_ancestors(self, sector: str) -> dict[str, int]:
        """Every ancestor of `sector` (itself included) with its distance in links.

        >>> v = Vocabulary({"sectors": {"a": {}, "b": {"parents": ["a"]}, "c": {"parents": ["b"]}}})
        >>> v.sector_ancestors("c")
        {'c': 0, 'b': 1, 'a': 2}
        """
        parents = self._sector_parents
        distances = {sector: 0}
        frontier = [sector]
        while frontier:
            next_frontier = []
            for node in frontier:
                for parent in parents.get(node, []):
                    if parent not in distances:
                        distances[parent] = distances[node] + 1
                        next_frontier.append(parent)
            frontier = next_frontier
        return distances

    def _sector_issues(self, lines: dict[tuple, int]) -> list[tuple[int | None, str | None, str]]:
        sectors = self._sector_parents
        issues: list[tuple[int | None, str | None, str]] = []
        for key, parents in sectors.items():
            where = lines.get(("sectors", key, "parents")) or lines.get(("sectors", key))
            for parent in parents:
                if parent not in sectors:
                    issues.append((where, f"sectors.{key}.parents", f"sector '{key}' has unknown parent '{parent}'"))
            if any(key in self.sector_ancestors(parent) for parent in parents):
                issues.append((where, f"sectors.{key}.parents", f"sector '{key}' is its own ancestor"))
        return issues


def _shape_issues(raw: dict, lines: dict[tuple, int]) -> list[tuple[int | None, str | None, str]]:
    """Where the vocabulary's shape differs from what the other modules read."""
    issues: list[tuple[int | None, str | None, str]] = []

    def line_of(path: tuple) -> int | None:
        for end in range(len(path), 0, -1):
            if path[:end] in lines:
                return lines[path[:end]]
        return 1

    reported: set[tuple] = set()

    def report(path: tuple, message: str) -> None:
        if path not in reported:  # a missing or wrong section is said once, not per vocabulary
            reported.add(path)
            issues.append((line_of(path), ".".join(str(part) for part in path) or None, message))

    for name in vocabulary_names():
        keys = _value_path(name)
        node: Any = raw
        for depth, key in enumerate(keys):
            if not isinstance(node, dict):
                report(keys[:depth], f"must be a mapping (holding '{key}'), not {_kind(node)}")
                break
            if key not in node:
                report(keys[:depth + 1], f"'{key}' is missing (the vocabulary '{name}' lives there)")
                break
            node = node[key]
        else:
            if not isinstance(node, dict):
                report(keys, f"must be a mapping of value: {{label: ...}}, not {_kind(node)}")
                continue
            for value, entry in node.items():
                _check_entry(keys + (value,), entry, report)
    return issues


def _check_entry(path: tuple, entry: Any, report) -> None:
    if not isinstance(path[-1], str):
        report(path, f"the value '{path[-1]}' must be a text (put it in quotes)")
    if entry is None:
        return
    if not isinstance(entry, dict):
        report(path, f"must be a mapping such as {{label: ...}}, not {_kind(entry)}")
        return
    for key, value in entry.items():
        if value is None and isinstance(key, str) and "label" in entry:
            # `{label: Jobs, start-ups or exports only}`: the comma ended the label and
            # made the rest a key with no value.
            report(path + (key,), f"'{key}' has no value: the label was cut at a comma; "
                                  "put a label with a comma in quotes")
    for key in _TEXT_ENTRY_FIELDS:
        if key in entry and not isinstance(entry[key], str):
            report(path + (key,), f"must be a text, not {_kind(entry[key])}")
    parents = entry.get("parents")
    if parents is not None and (not isinstance(parents, list) or not all(isinstance(p, str) for p in parents)):
        report(path + ("parents",), "must be a list of sector keys, e.g. [manufacturing]")


def _kind(value: Any) -> str:
    """How a wrong value reads in a message.

    >>> _kind([1]), _kind(None), _kind(3)
    ('a list', 'empty', 'a number')
    """
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a text" if isinstance(value, str) else type(value).__name__
