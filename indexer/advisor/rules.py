"""The method's diagnostic rules (kb/rules.yaml): loading, checking and matching.

Rules are data, not code branches: each has conditions on profile attributes, a
message and the note it cites. A condition holds when the profile's attribute has
one of the listed values, or, when the profile leaves the attribute unknown, when the
description contains one of the rule's evidence phrases. Every firing names the
evidence that triggered it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.content.frontmatter import FrontMatterError, read_yaml_file
from indexer.advisor.profile import SCALAR_ATTRIBUTES, Profile
from indexer.content.validate import Problem
from indexer.content.vocabulary import Vocabulary

RULES_FILE = "kb/rules.yaml"
RULE_KINDS = ("warning", "encouragement", "reading")
ACTIVITY_KEYS = ("activities", "lacks_activities")


@dataclass(frozen=True)
class Rule:
    """One diagnostic rule."""

    id: str
    kind: str
    message: str
    note: str
    when: dict[str, tuple[str, ...]]
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Firing:
    """A rule that fired, and why."""

    rule: Rule
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The shape of a warning in the suggestion output."""
        return {"rule": self.rule.id, "kind": self.rule.kind, "message": " ".join(self.rule.message.split()),
                "evidence": list(self.evidence), "note_id": self.rule.note}


def load_rules(root: Path, vocabulary: Vocabulary, note_ids: set[str]) -> tuple[list[Rule], list[Problem]]:
    """Read and check kb/rules.yaml; a missing file means no rules."""
    path = root / RULES_FILE
    if not path.exists():
        return [], []
    try:
        data, lines = read_yaml_file(path)
    except FrontMatterError as exc:
        return [], [Problem(RULES_FILE, exc.line, None, exc.message)]
    entries = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return [], [Problem(RULES_FILE, 1, "rules", "must be a list of rules")]
    rules: list[Rule] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        def report(message: str, *path: Any) -> None:
            key = ("rules", index) + path
            line = next((lines[key[:n]] for n in range(len(key), 1, -1) if key[:n] in lines), None)
            name = f"rules[{index}]" + "".join(f".{p}" for p in path)
            problems.append(Problem(RULES_FILE, line, name, message))

        if not isinstance(entry, dict):
            report("each rule must be a mapping")
            continue
        before = len(problems)
        for required in ("id", "kind", "message", "note", "when"):
            if required not in entry:
                report(f"'{required}' is required", required)
            elif required != "when" and not isinstance(entry[required], str):
                report("must be a text", required)
        if len(problems) > before:
            continue
        if entry["id"] in seen:
            report(f"rule id '{entry['id']}' is used twice", "id")
        seen.add(entry["id"])
        if entry["kind"] not in RULE_KINDS:
            report(f"kind must be one of {', '.join(RULE_KINDS)}", "kind")
        if entry["note"] not in note_ids:
            report(f"no note with id '{entry['note']}'", "note")
        when = _conditions(entry.get("when"), vocabulary, lambda m, *p: report(m, "when", *p))
        evidence = entry.get("evidence") or {}
        if not isinstance(evidence, dict) or any(key not in when for key in evidence):
            report("evidence keys must be condition keys of the same rule", "evidence")
            evidence = {}
        for key, phrases in evidence.items():
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                report("must be a list of phrases (texts)", "evidence", key)
        if len(problems) == before:
            rules.append(Rule(entry["id"], entry["kind"], str(entry["message"]).strip(), entry["note"], when,
                              {key: tuple(str(p) for p in phrases) for key, phrases in evidence.items()}))
    return rules, problems


def _conditions(when: Any, vocabulary: Vocabulary, report) -> dict[str, tuple[str, ...]]:
    if not isinstance(when, dict) or not when:
        report("must be a mapping of at least one condition")
        return {}
    conditions: dict[str, tuple[str, ...]] = {}
    for key, value in when.items():
        values = tuple(value if isinstance(value, list) else [value])
        if not all(isinstance(item, str) for item in values):
            report("must be a value or a list of values (texts)", key)
            continue
        if key in ACTIVITY_KEYS:
            vocabulary_name = "activities"
        elif key in SCALAR_ATTRIBUTES:
            vocabulary_name = SCALAR_ATTRIBUTES[key]
        else:
            report(f"unknown condition '{key}'", key)
            continue
        for item in values:
            if not vocabulary.is_valid(vocabulary_name, item):
                report(f"unknown value '{item}'; valid values, closest first: "
                       + ", ".join(vocabulary.closest(vocabulary_name, item, 6)), key)
        conditions[key] = values
    return conditions


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for phrase matching.

    >>> fold("  Order   books are FULL; exportação ")
    'order books are full; exportacao'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().replace("’", "'").split())


NEGATIONS = ("no longer", "not", "no", "never", "nor", "without", "hardly", "n't", "cannot")


def evaluate(rule: Rule, profile: Profile, ambiguous: frozenset[str] = frozenset()) -> Firing | None:
    """The firing of `rule` for `profile`, or None when a condition does not hold.

    Attributes in `ambiguous` cannot be inferred from the description (it supports
    more than one value), so conditions on them hold only through the profile itself.
    """
    description = fold(profile.description)
    evidence: list[str] = []
    for key, accepted in rule.when.items():
        phrases = () if key in ambiguous else rule.evidence.get(key, ())
        found = _condition_evidence(key, accepted, phrases, profile, description)
        if found is None:
            return None
        evidence.append(found)
    return Firing(rule, tuple(evidence))


def _condition_evidence(key: str, accepted: tuple[str, ...], phrases: tuple[str, ...],
                        profile: Profile, description: str) -> str | None:
    if key == "activities":
        shared = [a for a in profile.activities if a in accepted]
        return f"planned activities include {', '.join(shared)}" if shared else None
    if key == "lacks_activities":
        if profile.activities:
            if any(a in accepted for a in profile.activities):
                return None
            return f"planned activities do not include {', '.join(accepted)}"
        return _phrase_evidence(phrases, description, "no activities listed; description says")
    value = profile.get(key)
    if value is not None:
        return f"{key} is {value}" if value in accepted else None
    return _phrase_evidence(phrases, description, f"{key} not given; description says")


def find_phrase(phrase: str, description: str) -> bool:
    """Does the folded description state `phrase`, not negated just before it?

    >>> find_phrase("doing well", fold("The workshops are no longer doing well."))
    False
    >>> find_phrase("big budget", fold("There is no big budget."))
    False
    >>> find_phrase("distrust", fold("Owners distrust each other, not the chamber."))
    True
    """
    for match in re.finditer(rf"(?<!\w){re.escape(fold(phrase))}(?!\w)", description):
        before = description[max(0, match.start() - 30):match.start()]
        words = re.findall(r"[\w']+", before)[-3:]
        window = " ".join(words)
        if not any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", window) or window.endswith(n)
                   for n in NEGATIONS):
            return True
    return False


def _phrase_evidence(phrases: tuple[str, ...], description: str, lead: str) -> str | None:
    for phrase in phrases:
        if find_phrase(phrase, description):
            return f"{lead} \"{phrase}\""
    return None


def ambiguous_attributes(rules: list[Rule], profile: Profile) -> frozenset[str]:
    """Attributes the profile leaves unknown for which the description supports
    more than one value (say, both under pressure and doing well)."""
    description = fold(profile.description)
    supported: dict[str, set[tuple[str, ...]]] = {}
    for rule in rules:
        for key, phrases in rule.evidence.items():
            if key in ACTIVITY_KEYS or profile.get(key) is not None:
                continue
            if any(find_phrase(phrase, description) for phrase in phrases):
                supported.setdefault(key, set()).add(rule.when[key])
    return frozenset(key for key, value_sets in supported.items() if not set.intersection(*map(set, value_sets)))


def fire_all(rules: list[Rule], profile: Profile) -> list[Firing]:
    """Every rule that fires, warnings first, in file order within a kind."""
    ambiguous = ambiguous_attributes(rules, profile)
    fired = [firing for rule in rules if (firing := evaluate(rule, profile, ambiguous)) is not None]
    order = {kind: position for position, kind in enumerate(RULE_KINDS)}
    return sorted(fired, key=lambda firing: order[firing.rule.kind])
