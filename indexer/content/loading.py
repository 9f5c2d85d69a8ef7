"""Loading the whole content tree: cases/, kb/, the vocabulary and the glossary.

`load_content` is the one entry point the CLI's `check`, the indexer and the web app
use. It validates every file, checks what spans files (unique ids, links, related
ids, glossary references) and returns the valid documents together with every
problem found, so one run reports all problems, not just the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.content.documents import Document, Lesson, content_hash, split_sections
from indexer.content.frontmatter import FrontMatterError, ParsedFile, load_yaml, parse_text, read_file
from indexer.content.links import find_links
from indexer.advisor.rules import load_rules
from indexer.content.validate import FileChecker, Problem
from indexer.content.vocabulary import Vocabulary, VocabularyError

FOLDERS = {"case": "cases", "note": "kb"}
VOCABULARY_FILE = "kb/vocabulary.yaml"
GLOSSARY_FILE = "kb/glossary.yaml"


@dataclass(frozen=True)
class GlossaryTerm:
    """A glossary entry: used for tooltips and as query synonyms."""

    term: str
    aliases: tuple[str, ...]
    definition: str
    note: str | None
    source: str | None


@dataclass
class Content:
    """The validated content tree."""

    root: Path
    vocabulary: Vocabulary | None
    documents: dict[str, Document] = field(default_factory=dict)
    glossary: list[GlossaryTerm] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    # (kind, id) of every content file, valid or not, with its lesson ids when they
    # could be read: links to a file that has errors of its own are not broken.
    known: dict[tuple[str, str], set[str] | None] = field(default_factory=dict)
    rules: list = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity 'error'."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def cases(self) -> list[Document]:
        """Valid cases, by id."""
        return sorted((d for d in self.documents.values() if d.kind == "case"), key=lambda d: d.id)

    @property
    def notes(self) -> list[Document]:
        """Valid notes, in onboarding order then by id."""
        return sorted(
            (d for d in self.documents.values() if d.kind == "note"),
            key=lambda d: (d.meta.get("learn_order") or 10_000, d.id),
        )

    @property
    def lessons(self) -> list[Lesson]:
        """Every lesson of every valid case."""
        return [lesson for case in self.cases for lesson in case.lessons]


def content_files(root: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every content file; templates (_*.md) and READMEs are not content."""
    found = []
    for kind, folder in FOLDERS.items():
        for path in sorted((root / folder).glob("*.md")):
            if path.name.startswith("_") or path.name.lower() == "readme.md":
                continue
            found.append((kind, path))
    return found


def kind_of(root: Path, path: Path) -> str | None:
    """'case' or 'note' for a path inside the content folders, else None."""
    try:
        folder = path.resolve().parent.relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    return next((kind for kind, name in FOLDERS.items() if name == folder), None)


def load_content(root: Path) -> Content:
    """Load and validate everything under `root` (the folder holding cases/ and kb/)."""
    root = Path(root)
    try:
        vocabulary = Vocabulary.load(root / VOCABULARY_FILE)
    except VocabularyError as exc:
        return Content(root, None, problems=[Problem(VOCABULARY_FILE, None, None, str(exc))])
    content = Content(root, vocabulary)
    parsed_files: list[tuple[Document, ParsedFile]] = []
    for kind, path in content_files(root):
        content.files_checked += 1
        rel = path.relative_to(root).as_posix()
        content.known[(kind, path.stem)] = None
        try:
            parsed = read_file(path)
        except FrontMatterError as exc:
            content.problems.append(Problem(rel, exc.line, None, exc.message))
            continue
        content.known[(kind, path.stem)] = _raw_lesson_ids(parsed.data)
        problems = FileChecker(vocabulary, rel, parsed).check(kind, path.stem)
        content.problems.extend(problems)
        if any(p.severity == "error" for p in problems):
            continue
        document = build_document(kind, path, parsed)
        if document.id in content.documents:
            other = content.documents[document.id].path.relative_to(root).as_posix()
            content.problems.append(
                Problem(rel, parsed.line_of("id"), "id", f"id '{document.id}' is already used by {other}")
            )
            continue
        content.documents[document.id] = document
        parsed_files.append((document, parsed))
    content.glossary = _load_glossary(root, content)
    note_ids = {doc_id for kind, doc_id in content.known if kind == "note"}
    content.rules, rule_problems = load_rules(root, vocabulary, note_ids)
    content.problems.extend(rule_problems)
    for document, parsed in parsed_files:
        content.problems.extend(_check_references(content, document, parsed))
    return content


def build_document(kind: str, path: Path, parsed: ParsedFile) -> Document:
    """Turn a parsed, valid file into a Document."""
    meta = parsed.data
    doc_id = str(meta["id"])
    lessons = [
        Lesson(
            id=str(item["id"]),
            case_id=doc_id,
            statement=str(item["statement"]).strip(),
            explanation=str(item["explanation"]).strip(),
            topics=tuple(item.get("topics") or ()),
            applies_when={
                key: tuple(value if isinstance(value, list) else [value])
                for key, value in (item.get("applies_when") or {}).items()
            },
            sources=tuple(item.get("sources") or ()),
        )
        for item in (meta.get("lessons") or [])
    ]
    raw = path.read_text(encoding="utf-8")
    return Document(
        id=doc_id,
        kind=kind,
        title=str(meta["title"]).strip(),
        summary=str(meta["summary"]).strip(),
        meta=meta,
        body=parsed.body,
        path=path,
        body_line=parsed.body_line,
        sections=split_sections(parsed.body),
        lessons=lessons,
        content_hash=content_hash(raw),
        modified=path.stat().st_mtime,
    )


def _check_references(content: Content, document: Document, parsed: ParsedFile) -> list[Problem]:
    rel = document.path.relative_to(content.root).as_posix()
    problems: list[Problem] = []
    links, malformed = find_links(document.body)
    for line, raw in malformed:
        problems.append(Problem(rel, document.body_line + line - 1, None,
                                f"malformed link {raw}; write [[case:ID]], [[note:ID]] or [[case:ID#LESSON]]"))
    for link in links:
        problem = _link_problem(content, link.kind, link.target, link.anchor)
        if problem:
            problems.append(Problem(rel, document.body_line + link.line - 1, None, f"{link.raw}: {problem}"))
    for field_name, kind in (("related_notes", "note"), ("related_cases", "case")):
        for index, target in enumerate(document.meta.get(field_name) or []):
            problem = _link_problem(content, kind, target, None)
            if problem:
                problems.append(Problem(rel, parsed.line_of(field_name, index), field_name, problem))
    return problems


def _link_problem(content: Content, kind: str, target: str, anchor: str | None) -> str | None:
    if (kind, target) not in content.known:
        folder = FOLDERS[kind]
        return f"no {kind} with id '{target}' (looked for {folder}/{target}.md)"
    lesson_ids = content.known[(kind, target)]
    if anchor and lesson_ids is not None and anchor not in lesson_ids:
        valid = ", ".join(sorted(lesson_ids)) or "none"
        return f"case '{target}' has no lesson '{anchor}' (its lessons: {valid})"
    return None


def _raw_lesson_ids(data: dict) -> set[str]:
    lessons = data.get("lessons")
    if not isinstance(lessons, list):
        return set()
    return {str(item["id"]) for item in lessons if isinstance(item, dict) and "id" in item}


def _load_glossary(root: Path, content: Content) -> list[GlossaryTerm]:
    path = root / GLOSSARY_FILE
    if not path.exists():
        return []
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"))
    except FrontMatterError as exc:
        content.problems.append(Problem(GLOSSARY_FILE, exc.line, None, exc.message))
        return []
    entries: Any = (data or {}).get("terms") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        content.problems.append(Problem(GLOSSARY_FILE, 1, "terms", "must be a list of terms"))
        return []
    terms: list[GlossaryTerm] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        line = lines.get(("terms", index))
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str) \
                or not isinstance(entry.get("definition"), str):
            content.problems.append(Problem(GLOSSARY_FILE, line, f"terms[{index}]",
                                            "each entry needs a term and a definition (texts)"))
            continue
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            content.problems.append(Problem(GLOSSARY_FILE, line, f"terms[{index}].aliases",
                                            "aliases must be a list of texts"))
            aliases = []
        note = entry.get("note")
        if note is not None and _link_problem(content, "note", str(note), None):
            content.problems.append(Problem(GLOSSARY_FILE, lines.get(("terms", index, "note"), line),
                                            f"terms[{index}].note", f"no note with id '{note}'"))
        key = entry["term"].casefold()
        if key in seen:
            content.problems.append(Problem(GLOSSARY_FILE, line, f"terms[{index}].term",
                                            f"term '{entry['term']}' is defined twice"))
        seen.add(key)
        terms.append(GlossaryTerm(entry["term"], tuple(aliases), entry["definition"].strip(),
                                  str(note) if note else None, entry.get("source")))
    return terms


def check_text(content: Content, kind: str, doc_id: str, text: str) -> list[Problem]:
    """Validate a candidate text for document `doc_id` without writing it anywhere.

    Used by editors before a save: the same checks as `casebase check`, including
    links against the current content.
    """
    rel = f"{FOLDERS[kind]}/{doc_id}.md"
    try:
        parsed = parse_text(text)
    except FrontMatterError as exc:
        return [Problem(rel, exc.line, None, exc.message)]
    assert content.vocabulary is not None
    problems = FileChecker(content.vocabulary, rel, parsed).check(kind, doc_id)
    if any(p.severity == "error" for p in problems):
        return problems
    links, malformed = find_links(parsed.body)
    for line, raw in malformed:
        problems.append(Problem(rel, parsed.body_line + line - 1, None, f"malformed link {raw}"))
    for link in links:
        problem = _link_problem(content, link.kind, link.target, link.anchor)
        if problem:
            problems.append(Problem(rel, parsed.body_line + link.line - 1, None, f"{link.raw}: {problem}"))
    return problems
