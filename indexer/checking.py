"""The one validation path: what `casebase check`, the service and the editor all use.

It sits above the content layer and the advisor: the content layer validates cases,
notes, the vocabulary and the glossary; the method's rules (kb/rules.yaml) belong to
the advisor but are part of the library an author edits, so a check covers both.
A candidate text is validated exactly as the same text on disk would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexer.advisor.rules import RULES_FILE, load_rules
from indexer.content.loading import (
    FOLDERS, GLOSSARY_FILE, VOCABULARY_FILE, Content, check_text, content_files, load_content,
)
from indexer.content.validate import Problem
from indexer.errors import InvalidInput

CONTENT_FOLDERS = tuple(FOLDERS.values())
# The vocabulary, glossary and rules beside the notes in kb/ are checked too.
DATA_SUFFIX = ".yaml"


def load_library(root: Path, previous: Content | None = None) -> Content:
    """Load the content under `root` and the method's rules; every problem of both is
    in `content.problems`, the rules in `content.rules`. With `previous` (an earlier
    load of the same tree) only changed files are parsed again."""
    content = load_content(Path(root), previous)
    if content.vocabulary is None:
        return content
    note_ids = {doc_id for kind, doc_id in content.known if kind == "note"}
    content.rules, rule_problems = load_rules(content.root, content.vocabulary, note_ids)
    content.problems.extend(rule_problems)
    return content


def check_candidate(content: Content, kind: str, doc_id: str, text: str) -> list[Problem]:
    """Problems of `text` as the document `doc_id` of `kind` ('case' or 'note'), exactly
    as `casebase check` would report them once the text is written to disk: fields,
    ids unique across cases and notes, related ids and links, and links of other
    documents the new text would break. Nothing is written."""
    return check_text(content, kind, doc_id, text)


def library_files(root: Path) -> list[str]:
    """Every file a check reads, relative to `root`: the cases and notes, then the
    vocabulary, glossary and rules that exist."""
    documents = [path.relative_to(root).as_posix() for _, path in content_files(root)]
    return documents + [name for name in (VOCABULARY_FILE, GLOSSARY_FILE, RULES_FILE) if (root / name).is_file()]


@dataclass(frozen=True)
class Selection:
    """What `casebase check PATH...` was asked to check: a content tree (the folder
    holding cases/ and kb/) and, within it, the files and folders given (none: all)."""

    root: Path
    paths: tuple[Path, ...] = ()
    # Files given inside the content folders that are not content (templates, READMEs).
    skipped: tuple[Path, ...] = ()

    def includes(self, rel: str) -> bool:
        """True when the file at `rel` (relative to the root) was asked for."""
        if not self.paths:
            return True
        target = (self.root / rel).resolve()
        return any(target == path or path in target.parents for path in self.paths)


def content_root_of(path: Path) -> Path | None:
    """The nearest folder at or above `path` holding both cases/ and kb/, or None."""
    start = path if path.is_dir() else path.parent
    return next((folder for folder in (start, *start.parents) if _is_content_root(folder)), None)


def select(paths: list[Path], default_root: Path) -> Selection:
    """The tree and files to check for the PATHS given on the command line.

    Each path is checked in the tree it belongs to, and its links are resolved
    against that tree. Raises InvalidInput (field 'paths') for a path that belongs to
    no content tree or is not content, and for paths from two different trees.
    """
    if not paths:
        return Selection(Path(default_root).resolve())
    roots: dict[Path, list[str]] = {}
    chosen: list[Path] = []
    skipped: list[Path] = []
    for given in paths:
        path = Path(given).resolve()
        _refuse_half_tree(given, path)
        root = content_root_of(path)
        if root is None:
            raise InvalidInput("paths", f"{given} belongs to no content tree: no folder at or above it "
                                        f"holds both {CONTENT_FOLDERS[0]}/ and {CONTENT_FOLDERS[1]}/")
        roots.setdefault(root, []).append(str(given))
        if _is_content(given, path, root):
            chosen.append(path)
        else:
            skipped.append(path)
    if len(roots) > 1:
        listed = "; ".join(f"{root} ({', '.join(given)})" for root, given in roots.items())
        raise InvalidInput("paths", f"the paths belong to different content trees: {listed}; check one tree at a time")
    if not chosen:
        raise InvalidInput("paths", f"nothing to check: {', '.join(map(str, paths))} is not content "
                                    "(templates _*.md and READMEs are not checked)")
    root = next(iter(roots))
    return Selection(root, () if root in chosen else tuple(chosen), tuple(skipped))


def _is_content_root(folder: Path) -> bool:
    return all((folder / name).is_dir() for name in CONTENT_FOLDERS)


def _refuse_half_tree(given: Path, path: Path) -> None:
    if not path.is_dir() or _is_content_root(path):
        return
    present = [name for name in CONTENT_FOLDERS if (path / name).is_dir()]
    if present:
        missing = next(name for name in CONTENT_FOLDERS if name not in present)
        raise InvalidInput("paths", f"{given} holds {present[0]}/ but no {missing}/: a content tree needs both "
                                    f"(kb/ holds the vocabulary every case is checked against)")


def _is_content(given: Path, path: Path, root: Path) -> bool:
    """True for the tree, a content folder or a content file; False for a file in a
    content folder that is not content (a template, a README); refused otherwise."""
    if path == root:
        return True
    parts = path.relative_to(root).parts
    if parts[0] in CONTENT_FOLDERS and len(parts) == 1:
        return True
    if parts[0] in CONTENT_FOLDERS and len(parts) == 2 and path.is_file():
        if parts[0] == FOLDERS["note"] and path.suffix == DATA_SUFFIX:
            return True
        return path.suffix == ".md" and not path.name.startswith("_") and path.name.lower() != "readme.md"
    raise InvalidInput("paths", f"{given} is not content of the tree {root}: give the tree's folder, "
                                f"its cases/ or kb/ folder, or files in them")
