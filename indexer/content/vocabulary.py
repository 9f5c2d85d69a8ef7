"""The controlled vocabularies in kb/vocabulary.yaml, as one read-only object.

The validator, the indexer's facets and filters, the similarity measures and the web
front end all read the same file through this class, so a value is valid, searchable
and selectable in exactly the same places.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

UNKNOWN = "unknown"

# Vocabulary name -> where its values live in the YAML file.
_VALUE_PATHS = {
    "typology.markusen": ("typology", "markusen", "values"),
    "typology.altenburg_meyer_stamer": ("typology", "altenburg_meyer_stamer", "values"),
    "typology.enright": ("typology", "enright", "values"),
    "driver": ("driver", "values"),
    "approach": ("approach", "values"),
    "pressure": ("pressure", "values"),
    "cooperative_culture": ("cooperative_culture", "values"),
    "stage": ("stage", "values"),
    "firm_structure": ("firm_structure", "values"),
    "funding_level": ("funding_level", "values"),
    "monitoring_style": ("monitoring_style", "values"),
    "activities": ("activities", "values"),
    "obstacles": ("obstacles", "values"),
    "topics": ("topics", "values"),
    "sectors": ("sectors",),
    "countries": ("countries",),
    "regions": ("regions",),
}


class VocabularyError(ValueError):
    """The vocabulary file itself is missing or malformed."""


@dataclass(frozen=True)
class Vocabulary:
    """Read-only access to every controlled vocabulary."""

    raw: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        """Load kb/vocabulary.yaml (safe loader), checking its basic shape."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise VocabularyError(f"{path}: vocabulary file not found")
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f":{mark.line + 1}" if mark else ""
            raise VocabularyError(f"{path}{where}: YAML error in vocabulary: {exc}")
        if not isinstance(raw, dict):
            raise VocabularyError(f"{path}: vocabulary must be a mapping")
        vocabulary = cls(raw)
        for name in _VALUE_PATHS:
            try:
                vocabulary.values(name)
            except (KeyError, TypeError):
                raise VocabularyError(f"{path}: vocabulary '{name}' is missing or malformed")
        vocabulary._check_sector_parents(path)
        return vocabulary

    def names(self) -> list[str]:
        """All vocabulary names, e.g. 'driver', 'typology.enright', 'sectors'."""
        return list(_VALUE_PATHS)

    def values(self, name: str) -> dict[str, dict]:
        """Mapping of value -> its entry (label, description, parents, ...)."""
        node: Any = self.raw
        for key in _VALUE_PATHS[name]:
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
        for key in _VALUE_PATHS[name][:-1] or _VALUE_PATHS[name]:
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
        valid = list(self.values(name))
        needle = str(value).lower()

        def score(candidate: str) -> float:
            return difflib.SequenceMatcher(None, needle, candidate.lower()).ratio()

        ranked = sorted(valid, key=lambda candidate: (-score(candidate), candidate))
        return ranked[:limit] if limit else ranked

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

    def _check_sector_parents(self, path: Path) -> None:
        sectors = self._sector_parents
        for key, parents in sectors.items():
            for parent in parents:
                if parent not in sectors:
                    raise VocabularyError(f"{path}: sector '{key}' has unknown parent '{parent}'")
            if any(key in self.sector_ancestors(parent) for parent in parents):
                raise VocabularyError(f"{path}: sector '{key}' is its own ancestor")
