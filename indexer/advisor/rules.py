"""The method's diagnostic rules (kb/rules.yaml): loading, checking and matching.

Rules are data, not code branches: each has conditions on profile attributes, a
message and the note it cites. A condition holds when the profile's attribute has
one of the listed values, or, when the profile leaves the attribute unknown, when the
description contains one of the rule's evidence phrases. Every firing names the
evidence that triggered it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from indexer.content.frontmatter import FrontMatterError, read_yaml_file
from indexer.advisor.profile import SCALAR_ATTRIBUTES, Profile, closest, term_values
from indexer.advisor.sentences import word_pattern
from indexer.content.validate import Problem
from indexer.content.vocabulary import Vocabulary

RULES_FILE = "kb/rules.yaml"
RULE_KINDS = ("warning", "encouragement", "reading")
ACTIVITY_KEYS = ("activities", "lacks_activities")


Condition = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Rule:
    """One diagnostic rule: it fires when all conditions of one of its options hold.

    Most rules have one option; a rule the paper states for either of two situations
    (say, key firms owned elsewhere, or global buyers ruling the chain) has two."""

    id: str
    kind: str
    message: str
    note: str
    when: Condition
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    title: str = ""
    lines: str = ""
    options: tuple[tuple[Condition, dict[str, tuple[str, ...]]], ...] = ()

    def alternatives(self) -> tuple[tuple[Condition, dict[str, tuple[str, ...]]], ...]:
        """(conditions, evidence phrases) per option."""
        return self.options or ((self.when, self.evidence),)

    @property
    def name(self) -> str:
        """What readers see for the rule: its title, else its message's first clause."""
        return self.title or self.message.split(":")[0].split(".")[0]


@dataclass(frozen=True)
class Firing:
    """A rule that fired, and why."""

    rule: Rule
    evidence: tuple[str, ...]
    conditions: tuple[str, ...] = ()  # the attributes of the option that held

    def to_dict(self) -> dict[str, Any]:
        """The shape of a warning in the suggestion output."""
        return {"rule": self.rule.id, "title": self.rule.name, "kind": self.rule.kind,
                "message": " ".join(self.rule.message.split()), "evidence": list(self.evidence),
                "note_id": self.rule.note, "source_lines": self.rule.lines}


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
            name = f"rules[{index}]" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
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
        for optional in ("title", "lines"):
            if optional in entry and not isinstance(entry[optional], str):
                report("must be a text", optional)
        if len(problems) > before:
            continue
        if entry["id"] in seen:
            report(f"rule id '{entry['id']}' is used twice", "id")
        seen.add(entry["id"])
        if entry["kind"] not in RULE_KINDS:
            report(f"kind must be one of {', '.join(RULE_KINDS)}", "kind")
        if entry["note"] not in note_ids:
            report(f"no note with id '{entry['note']}'", "note")
        options = _options(entry, vocabulary, report)
        if len(problems) == before and options:
            rules.append(Rule(entry["id"], entry["kind"], str(entry["message"]).strip(), entry["note"],
                              options[0][0], options[0][1], str(entry.get("title", "")).strip(),
                              str(entry.get("lines", "")).strip(), tuple(options) if len(options) > 1 else ()))
    return rules, problems


def _options(entry: dict, vocabulary: Vocabulary, report) -> list[tuple[Condition, dict]]:
    """The rule's options: `when` a mapping (one option) or a list of mappings, with
    `evidence` of the same shape."""
    raw_when, raw_evidence = entry.get("when"), entry.get("evidence") or {}
    several = isinstance(raw_when, list)
    whens = raw_when if several else [raw_when]
    if several and not whens:
        report("must be a mapping of at least one condition, or a list of them", "when")
        return []
    evidences = raw_evidence if isinstance(raw_evidence, list) else [raw_evidence]
    if several and not isinstance(raw_evidence, list) and raw_evidence:
        report("with a list of conditions, evidence is a list of the same length", "evidence")
        evidences = [{}]
    options = []
    for position, when_entry in enumerate(whens):
        where = (position,) if several else ()
        when = _conditions(when_entry, vocabulary, lambda m, *p, w=where: report(m, "when", *w, *p))
        evidence = evidences[position] if position < len(evidences) else {}
        if not isinstance(evidence, dict) or any(key not in when for key in evidence):
            report("evidence keys must be condition keys of the same rule", "evidence", *where)
            evidence = {}
        for key, phrases in evidence.items():
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                report("must be a list of phrases (texts)", "evidence", *where, key)
        options.append((when, {key: tuple(str(p) for p in phrases) for key, phrases in evidence.items()
                               if isinstance(phrases, list)}))
    return options


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
        scalars = SCALAR_ATTRIBUTES
        if key in ACTIVITY_KEYS:
            vocabulary_name = "activities"
        elif key in scalars:
            vocabulary_name = scalars[key]
        else:
            report(f"unknown condition '{key}'", key)
            continue
        valid = term_values(vocabulary, vocabulary_name)
        for item in values:
            if item not in valid:
                report(f"unknown value '{item}'; valid values, closest first: "
                       + ", ".join(closest(item, valid)[:6]), key)
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


NEGATIONS = ("no longer", "not", "no", "never", "nor", "without", "hardly", "n't", "cannot",
             "ya no", "nunca", "sin", "ni", "nao", "sem", "nem", "nenhum", "nenhuma", "ninguno", "ninguna")


def plain_labels(attribute: str, value: str | None) -> str:
    """Fallback wording of a condition when no vocabulary labels are at hand."""
    name = attribute.replace("_", " ")
    return f"{name} is {value}" if value is not None else name


def evaluate(rule: Rule, profile: Profile, ambiguous: frozenset[str] = frozenset(),
             describe: Callable[[str, str | None], str] = plain_labels,
             read: Mapping[str, str] | None = None, text: str | None = None) -> Firing | None:
    """The firing of `rule` for `profile`, or None when no option's conditions all hold.

    Attributes in `ambiguous` cannot be taken from the description's phrases (it supports
    more than one value), so conditions on them hold only through the profile itself.
    `describe(attribute, value)` words a condition for readers; `read` maps attributes
    the advisor read from the description to the sentence it read them in. The phrases
    are looked for in `text` when given (the description with its English glosses, see
    Reading.text), else in the folded description.
    """
    description = text if text is not None else fold(profile.description)
    for when, phrases_by_key in rule.alternatives():
        evidence: list[str] = []
        for key, accepted in when.items():
            phrases = () if key in ambiguous else phrases_by_key.get(key, ())
            found = _condition_evidence(key, accepted, phrases, profile, description, describe, read or {})
            if found is None:
                break
            evidence.append(found)
        else:
            return Firing(rule, tuple(evidence), tuple(when))
    return None


def _condition_evidence(key: str, accepted: tuple[str, ...], phrases: tuple[str, ...], profile: Profile,
                        description: str, describe, read: Mapping[str, str]) -> str | None:
    if key == "activities":
        shared = [a for a in profile.activities if a in accepted]
        if not shared:
            return None
        return _with_source("planned activities include " + ", ".join(describe("activities", a) for a in shared),
                            read.get("activities"))
    if key == "lacks_activities":
        if any(a in accepted for a in profile.activities):
            return None
        if profile.activities and "activities" not in read:
            return "planned activities do not include " + ", ".join(describe("activities", a) for a in accepted)
        # Activities only read from the description: not reading an activity is no
        # evidence that the plan lacks it, so the rule's phrases must say so.
        return _phrase_evidence(phrases, description, "no activities listed; your description says")
    value = profile.get(key)
    if value is not None:
        return _with_source(describe(key, value), read.get(key)) if value in accepted else None
    return _phrase_evidence(phrases, description, f"{describe(key, None)} not given; your description says")


def _with_source(fact: str, sentence: str | None) -> str:
    return f"{fact} (read from your description: \"{sentence}\")" if sentence else fact


@functools.lru_cache(maxsize=16384)
def whole_words(phrase: str) -> re.Pattern:
    """The folded phrase as a pattern of whole words, compiled once (sentences.word_pattern).

    >>> bool(whole_words("Own brand").search("under their own brand.")), bool(whole_words("own").search("owned"))
    (True, False)
    """
    return word_pattern(fold(phrase))


def find_phrase(phrase: str, description: str) -> bool:
    """Does the folded description state `phrase`, not negated just before it?

    >>> find_phrase("doing well", fold("The workshops are no longer doing well."))
    False
    >>> find_phrase("big budget", fold("There is no big budget."))
    False
    >>> find_phrase("distrust", fold("Owners distrust each other, not the chamber."))
    True
    >>> find_phrase("main obstacle", fold("They hid nothing: the main obstacle is the state."))
    True
    """
    for match in whole_words(phrase).finditer(description):
        # A negation before a colon or semicolon does not reach past it.
        before = re.split(r"[:;]", description[max(0, match.start() - 30):match.start()])[-1]
        words = re.findall(r"[\w']+", before)[-3:]
        window = " ".join(words)
        if not any(whole_words(n).search(window) or window.endswith(n) for n in NEGATIONS):
            return True
    return False


def _phrase_evidence(phrases: tuple[str, ...], description: str, lead: str) -> str | None:
    for phrase in phrases:
        if find_phrase(phrase, description):
            return f"{lead} \"{phrase}\""
    return None


def ambiguous_attributes(rules: list[Rule], profile: Profile, text: str | None = None) -> frozenset[str]:
    """Attributes the profile leaves unknown for which the description (or `text`, as in
    `evaluate`) supports more than one value (say, both under pressure and doing well)."""
    description = text if text is not None else fold(profile.description)
    supported: dict[str, set[tuple[str, ...]]] = {}
    for rule in rules:
        for when, evidence in rule.alternatives():
            for key, phrases in evidence.items():
                if key in ACTIVITY_KEYS or profile.get(key) is not None:
                    continue
                if any(find_phrase(phrase, description) for phrase in phrases):
                    supported.setdefault(key, set()).add(when[key])
    return frozenset(key for key, value_sets in supported.items() if not set.intersection(*map(set, value_sets)))


def fire_all(rules: list[Rule], profile: Profile, describe: Callable[[str, str | None], str] = plain_labels,
             read: Mapping[str, str] | None = None, undecided: frozenset[str] = frozenset(),
             text: str | None = None) -> list[Firing]:
    """Every rule that fires, warnings first, in file order within a kind.

    `undecided` attributes (the description supports opposite values) take nothing from
    the description's phrases, like those whose phrases disagree. `text`: as in `evaluate`."""
    ambiguous = ambiguous_attributes(rules, profile, text) | undecided
    fired = [firing for rule in rules
             if (firing := evaluate(rule, profile, ambiguous, describe, read, text)) is not None]
    order = {kind: position for position, kind in enumerate(RULE_KINDS)}
    return sorted(fired, key=lambda firing: order[firing.rule.kind])


def values_treated_alike(rules: list[Rule]) -> dict[str, frozenset[frozenset[str]]]:
    """Per attribute, the groups of values the rules treat alike: values that some
    condition accepts together and no condition tells apart. A description close to two
    such values (Enright's policy-driven and wishful-thinking clusters, which the paper
    warns about in one breath) is not ambiguous for the method.

    >>> def rule(**when):
    ...     return Rule("r", "warning", "m", "n", {key: tuple(values) for key, values in when.items()})
    >>> alike = values_treated_alike([rule(enright=["policy-driven", "wishful-thinking"]),
    ...                               rule(stage=["maturity", "decline"]), rule(stage=["decline"])])
    >>> sorted(sorted(group) for group in alike["enright"]), alike.get("stage")
    ([['policy-driven', 'wishful-thinking']], None)
    """
    accepted: dict[str, list[frozenset[str]]] = {}
    for rule in rules:
        for when, _ in rule.alternatives():
            for attribute, values in when.items():
                if attribute not in ACTIVITY_KEYS:
                    accepted.setdefault(attribute, []).append(frozenset(values))
    alike: dict[str, frozenset[frozenset[str]]] = {}
    for attribute, sets in accepted.items():
        groups = set()
        for values in sets:
            # Values stay together only while every other condition keeps them together.
            group = frozenset(value for value in values
                              if all((value in other) == (next(iter(values)) in other) for other in sets))
            if len(group) > 1 and len(group) == len(values):
                groups.add(group)
        if groups:
            alike[attribute] = frozenset(groups)
    return alike
