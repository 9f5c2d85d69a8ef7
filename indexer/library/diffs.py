"""Word-level differences for reviewers: the body and the structured fields by label.

Pure functions over two document texts; the web layer renders the result as escaped
<del>/<ins> (MediaWiki style) next to the raw unified diff.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.content.schema import REGISTRY

# SequenceMatcher is quadratic in the worst case: above this size a reviewer gets
# the unified diff only, which stays linear.
MAX_WORD_DIFF_BYTES = 200 * 1024

# Words, runs of whitespace, and single other characters, so that punctuation next to a
# changed word is not marked as changed with it.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Differences of two texts as (op, text) runs, op one of equal/delete/insert.

    >>> word_diff("the quick fox", "the slow fox")
    [('equal', 'the '), ('delete', 'quick'), ('insert', 'slow'), ('equal', ' fox')]
    >>> word_diff("same", "same")
    [('equal', 'same')]
    >>> word_diff("", "new")
    [('insert', 'new')]
    """
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    # autojunk would treat frequent tokens (spaces, "the") as junk and give odd matches.
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "delete", "replace"):
            _append(runs, "equal" if tag == "equal" else "delete", "".join(old_tokens[i1:i2]))
        if tag in ("insert", "replace"):
            _append(runs, "insert", "".join(new_tokens[j1:j2]))
    return runs


def _append(runs: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + text)
    else:
        runs.append((op, text))


def field_changes(old_text: str, new_text: str, kind: str) -> dict[str, Any]:
    """What changed between two texts of a 'case' or 'note', for a reviewer.

    Returns {"fields": [...], "lessons": [...], "body": runs or None, "fallback": None or
    a reason}. Each change is {label, before, after, words}; lessons are compared by id.
    An empty old text stands for a new document. When a text is too large or does not
    parse, only "fallback" says why and the caller shows the unified diff alone.

    >>> old = "---\\nid: a\\ntitle: Old name\\n---\\nBody.\\n"
    >>> new = "---\\nid: a\\ntitle: New name\\n---\\nBody.\\n"
    >>> changes = field_changes(old, new, "note")
    >>> [(c["label"], c["before"], c["after"]) for c in changes["fields"]], changes["body"]
    ([('Title', 'Old name', 'New name')], None)
    """
    result: dict[str, Any] = {"fields": [], "lessons": [], "body": None, "fallback": None}
    if max(len(old_text.encode("utf-8")), len(new_text.encode("utf-8"))) > MAX_WORD_DIFF_BYTES:
        result["fallback"] = f"the text is larger than {MAX_WORD_DIFF_BYTES // 1024} KB"
        return result
    try:
        old_data, old_body = _parsed(old_text)
        new_data, new_body = _parsed(new_text)
    except FrontMatterError as error:
        result["fallback"] = f"the front matter does not parse ({error})"
        return result
    for spec in REGISTRY.fields(kind):
        if spec.kind == "lessons":
            continue
        before, after = _show(_lookup(old_data, spec.keys)), _show(_lookup(new_data, spec.keys))
        if before != after:
            result["fields"].append(_change(spec.title, before, after))
    result["lessons"] = _lesson_changes(old_data.get("lessons"), new_data.get("lessons"))
    if old_body != new_body:
        result["body"] = word_diff(old_body, new_body)
    return result


def _parsed(text: str) -> tuple[dict, str]:
    if not text.strip():
        return {}, ""
    parsed = parse_text(text)
    return parsed.data, parsed.body


def _change(label: str, before: str, after: str) -> dict[str, Any]:
    return {"label": label, "before": before, "after": after, "words": word_diff(before, after)}


def _lookup(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _show(value: Any) -> str:
    """A field's value as the reviewer reads it (lists joined, sources as in the form)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_show(item)}" for key, item in value.items())
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value) and value:
            return "\n".join(" | ".join(_show(part) for part in item.values()) for item in value)
        return ", ".join(_show(item) for item in value)
    return str(value)


def _lesson_changes(old: Any, new: Any) -> list[dict[str, Any]]:
    old_by_id, new_by_id = _lessons_by_id(old), _lessons_by_id(new)
    changes = []
    for lesson_id in list(old_by_id) + [key for key in new_by_id if key not in old_by_id]:
        before, after = old_by_id.get(lesson_id, {}), new_by_id.get(lesson_id, {})
        for spec in REGISTRY.lesson:
            if spec.key == "id":
                continue
            was, now = _show(before.get(spec.key)), _show(after.get(spec.key))
            if was != now:
                changes.append(_change(f"Lesson {lesson_id}: {spec.title}", was, now))
    return changes


def _lessons_by_id(lessons: Any) -> dict[str, dict]:
    if not isinstance(lessons, list):
        return {}
    return {str(item.get("id")): item for item in lessons if isinstance(item, dict)}
