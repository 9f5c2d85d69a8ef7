"""The one validation path: what `casebase check`, the service and the editor all use.

It sits above the content layer and the advisor: the content layer validates cases,
notes, the vocabulary and the glossary; the method's rules (kb/rules.yaml) belong to
the advisor but are part of the library an author edits, so a check covers both.
A candidate text is validated exactly as the same text on disk would be.
"""

from __future__ import annotations

from pathlib import Path

from indexer.advisor.rules import load_rules
from indexer.content.loading import Content, check_text, load_content
from indexer.content.validate import Problem


def load_library(root: Path) -> Content:
    """Load the content under `root` and the method's rules; every problem of both is
    in `content.problems`, the rules in `content.rules`."""
    content = load_content(Path(root))
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
