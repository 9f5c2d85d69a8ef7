"""Field-level validation of one parsed content file against the schema.

Checks here need only the file itself and the vocabulary; checks across files (unique
ids, links) live in `loading.py`. Every problem names the file, the line and the field,
and for a controlled value lists the valid values closest first. Front matter is
written by people: any value may have any type, and a wrong type is a problem to
report, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from indexer.content.frontmatter import ParsedFile
from indexer.content.schema import (
    CONDITION_KEYS,
    FIELDS_BY_KIND,
    INTERPRETED,
    LESSON_FIELDS,
    MAX_ID_LENGTH,
    SLUG_PATTERN,
    SOURCE_FIELDS,
    FieldSpec,
    interpretation_problems,
)
from indexer.content.vocabulary import UNKNOWN, Vocabulary, closest_matches

MAX_HINT_VALUES = 6
FRONT_MATTER_LINE = 1
MAX_SHOWN_CHARS = 60
# How close a misspelt field name must be to a known one to suggest it (0-100).
FIELD_HINT_CUTOFF = 60

# Messages a form rewords for people who never see the YAML (webui/form_errors.py matches on them).
EMPTY_TEXT = "must be a non-empty text"
MISSING = "required field is missing"
MISSING_OR_UNKNOWN = "required field is missing (write 'unknown' if the source is silent)"
UNKNOWN_REFUSED = "must be written out; 'unknown' is not allowed here"
NO_SOURCES = "at least one source is required: {author: ..., year: ...}"
YEAR_EXPECTED = "must be a year such as 1998, or n.d. when the source gives none"
TEXT_LIST = "must be a list of non-empty texts"
INVALID_ID = "is not a valid id"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located as precisely as possible."""

    path: str
    line: int | None
    field: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}: {what}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


class FileChecker:
    """Validates the front matter of one file of a given kind."""

    def __init__(self, vocabulary: Vocabulary, rel_path: str, parsed: ParsedFile):
        self.vocabulary = vocabulary
        self.rel_path = rel_path
        self.parsed = parsed
        self.problems: list[Problem] = []

    def check(self, kind: str, expected_id: str) -> list[Problem]:
        """Check every field of a `kind` file whose id must be `expected_id`."""
        data = self.parsed.data
        self._check_mapping(data, FIELDS_BY_KIND[kind], ())
        doc_id = data.get("id")
        if isinstance(doc_id, str) and doc_id != expected_id:
            self._report(("id",), f"id '{doc_id}' must equal the file name '{expected_id}'")
        if kind == "case":
            self._check_lessons(data.get("lessons"))
            self._check_interpretations(data)
        return self.problems

    def _check_interpretations(self, data: dict) -> None:
        """Each interpretation mark names a field of the case and, with `=value`, a value it holds."""
        marks = data.get(INTERPRETED)
        if not isinstance(marks, list):
            return  # its kind is checked with the other fields
        for entry, message in interpretation_problems(data):
            index = next((i for i, mark in enumerate(marks) if str(mark) == entry), None)
            self._report((INTERPRETED,) if index is None else (INTERPRETED, index),
                         f"interpretation mark '{entry}': {message}")

    # -- reporting -------------------------------------------------------------

    def _report(self, path: tuple, message: str, severity: str = "error") -> None:
        field = ".".join(str(part) if not isinstance(part, int) else f"[{part}]" for part in path)
        field = field.replace(".[", "[")
        # A missing top-level field has no line of its own: the front matter's opening
        # fence is where to add it.
        line = self.parsed.line_of(*path) or FRONT_MATTER_LINE
        self.problems.append(Problem(self.rel_path, line, field or None, message, severity))

    def _hint(self, vocabulary: str, value: Any) -> str:
        closest = self.vocabulary.closest(vocabulary, value, MAX_HINT_VALUES)
        more = len(self.vocabulary.values(vocabulary)) - len(closest)
        suffix = f" (and {more} more in kb/vocabulary.yaml)" if more > 0 else ""
        return "valid values, closest first: " + ", ".join(closest) + suffix

    # -- structure -------------------------------------------------------------

    def _check_mapping(self, data: dict, specs: tuple[FieldSpec, ...], prefix: tuple) -> None:
        known_top = {spec.keys[0] for spec in specs}
        for key in data:
            if key not in known_top:
                close = closest_matches(key, known_top, 1, FIELD_HINT_CUTOFF)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                if data[key] is None and " " in str(key):
                    hint += (" (a comma inside {...} ends a value: put the previous value in"
                             " quotes, e.g. author: \"Meyer-Stamer, Maggi and Seibel\")")
                self._report(prefix + (key,), f"unknown field '{key}'{hint}")
        for spec in specs:
            value, present = _lookup(data, spec.keys)
            path = prefix + spec.keys
            if not present:
                parent, parent_present = _lookup(data, spec.keys[:1])
                if len(spec.keys) == 2 and parent_present and not isinstance(parent, dict):
                    continue
                if spec.required:
                    self._report(path, MISSING_OR_UNKNOWN if spec.unknown_ok and spec.kind in ("text", "term", "country")
                                 else MISSING)
                continue
            self._check_value(spec, value, path)
        nested: dict[str, set[str]] = {}
        for spec in specs:
            if len(spec.keys) == 2:
                nested.setdefault(spec.keys[0], set()).add(spec.keys[1])
        for parent_key, allowed in nested.items():
            parent, present = _lookup(data, (parent_key,))
            if not present:
                continue
            if not isinstance(parent, dict):
                self._report(prefix + (parent_key,), f"must be a mapping with {', '.join(sorted(allowed))}")
                continue
            for key in parent:
                if key not in allowed:
                    close = closest_matches(key, allowed, 1, FIELD_HINT_CUTOFF)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    self._report(prefix + (parent_key, key), f"unknown field '{key}'{hint}")

    def _check_value(self, spec: FieldSpec, value: Any, path: tuple) -> None:
        kind = spec.kind
        if kind == "slug":
            if not isinstance(value, str) or not SLUG_PATTERN.match(value):
                self._report(path, f"'{_shown(value)}' {INVALID_ID}: use up to {MAX_ID_LENGTH} lower-case "
                                   "letters, digits and hyphens")
        elif kind == "text":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return
            if not isinstance(value, str) or not value.strip():
                self._report(path, EMPTY_TEXT)
            elif not spec.unknown_ok and value.strip() == UNKNOWN:
                self._report(path, UNKNOWN_REFUSED)
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                self._report(path, f"must be a whole number, not '{_shown(value)}'")
        elif kind == "year":
            if not (value == "n.d." or (isinstance(value, int) and 1000 <= value <= 2100)):
                self._report(path, f"{YEAR_EXPECTED}; got '{_shown(value)}'")
        elif kind == "text-list":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                self._report(path, TEXT_LIST)
        elif kind == "term":
            self._check_term(spec.vocabulary, value, path, allow_unknown=True)
        elif kind == "terms":
            self._check_terms(spec.vocabulary, value, path)
        elif kind == "country":
            if value != UNKNOWN and (not isinstance(value, str) or self.vocabulary.country(value) is None):
                self._report(path, f"unknown country '{_shown(value)}'; {self._hint('countries', value)}")
        elif kind in ("note-ids", "case-ids"):
            if not isinstance(value, list) or not all(isinstance(v, str) and SLUG_PATTERN.match(v) for v in value):
                self._report(path, "must be a list of ids (lower-case letters, digits, hyphens)")
        elif kind == "sources":
            self._check_sources(value, path)
        elif kind == "lessons":
            if not isinstance(value, list):
                self._report(path, "must be a list of lessons")
        elif kind == "conditions":
            self._check_conditions(value, path)

    def _check_term(self, vocabulary: str, value: Any, path: tuple, allow_unknown: bool) -> bool:
        if allow_unknown and value == UNKNOWN:
            return True
        if not self.vocabulary.is_valid(vocabulary, value):
            self._report(path, f"unknown value '{_shown(value)}'; {self._hint(vocabulary, value)}")
            return False
        return True

    def _check_terms(self, vocabulary: str, value: Any, path: tuple) -> None:
        if value in (None, UNKNOWN):
            return
        if not isinstance(value, list):
            self._report(path, "must be a list, e.g. [a, b]; write [] when the source is silent")
            return
        seen: set = set()
        for index, item in enumerate(value):
            self._check_term(vocabulary, item, path + (index,), allow_unknown=False)
            if not isinstance(item, str):
                continue  # reported above as an unknown value
            if item in seen:
                self._report(path + (index,), f"'{item}' is listed twice", "warning")
            seen.add(item)

    def _check_sources(self, value: Any, path: tuple) -> None:
        if not isinstance(value, list) or not value:
            self._report(path, NO_SOURCES)
            return
        for index, source in enumerate(value):
            if not isinstance(source, dict):
                self._report(path + (index,), "each source must be a mapping {author, year, title?, via?}")
                continue
            self._check_mapping(source, SOURCE_FIELDS, path + (index,))

    def _check_conditions(self, value: Any, path: tuple) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self._report(path, "must be a mapping such as {approach: top-down}")
            return
        for key, condition in value.items():
            if key not in CONDITION_KEYS:
                close = closest_matches(key, CONDITION_KEYS, 1, FIELD_HINT_CUTOFF)
                hint = f"did you mean '{close[0]}'? " if close else ""
                self._report(path + (key,), f"unknown condition '{key}'; {hint}valid: {', '.join(CONDITION_KEYS)}")
                continue
            items = condition if isinstance(condition, list) else [condition]
            for item in items:
                self._check_term(CONDITION_KEYS[key], item, path + (key,), allow_unknown=False)

    def _check_lessons(self, lessons: Any) -> None:
        if not isinstance(lessons, list):
            return
        citations = [_citation_key(s) for s in _as_list(self.parsed.data.get("sources")) if isinstance(s, dict)]
        seen: dict[str, int] = {}
        for index, lesson in enumerate(lessons):
            path = ("lessons", index)
            if not isinstance(lesson, dict):
                self._report(path, "each lesson must be a mapping with id, statement, explanation, topics, sources")
                continue
            self._check_mapping(lesson, LESSON_FIELDS, path)
            lesson_id = lesson.get("id")
            if isinstance(lesson_id, str):
                if lesson_id in seen:
                    self._report(path + ("id",), f"lesson id '{lesson_id}' is used twice in this case")
                seen[lesson_id] = index
            for number, cited in enumerate(_as_list(lesson.get("sources"))):
                if isinstance(cited, str) and not any(_cites(cited, key) for key in citations):
                    self._report(
                        path + ("sources", number),
                        f"citation '{cited}' matches none of the case's sources (author and year)",
                    )


def _as_list(value: Any) -> list:
    """`value` when it is a list, else nothing to iterate (its type is reported elsewhere)."""
    return value if isinstance(value, list) else []


def _shown(value: Any) -> str:
    """A value as it reads in a message, shortened: a wrong value may be a whole tree.

    >>> _shown([[1, 2]] * 40)[-4:]
    ' ...'
    """
    text = str(value)
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + " ..."


def _lookup(data: dict, keys: tuple[str, ...]) -> tuple[Any, bool]:
    node: Any = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None, False
        node = node[key]
    return node, True


def _citation_key(source: dict) -> tuple[str, str]:
    author = str(source.get("author", ""))
    first_word = re.split(r"[\s,]+", author.strip())[0].casefold() if author.strip() else ""
    return first_word, str(source.get("year", ""))


def _cites(citation: str, key: tuple[str, str]) -> bool:
    """Does a citation string such as 'Schmitz 1998' refer to source `key`?

    >>> _cites("Meyer-Stamer, Maggi and Seibel 2001", ("meyer-stamer", "2001"))
    True
    >>> _cites("Schmitz 1995", ("schmitz", "1998"))
    False
    >>> _cites("Mesopartner WP08", ("mesopartner", "n.d."))
    True
    """
    first_word, year = key
    folded = citation.casefold()
    if not first_word or not folded.startswith(first_word):
        return False
    return year == "n.d." or year in folded
