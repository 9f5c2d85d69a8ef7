"""The glossary (kb/glossary.yaml): terms with aliases and a definition, used for
tooltips and as query synonyms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from indexer.content.frontmatter import FrontMatterError, read_yaml_file
from indexer.content.validate import Problem

GLOSSARY_FILE = "kb/glossary.yaml"


@dataclass(frozen=True)
class GlossaryTerm:
    """A glossary entry: used for tooltips and as query synonyms."""

    term: str
    aliases: tuple[str, ...]
    definition: str
    note: str | None
    source: str | None


def load_glossary(root: Path, problems: list[Problem], note_exists: Callable[[str], bool]) -> list[GlossaryTerm]:
    """The glossary's terms; each problem found goes into `problems` with its line."""
    path = root / GLOSSARY_FILE
    if not path.exists():
        return []
    try:
        data, lines = read_yaml_file(path)
    except FrontMatterError as exc:
        problems.append(Problem(GLOSSARY_FILE, exc.line, None, exc.message))
        return []
    entries: Any = (data or {}).get("terms") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        problems.append(Problem(GLOSSARY_FILE, 1, "terms", "must be a list of terms"))
        return []
    terms: list[GlossaryTerm] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        line = lines.get(("terms", index))
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str) \
                or not isinstance(entry.get("definition"), str):
            problems.append(Problem(GLOSSARY_FILE, line, f"terms[{index}]",
                                            "each entry needs a term and a definition (texts)"))
            continue
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(Problem(GLOSSARY_FILE, line, f"terms[{index}].aliases",
                                            "aliases must be a list of texts"))
            aliases = []
        source = entry.get("source")
        if source is not None and not isinstance(source, str):
            problems.append(Problem(GLOSSARY_FILE, lines.get(("terms", index, "source"), line),
                                            f"terms[{index}].source", "must be a text"))
            source = None
        note = entry.get("note")
        if note is not None and not isinstance(note, str):
            problems.append(Problem(GLOSSARY_FILE, lines.get(("terms", index, "note"), line),
                                            f"terms[{index}].note", "must be a note id"))
            note = None
        if note is not None and not note_exists(note):
            problems.append(Problem(GLOSSARY_FILE, lines.get(("terms", index, "note"), line),
                                            f"terms[{index}].note", f"no note with id '{note}'"))
        key = entry["term"].casefold()
        if key in seen:
            problems.append(Problem(GLOSSARY_FILE, line, f"terms[{index}].term",
                                            f"term '{entry['term']}' is defined twice"))
        seen.add(key)
        terms.append(GlossaryTerm(entry["term"], tuple(aliases), entry["definition"].strip(),
                                  note or None, source))
    return terms
