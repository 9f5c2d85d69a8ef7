"""The cases as the advisor reads them: one small record per case, and the same data as
arrays (one row per case, one column per attribute value) for vectorised similarity.

Built once per content version from the loaded content, or read from an index
generation (casestore.save_case_table writes it beside the units at build time), so
that a serving process can rank cases without parsing every case file. A record stands in
for its case's Document wherever the advisor compares one case: it answers `get`,
`values` and `meta` for the compared fields alone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from indexer.content.documents import Document, Lesson
from indexer.content.loading import Content
from indexer.content.schema import INTERPRETED, REGISTRY, FieldRegistry
from indexer.content.vocabulary import UNKNOWN

# Case sections that classify the case rather than tell it (never quoted as a passage).
CLASSIFICATION_HEADING = "how this case is classified"


@dataclass(frozen=True)
class CaseRecord:
    """What the advisor reads of one case: its compared fields, interpretation marks,
    related notes, lessons, and which of its own units may be quoted as a passage."""

    id: str
    title: str
    scalars: dict[str, Any]
    lists: dict[str, list[str]]
    interpreted: tuple[str, ...] = ()
    related_notes: tuple[str, ...] = ()
    lesson_uids: tuple[str, ...] = ()
    # Units of the case item (its document unit and one per section with text), and
    # the positions among them of the classification sections, never quoted.
    unit_count: int = 1
    skip_units: tuple[int, ...] = ()
    # The hash of the case file the record was made from (Document.content_hash).
    content_hash: str = ""

    kind = "case"

    @property
    def meta(self) -> dict[str, Any]:
        """The front-matter entries the advisor reads beside the compared fields."""
        return {INTERPRETED: list(self.interpreted), "related_notes": list(self.related_notes)}

    def get(self, dotted: str, default: Any = UNKNOWN) -> Any:
        """A scalar field as Document.get gives it."""
        value = self.scalars.get(dotted)
        return default if value is None else value

    def values(self, dotted: str) -> list[str]:
        """A list field as Document.values gives it (unknown and empty dropped)."""
        if dotted in self.lists:
            return list(self.lists[dotted])
        value = self.scalars.get(dotted)
        return [] if value in (None, "", UNKNOWN) else [str(value)]

    @classmethod
    def of(cls, case: Document, registry: FieldRegistry = REGISTRY) -> "CaseRecord":
        """The record of a loaded case."""
        lists = {registry.attribute_paths[name] for name in registry.list_attributes
                 if name in registry.attribute_paths}
        scalars = {path: case.get(path) for path in registry.attribute_paths.values() if path not in lists}
        sections = [section for section in case.sections if section.text]
        skip = tuple(position + 1 for position, section in enumerate(sections)
                     if (section.heading or "Introduction").lower().startswith(CLASSIFICATION_HEADING))
        return cls(case.id, case.title, scalars, {path: case.values(path) for path in sorted(lists)},
                   tuple(str(entry) for entry in case.meta.get(INTERPRETED) or []),
                   tuple(str(note) for note in case.meta.get("related_notes") or []),
                   tuple(lesson.uid for lesson in case.lessons), 1 + len(sections), skip, case.content_hash)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"id": self.id, "title": self.title, "scalars": self.scalars, "lists": self.lists,
                "interpreted": list(self.interpreted), "related_notes": list(self.related_notes),
                "lesson_uids": list(self.lesson_uids), "unit_count": self.unit_count,
                "skip_units": list(self.skip_units), "content_hash": self.content_hash}

    @classmethod
    def from_dict(cls, data: dict) -> "CaseRecord":
        """A record read back from `to_dict`."""
        return cls(data["id"], data["title"], dict(data["scalars"]),
                   {path: list(values) for path, values in data["lists"].items()},
                   tuple(data["interpreted"]), tuple(data["related_notes"]), tuple(data["lesson_uids"]),
                   int(data["unit_count"]), tuple(data["skip_units"]), str(data["content_hash"]))


@dataclass(frozen=True)
class ScalarColumn:
    """One scalar field over every case: the distinct known values and each case's code
    (its value's position, -1 when the case does not record it)."""

    values: list
    codes: np.ndarray

    @classmethod
    def of(cls, raw: Iterable) -> "ScalarColumn":
        """Codes of values as Document.get gives them ('unknown' for none)."""
        positions: dict[Any, int] = {}
        codes = [-1 if value == UNKNOWN else positions.setdefault(value, len(positions)) for value in raw]
        return cls(list(positions), np.asarray(codes, dtype=np.int64))


@dataclass(frozen=True)
class ListColumn:
    """One list field over every case: the distinct values and which cases hold each."""

    values: list[str]
    members: np.ndarray  # bool, cases x values
    position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: Sequence[Sequence[str]]) -> "ListColumn":
        """The membership matrix of lists as Document.values gives them."""
        position: dict[str, int] = {}
        cells = [(row, position.setdefault(value, len(position))) for row, values in enumerate(raw)
                 for value in values]
        members = np.zeros((len(raw), len(position)), dtype=bool)
        if cells:
            rows, columns = np.asarray(cells, dtype=np.int64).T
            members[rows, columns] = True
        return cls(list(position), members, position)

    @property
    def known(self) -> np.ndarray:
        """Cases that record at least one value."""
        return self.members.any(axis=1)

    def holding(self, values: Iterable[str]) -> np.ndarray:
        """How many of `values` (taken as a set) each case holds."""
        columns = sorted({self.position[value] for value in values if value in self.position})
        return self.members[:, columns].sum(axis=1) if columns else np.zeros(len(self.members), dtype=np.int64)


@dataclass(frozen=True)
class LessonConditions:
    """Every lesson's `applies_when` as arrays: which condition keys it names, and which
    (key, value) pairs it accepts."""

    names: dict[str, np.ndarray]
    accepts: dict[tuple[str, str], np.ndarray]

    @classmethod
    def of(cls, lessons: Sequence[Lesson]) -> "LessonConditions":
        """Arrays of the lessons' conditions, rows in lesson order."""
        names: dict[str, np.ndarray] = {}
        accepts: dict[tuple[str, str], np.ndarray] = {}
        for row, lesson in enumerate(lessons):
            for key, accepted in lesson.applies_when.items():
                names.setdefault(key, np.zeros(len(lessons), dtype=bool))[row] = True
                for value in set(accepted):
                    accepts.setdefault((key, value), np.zeros(len(lessons), dtype=bool))[row] = True
        return cls(names, accepts)

    def counts(self, value_of, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(conditions the profile can judge, conditions it meets) per lesson, where
        `value_of(key)` is the profile's value or None."""
        checked = np.zeros(size, dtype=np.int64)
        met = np.zeros(size, dtype=np.int64)
        for key, names in self.names.items():
            value = value_of(key)
            if value is None:
                continue
            checked += names
            accepted = self.accepts.get((key, value))
            if accepted is not None:
                met += accepted
        return checked, met


class CaseTable:
    """Every valid case as a record, in content order, with its lessons and the notes,
    and the arrays vectorised similarity reads (built on first use, kept)."""

    def __init__(self, records: list[CaseRecord], lessons: list[Lesson], notes: list[tuple[str, str]]):
        self.records = records
        self.row = {record.id: number for number, record in enumerate(records)}
        self.lessons = lessons
        self.lesson_uids = [lesson.uid for lesson in lessons]
        self.lesson_case = np.asarray([self.row[lesson.case_id] for lesson in lessons], dtype=np.int64)
        self.notes = notes
        self.note_titles = dict(notes)
        # Position of each case id in sorted order: ties of equal scores go by id.
        self.id_rank = np.empty(len(records), dtype=np.int64)
        self.id_rank[sorted(range(len(records)), key=lambda number: records[number].id)] = np.arange(len(records))
        self.lesson_uid_rank = np.empty(len(lessons), dtype=np.int64)
        self.lesson_uid_rank[sorted(range(len(lessons)), key=self.lesson_uids.__getitem__)] = np.arange(len(lessons))
        self._columns: dict[tuple[str, str], Any] = {}
        self._building = threading.Lock()

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def from_content(cls, content: Content, registry: FieldRegistry = REGISTRY) -> "CaseTable":
        """The table of the loaded content's valid cases."""
        lessons = content.lessons
        return cls([CaseRecord.of(case, registry) for case in content.cases], lessons,
                   [(note.id, note.title) for note in content.notes])

    def title(self, doc_id: str) -> str:
        """The title of a case or note of the table."""
        if doc_id in self.note_titles:
            return self.note_titles[doc_id]
        return self.records[self.row[doc_id]].title

    def matches(self, content: Content) -> bool:
        """Was this table made from exactly the valid cases and notes of `content`?"""
        return ([(record.id, record.content_hash) for record in self.records]
                == [(case.id, case.content_hash) for case in content.cases]
                and self.notes == [(note.id, note.title) for note in content.notes])

    def has(self, doc_id: str) -> bool:
        """Is `doc_id` a case or note of the table?"""
        return doc_id in self.row or doc_id in self.note_titles

    def scalar(self, path: str) -> ScalarColumn:
        """The codes of a scalar field (built once)."""
        return self._column("scalar", path, lambda: ScalarColumn.of(record.get(path) for record in self.records))

    def listed(self, path: str) -> ListColumn:
        """The membership matrix of a list field (built once)."""
        return self._column("list", path, lambda: ListColumn.of([record.values(path) for record in self.records]))

    @property
    def conditions(self) -> LessonConditions:
        """The lessons' conditions as arrays (built once)."""
        return self._column("lessons", "", lambda: LessonConditions.of(self.lessons))

    def _column(self, kind: str, path: str, build):
        key = (kind, path)
        found = self._columns.get(key)
        if found is None:
            with self._building:
                found = self._columns.get(key)
                if found is None:
                    found = self._columns[key] = build()
        return found
