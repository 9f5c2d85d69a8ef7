"""The advisor's case table kept in an index generation (cases.jsonl), so that a
serving process can suggest before, and without, parsing every case file.

One header line (format, the compared fields, the notes), then one line per valid
case in content order: `<case id> TAB <content hash> TAB <record JSON with its
lessons>`. A build that updates a generation copies the lines of cases whose file
did not change, byte for byte, and makes only the others, so an edit costs one
record, not the library.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from indexer.advisor.casetable import CaseRecord, CaseTable
from indexer.content.documents import Document, Lesson
from indexer.content.loading import Content
from indexer.content.schema import REGISTRY, FieldRegistry

CASE_TABLE = "cases.jsonl"
# Goes up whenever a record's fields or their meaning change: older files are not read.
CASE_TABLE_FORMAT = 1


def fields_signature(registry: FieldRegistry = REGISTRY) -> str:
    """What a record depends on beside its case file: the format and the compared fields.

    >>> fields_signature() == fields_signature() and len(fields_signature())
    16
    """
    described = json.dumps({"format": CASE_TABLE_FORMAT, "paths": registry.attribute_paths,
                            "lists": sorted(registry.list_attributes)}, sort_keys=True)
    return hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]


def save_case_table(folder: Path, content: Content, previous: Path | None = None,
                    registry: FieldRegistry = REGISTRY) -> int:
    """Write the case table of `content` into the generation folder being built,
    copying from the `previous` generation (if given) the lines of cases whose file is
    unchanged. Returns how many records were made anew. The file is fsynced; the
    generation's switch makes it visible."""
    signature = fields_signature(registry)
    reusable = _reusable_lines(Path(previous) / CASE_TABLE, signature) if previous is not None else {}
    header = {"format": CASE_TABLE_FORMAT, "fields": signature,
              "notes": [[note.id, note.title] for note in content.notes]}
    made = 0
    with open(Path(folder) / CASE_TABLE, "wb") as stream:
        stream.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
        for case in content.cases:
            line = reusable.get((case.id, case.content_hash)) if case.content_hash else None
            if line is None:
                line = _line(case, registry)
                made += 1
            stream.write(line)
        stream.flush()
        os.fsync(stream.fileno())
    return made


def load_case_table(folder: Path, registry: FieldRegistry = REGISTRY) -> CaseTable | None:
    """The case table of a generation, or None when it has none (built before tables
    were kept, or for other fields): the advisor then makes it from the content."""
    try:
        with open(Path(folder) / CASE_TABLE, "rb") as stream:
            lines = stream.read().split(b"\n")
    except FileNotFoundError:
        return None
    header = json.loads(lines[0])
    if header.get("format") != CASE_TABLE_FORMAT or header.get("fields") != fields_signature(registry):
        return None
    records, lessons = [], []
    for line in lines[1:]:
        if not line:
            continue
        data = json.loads(line.split(b"\t", 2)[2])
        record = CaseRecord.from_dict(data)
        records.append(record)
        lessons += [Lesson(lesson_id, record.id, statement, "", (),
                           {key: tuple(values) for key, values in applies_when.items()}, ())
                    for lesson_id, statement, applies_when in data["lessons"]]
    return CaseTable(records, lessons, [(note_id, title) for note_id, title in header["notes"]])


def _line(case: Document, registry: FieldRegistry) -> bytes:
    data = CaseRecord.of(case, registry).to_dict()
    data["lessons"] = [[lesson.id, lesson.statement, {key: list(values) for key, values in lesson.applies_when.items()}]
                       for lesson in case.lessons]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{case.id}\t{case.content_hash}\t{text}\n".encode("utf-8")


def _reusable_lines(path: Path, signature: str) -> dict[tuple[str, str], bytes]:
    """(case id, content hash) -> its line, from a table of the same fields."""
    try:
        with open(path, "rb") as stream:
            lines = stream.read().split(b"\n")
    except FileNotFoundError:
        return {}
    try:
        header = json.loads(lines[0])
    except ValueError:
        return {}
    if header.get("format") != CASE_TABLE_FORMAT or header.get("fields") != signature:
        return {}
    found = {}
    for line in lines[1:]:
        case_id, _, rest = line.partition(b"\t")
        content_hash, _, _ = rest.partition(b"\t")
        if case_id and content_hash:
            found[(case_id.decode("utf-8"), content_hash.decode("utf-8"))] = line + b"\n"
    return found
