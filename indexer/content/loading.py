"""Loading the whole content tree: cases/, kb/, the vocabulary and the glossary.

`load_content` validates every file, checks what spans files (ids unique across
cases and notes, links, related ids, glossary references) and returns the valid
documents together with every problem found, so one run reports all problems, not
just the first. Given the previous load of the same tree, it parses again only the
files whose stamp (inode, size, modification and change times) differs: a publish
rewrites one file by rename, so reloading a large library after it costs a stat per
file instead of parsing every one (YAML parsing is most of a load). `check_text` judges a candidate text for one file by the same
functions. Callers use them through `indexer.checking`, which adds the method's rules.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from indexer.content.documents import Document, Lesson, content_hash, split_sections
from indexer.content.frontmatter import FrontMatterError, ParsedFile, parse_text, read_file
from indexer.content.glossary import GLOSSARY_FILE, GlossaryTerm, load_glossary  # noqa: F401 (re-exported)
from indexer.content.links import find_links
from indexer.content.validate import FileChecker, Problem
from indexer.content.vocabulary import Vocabulary, VocabularyError

FOLDERS = {"case": "cases", "note": "kb"}
VOCABULARY_FILE = "kb/vocabulary.yaml"

# (kind, id) of every content file -> its lesson ids (None when unreadable).
Known = dict[tuple[str, str], set[str] | None]
# What identifies one version of a file without reading it.
FileStamp = tuple[int, int, int, int]
# A file modified this close before the previous load is parsed again even with an
# unchanged stamp: file times are kept at the kernel's clock tick, so a same-size
# rewrite within one tick of that load would otherwise go unseen (git's "racily clean").
RACY_NS = 2_000_000_000


def file_stamp(path: Path) -> FileStamp:
    """(inode, size, mtime_ns, ctime_ns) of `path`: a rewrite by rename changes the inode,
    an edit in place the times, so an unchanged stamp means an unchanged file."""
    status = os.stat(path)
    return status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns


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
    # Filled by indexer.checking.load_library: the method's rules belong to the advisor.
    rules: list = field(default_factory=list)
    # The parsed front matter of each valid document, for re-checking its references.
    parsed: dict[str, ParsedFile] = field(default_factory=dict, repr=False, compare=False)
    # What the next load of the same tree may reuse: each file's stamp and the check of
    # it, the reference problems of each valid file, the vocabulary's stamp.
    stamps: dict[str, FileStamp] = field(default_factory=dict, repr=False, compare=False)
    checks: dict[str, "FileCheck"] = field(default_factory=dict, repr=False, compare=False)
    references: dict[str, list[Problem]] = field(default_factory=dict, repr=False, compare=False)
    vocabulary_stamp: FileStamp | None = field(default=None, repr=False, compare=False)
    loaded_ns: int = field(default=0, repr=False, compare=False)

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
        # Sorted by name (one folder: the order of paths) without comparing Path objects,
        # a visible cost of every reload of a library of thousands of files.
        for path in sorted((root / folder).glob("*.md"), key=lambda path: path.name):
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


def load_content(root: Path, previous: Content | None = None) -> Content:
    """Load and validate everything under `root` (the folder holding cases/ and kb/).

    With `previous` (an earlier load of the same tree), files whose stamp is unchanged
    are not parsed again, and their reference checks are reused when no file's id or
    lesson ids changed; the result is the same as a load from scratch. The method's
    rules (kb/rules.yaml) belong to the advisor: `indexer.checking.load_library` adds them.
    """
    root = Path(root)
    vocabulary_path = root / VOCABULARY_FILE
    try:
        vocabulary_stamp = file_stamp(vocabulary_path)
    except OSError:
        vocabulary_stamp = None
    if previous is not None and (previous.root != root or previous.vocabulary is None
                                 or vocabulary_stamp is None or previous.vocabulary_stamp != vocabulary_stamp):
        previous = None  # every file is judged against the vocabulary: a new one means a new check
    try:
        vocabulary = previous.vocabulary if previous is not None else Vocabulary.load(vocabulary_path)
    except VocabularyError as exc:
        # Nothing can be validated without the vocabulary: the content is empty and
        # says why, and every consumer must cope with `vocabulary` being None.
        problems = [Problem(VOCABULARY_FILE, line, field_name, message) for line, field_name, message in exc.issues]
        return Content(root, None, problems=problems)
    assert vocabulary is not None
    content = Content(root, vocabulary, vocabulary_stamp=vocabulary_stamp, loaded_ns=time.time_ns())
    settled_before = previous.loaded_ns - RACY_NS if previous is not None else 0
    reused: set[str] = set()
    valid: list[tuple[str, Path, str, ParsedFile]] = []
    # Files that parse but have errors of their own: their links are checked too, so that
    # one run (and one save from the editor) reports every problem, as check_text does.
    flawed: list[tuple[str, Path, str, ParsedFile]] = []
    for kind, path in content_files(root):
        content.files_checked += 1
        rel = f"{FOLDERS[kind]}/{path.name}"
        stamp = file_stamp(path)
        unchanged = previous is not None and previous.stamps.get(rel) == stamp and (
            stamp[2] < settled_before or _same_text(path, previous.documents.get(path.stem)))
        result = previous.checks.get(rel) if unchanged else None
        if result is None:
            result = check_file(vocabulary, kind, path.stem, rel, lambda path=path: read_file(path))
        else:
            reused.add(rel)
        content.stamps[rel], content.checks[rel] = stamp, result
        content.known[(kind, path.stem)] = result.lesson_ids
        content.problems.extend(result.problems)
        if result.valid:
            valid.append((kind, path, rel, result.parsed))
        elif result.parsed is not None:
            flawed.append((kind, path, rel, result.parsed))
    previous_documents = previous.documents if previous is not None else {}
    for kind, path, rel, parsed in valid:
        duplicate = duplicate_problem(content.known, kind, path.stem, rel, parsed)
        if duplicate:
            content.problems.append(duplicate)
            continue
        earlier = previous_documents.get(path.stem)
        if rel in reused and earlier is not None and earlier.path == path and earlier.kind == kind:
            document = earlier
        else:
            document = build_document(kind, path, parsed)
        content.documents[document.id] = document
        content.parsed[document.id] = parsed
    content.glossary = load_glossary(root, content.problems,
                                     lambda note: _link_problem(content.known, "note", note, None) is None)
    same_targets = previous is not None and previous.known == content.known
    for document in list(content.documents.values()):
        rel = f"{FOLDERS[document.kind]}/{document.path.name}"
        problems = previous.references.get(rel) if same_targets and rel in reused else None
        if problems is None:
            problems = reference_problems(content.known, rel, content.parsed[document.id])
        content.references[rel] = problems
        content.problems.extend(problems)
    for kind, path, rel, parsed in flawed:
        duplicate = duplicate_problem(content.known, kind, path.stem, rel, parsed)
        content.problems.extend([duplicate] if duplicate else reference_problems(content.known, rel, parsed))
    return content


def _same_text(path: Path, earlier: Document | None) -> bool:
    """For a file whose stamp is unchanged but too recent to trust (see RACY_NS): is
    its text still the one the earlier document was built from? Hashing the text
    costs a read, parsing it again costs its YAML (a library copied just before the
    previous load was otherwise parsed twice)."""
    if earlier is None or earlier.path != path:
        return False
    return content_hash(path.read_text(encoding="utf-8")) == earlier.content_hash


@dataclass
class FileCheck:
    """What checking one file on its own found."""

    problems: list[Problem]
    parsed: ParsedFile | None
    # The lesson ids that could be read (None when the file cannot be parsed), so that
    # links into a file with errors of its own are not reported as broken.
    lesson_ids: set[str] | None

    @property
    def valid(self) -> bool:
        """True when the file parsed and has no errors of its own."""
        return self.parsed is not None and not any(p.severity == "error" for p in self.problems)


def check_file(vocabulary: Vocabulary, kind: str, doc_id: str, rel: str,
               parse: Callable[[], ParsedFile]) -> FileCheck:
    """Parse (with `parse`) and validate one file of `kind` whose id must be `doc_id`."""
    try:
        parsed = parse()
    except FrontMatterError as exc:
        return FileCheck([Problem(rel, exc.line, None, exc.message)], None, None)
    problems = FileChecker(vocabulary, rel, parsed).check(kind, doc_id)
    return FileCheck(problems, parsed, _raw_lesson_ids(parsed.data))


def duplicate_problem(known: Known, kind: str, doc_id: str, rel: str, parsed: ParsedFile) -> Problem | None:
    """The error when a file of the other kind has the same id (ids are unique across
    cases and notes); reported on both files, so neither wins by load order."""
    other = "note" if kind == "case" else "case"
    if (other, doc_id) not in known:
        return None
    return Problem(rel, parsed.line_of("id"), "id", f"id '{doc_id}' is already used by {FOLDERS[other]}/{doc_id}.md")


def reference_problems(known: Known, rel: str, parsed: ParsedFile) -> list[Problem]:
    """Broken or malformed links in the body and unknown related ids in a valid file."""
    problems: list[Problem] = []
    links, malformed = find_links(parsed.body)
    for line, raw in malformed:
        problems.append(Problem(rel, parsed.body_line + line - 1, None,
                                f"malformed link {raw}; write [[case:ID]], [[note:ID]] or [[case:ID#LESSON]]"))
    for link in links:
        problem = _link_problem(known, link.kind, link.target, link.anchor)
        if problem:
            problems.append(Problem(rel, parsed.body_line + link.line - 1, None, f"{link.raw}: {problem}"))
    for field_name, kind in (("related_notes", "note"), ("related_cases", "case")):
        targets = parsed.data.get(field_name)
        for index, target in enumerate(targets if isinstance(targets, list) else []):
            if not isinstance(target, str):
                continue  # not an id at all: the field check reports it
            problem = _link_problem(known, kind, target, None)
            if problem:
                problems.append(Problem(rel, parsed.line_of(field_name, index), field_name, problem))
    return problems


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
            topics=tuple(_as_list(item.get("topics"))),
            applies_when={
                key: tuple(value if isinstance(value, list) else [value])
                for key, value in (item.get("applies_when") or {}).items()
            },
            sources=tuple(_as_list(item.get("sources"))),
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


def _link_problem(known: Known, kind: str, target: str, anchor: str | None) -> str | None:
    if (kind, target) not in known:
        folder = FOLDERS[kind]
        return f"no {kind} with id '{target}' (looked for {folder}/{target}.md)"
    lesson_ids = known[(kind, target)]
    if anchor and lesson_ids is not None and anchor not in lesson_ids:
        valid = ", ".join(sorted(lesson_ids)) or "none"
        return f"case '{target}' has no lesson '{anchor}' (its lessons: {valid})"
    return None


def _as_list(value: Any) -> list:
    # A valid list field may also be 'unknown' or empty: neither is a list of values.
    return value if isinstance(value, list) else []


def _raw_lesson_ids(data: dict) -> set[str]:
    lessons = data.get("lessons")
    if not isinstance(lessons, list):
        return set()
    return {str(item["id"]) for item in lessons if isinstance(item, dict) and "id" in item}


def check_text(content: Content, kind: str, doc_id: str, text: str) -> list[Problem]:
    """Validate a candidate text for document `doc_id` as if it were written to disk.

    The same checks as `load_content` makes on that file (fields, ids unique across
    cases and notes, links, related ids), plus the links in other documents that the
    new text would break (a lesson removed that a note links to). Nothing is written.
    """
    rel = f"{FOLDERS[kind]}/{doc_id}.md"
    if content.vocabulary is None:
        return [p for p in content.problems if p.path == VOCABULARY_FILE]
    result = check_file(content.vocabulary, kind, doc_id, rel, lambda: parse_text(text))
    known = dict(content.known)
    known[(kind, doc_id)] = result.lesson_ids
    problems = list(result.problems)
    if result.parsed is not None:  # links too, even with field errors: one round of errors, not two
        duplicate = duplicate_problem(known, kind, doc_id, rel, result.parsed)
        problems.extend([duplicate] if duplicate else reference_problems(known, rel, result.parsed))
    if known.get((kind, doc_id)) != content.known.get((kind, doc_id)):
        before = set(content.problems)
        for other in content.documents.values():
            parsed = content.parsed.get(other.id)
            if (other.kind, other.id) == (kind, doc_id) or parsed is None:
                continue  # itself, or a document not loaded from a file
            other_rel = other.path.relative_to(content.root).as_posix()
            problems.extend(p for p in reference_problems(known, other_rel, parsed) if p not in before)
    return problems
