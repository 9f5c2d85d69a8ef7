"""What the advisor's answer says in words: labels, what was read, what could not be
judged, how unknowns count in a match, and whether the library knows the sector.

Kept apart from suggest.py, which computes; this module turns results into what a
reader sees (human labels everywhere, never raw keys) and applies the treatment of
attributes a case does not record.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import Iterable, Sequence

from indexer.advisor.inference import Reading
from indexer.advisor.readings import LIST_ATTRIBUTES, MEANING
from indexer.advisor.profile import Profile, term_label, term_title
from indexer.advisor.rules import ACTIVITY_KEYS, Firing, Rule
from indexer.advisor.similarity import AttributeScore
from indexer.content.schema import REGISTRY, FieldRegistry
from indexer.content.vocabulary import Vocabulary

# The two attributes compared together as the initiative type (Table 3's row and column).
INITIATIVE = ("driver", "approach")
# Said of a case's value that is the codifier's interpretation (the case's `interpreted` marks).
INTERPRETED_NOTE = " (the codifier's interpretation)"
# Compared attributes that are not registry fields.
SPECIAL_LABELS = {"description": "Description", "initiative": "Initiative type (Table 3)",
                  "activities": "Planned activities"}
# A word of a label: letters first, then letters, digits, hyphens or apostrophes.
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# A first word followed by a capitalised word, alone or after '/', '&' or 'and'
# ("Costa Rica", "Altenburg / Meyer-Stamer"): both are names.
_JOINED_TO_NAME = re.compile(r"\s*(?:(?:/|&|and\b)\s*)?([^\W\d_][\w'’-]*)")


def in_text(label: str, names: frozenset[str] = frozenset()) -> str:
    """A label as it reads inside a sentence: its first word lower-cased, unless that
    word is a name (one of `names`, or followed by a capitalised word, alone or after
    '/', '&' or 'and') or an acronym.

    >>> names = frozenset({"Enright"})
    >>> in_text("Life-cycle stage", names), in_text("Enright type", names), in_text("IT services", names)
    ('life-cycle stage', 'Enright type', 'IT services')
    >>> in_text("Altenburg / Meyer-Stamer type"), in_text("Initiative type (Table 3)"), in_text("Third Italy")
    ('Altenburg / Meyer-Stamer type', 'initiative type (Table 3)', 'Third Italy')
    >>> in_text("Start-up and SME promotion"), in_text("Survival cluster")
    ('start-up and SME promotion', 'survival cluster')
    """
    match = _WORD.match(label)
    if match is None:
        return label
    first, rest = match.group(0), label[match.end():]
    ordinary = first[0].isupper() and first[1:] == first[1:].lower()
    following = (found.group(1) if (found := _JOINED_TO_NAME.match(rest)) else "")
    joined = following[:1].isupper() and not following.isupper()
    if not ordinary or first in names or joined:
        return label
    return first[0].lower() + first[1:] + rest


class Labels:
    """Human labels of attributes and values, from the vocabulary and the registry."""

    def __init__(self, vocabulary: Vocabulary, registry: FieldRegistry = REGISTRY):
        self.vocabulary = vocabulary
        self.vocabularies = dict(registry.scalar_attributes, **registry.list_attributes)
        self.titles = {spec.key: spec.label for spec in registry.with_role("attribute") if spec.label}
        self.registry = registry

    @cached_property
    def names(self) -> frozenset[str]:
        """Words that are names, whose capital stays inside a sentence: every capitalised
        word after the first in the registry's labels and the vocabulary's titles and
        value labels ("Enright typology (Enright 2000)"), and the words of country and
        region names."""
        texts = [spec.label for spec in self.registry.case + self.registry.profile_only if spec.label]
        raw = self.vocabulary.raw
        pending: list = [raw]
        while pending:  # every label in the vocabulary file, however deep
            entry = pending.pop()
            if isinstance(entry, dict):
                texts += [value for key, value in entry.items() if key == "label" and isinstance(value, str)]
                pending += [value for value in entry.values() if isinstance(value, (dict, list))]
            elif isinstance(entry, list):
                pending += entry
        names: set[str] = set()
        for text in texts:
            words = _WORD.findall(text)
            names.update(word for word in words[1:] if word[0].isupper() and not word.isupper())
        for place in (*(raw.get("countries") or {}), *(str((entry or {}).get("label", key))
                                                       for key, entry in (raw.get("regions") or {}).items())):
            names.update(word for word in _WORD.findall(str(place)) if word[0].isupper())
        return frozenset(names)

    def in_text(self, label: str) -> str:
        """`label` as it reads inside a sentence (see `in_text`)."""
        return in_text(label, self.names)

    def attribute(self, attribute: str) -> str:
        """The attribute's name for readers."""
        if attribute in SPECIAL_LABELS:
            return SPECIAL_LABELS[attribute]
        if attribute in self.titles:
            return self.titles[attribute]
        return term_title(self.vocabulary, self.vocabularies.get(attribute, attribute))

    def value(self, attribute: str, value: str) -> str:
        """A value's label for readers (the value itself when the vocabulary has no label)."""
        name = "activities" if attribute in ACTIVITY_KEYS else self.vocabularies.get(attribute, attribute)
        return term_label(self.vocabulary, name, value)

    def condition(self, attribute: str, value: str | None) -> str:
        """'Attribute: value label', or the attribute's name alone."""
        if value is None:
            return self.attribute(attribute)
        if attribute in ACTIVITY_KEYS:
            return self.value(attribute, value)
        return f"{self.attribute(attribute)}: {self.value(attribute, value)}"


def merged_profile(profile: Profile, reading: Reading) -> Profile:
    """The profile matching and rules use: given values, plus values read where none was given."""
    values = dict(reading.values())
    values.update(profile.values)
    lists = dict(profile.lists)
    for attribute in {item.attribute for item in reading.inferred if item.attribute in LIST_ATTRIBUTES}:
        if not lists.get(attribute):
            lists[attribute] = reading.items(attribute)
    return replace(profile, values=values, lists=lists)


def inferred_entries(reading: Reading, labels: Labels) -> list[dict]:
    """The answer's `inferred` list."""
    return [{"attribute": item.attribute, "value": item.value,
             "label": labels.condition(item.attribute, item.value), "sentence": item.sentence,
             "confidence": min(1.0, max(0.0, item.confidence)), "method": item.method, "source": "description"}
            for item in reading.inferred]


def undecided(rules: Iterable[Rule], profile: Profile, fired: Iterable[Firing], labels: Labels) -> list[dict]:
    """Warnings (and encouragements) that did not fire only because an attribute is unknown:
    no known value contradicts them, and the named attribute would decide them.

    Every option of a rule counts (key firms owned elsewhere, or global buyers, or
    transnational lead firms): each attribute that would decide one is listed once per
    rule, with the values of all the options it would decide."""
    fired_ids = {firing.rule.id for firing in fired}
    entries: list[dict] = []
    for rule in rules:
        if rule.kind == "reading" or rule.id in fired_ids:
            continue
        by_attribute: dict[str, dict] = {}
        for when, _ in rule.alternatives():
            missing = [key for key in when if _unknown(key, profile)]
            contradicted = any(not _unknown(key, profile) and not _holds(key, accepted, profile)
                               for key, accepted in when.items())
            if not missing or contradicted:
                continue
            for key in missing:
                attribute = "activities" if key in ACTIVITY_KEYS else key
                entry = by_attribute.setdefault(attribute, {
                    "rule": rule.id, "title": rule.name, "attribute": attribute,
                    "label": labels.attribute(attribute), "values_that_would_fire": []})
                values = [labels.value(key, value) for value in when[key]]
                if key == "lacks_activities":  # one condition: the plan leaves out every one of them
                    values = ["leaving out " + " and ".join(labels.in_text(value) for value in values)]
                for label in values:
                    if label not in entry["values_that_would_fire"]:
                        entry["values_that_would_fire"].append(label)
        entries.extend(by_attribute.values())
    return entries


def _unknown(key: str, profile: Profile) -> bool:
    if key in ACTIVITY_KEYS:
        return not profile.activities
    return profile.get(key) is None


def _holds(key: str, accepted: Sequence[str], profile: Profile) -> bool:
    if key == "activities":
        return any(a in accepted for a in profile.activities)
    if key == "lacks_activities":
        return not any(a in accepted for a in profile.activities)
    return profile.get(key) in accepted


def impute_unknowns(matches_parts: list[list[AttributeScore]]) -> set[str]:
    """Let an attribute a case does not record count at the library's mean similarity.

    Leaving it out (weight 0) favours thinly documented cases: a case that records only
    its sector scores on the sector alone. Counting it as a mismatch punishes cases for
    what their source did not say. The expected similarity is the honest middle: for
    each attribute, the mean local similarity of the profile's value over the cases
    that do record it (a Bayesian-style estimate of the unknown). An attribute that no
    case records cannot tell cases apart and has no mean: it is left out of every
    comparison (counting it at 0 would only lower every score). Changes `parts` in
    place and returns the attributes left out.
    """
    sums: dict[str, list[float]] = {}
    for parts in matches_parts:
        for part in parts:
            if not part.imputed:
                sums.setdefault(part.attribute, []).append(part.similarity)
    unrecorded = {part.attribute for parts in matches_parts for part in parts if part.attribute not in sums}
    for parts in matches_parts:
        parts[:] = [part for part in parts if part.attribute not in unrecorded]
        for part in parts:
            if part.imputed:
                known = sums[part.attribute]
                part.similarity = round(sum(known) / len(known), 6)
    return unrecorded


def unrecorded_notice(attributes: Iterable[str], labels: Labels) -> str | None:
    """A plain sentence naming the profile's attributes that no case records (left out)."""
    names = [labels.attribute(attribute) for attribute in attributes]
    if not names:
        return None
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    they, them = ("it", "it") if len(names) == 1 else ("they", "them")
    return (f"No case in the library records {labels.in_text(listed)}: the cases were compared without "
            f"{them}, since {they} cannot tell cases apart (the method's warnings still use {them}).")


def nothing_alike_notice(best_score: float | None, comparable: int) -> str | None:
    """A plain sentence when no case resembles the profile at all (the best score is 0)."""
    if best_score is None or best_score > 0:
        return None
    if not comparable:
        return "Nothing you gave can be compared with the cases, so no case is more similar than another."
    return ("No case in the library resembles what you gave: every case scores 0.00, so the cases below "
            "are in no order of similarity.")


def nearest_sector(profile: Profile, cases: Sequence, sector_similarity, labels: Labels,
                   path: str = "sectors") -> tuple[str | None, object | None]:
    """A plain sentence when no case of the library shares the profile's sectors, naming
    the nearest; and the case it names (None when it names none)."""
    sectors = profile.sectors
    if not sectors:
        return None, None
    best, best_case = 0.0, None
    for case in cases:
        theirs = case.values(path)
        if not theirs:
            continue
        if set(theirs) & set(sectors):
            return None, None
        similarity = sector_similarity(sectors, theirs)
        if similarity > best:
            best, best_case = similarity, case
    names = ", ".join(labels.value("sectors", sector) for sector in sectors)
    if best_case is None:
        return f"The library holds no case of this sector ({names}).", None
    theirs = ", ".join(labels.value("sectors", s) for s in best_case.values(path))
    return (f"The library holds no case of this sector ({names}); the nearest is {best_case.title} "
            f"({theirs})."), best_case


def pair(values: tuple) -> str:
    """Driver and approach as one text."""
    return ", ".join(value for value in values if value) or "unknown"


def short(text: str, limit: int = 120) -> str:
    """The text on one line, cut at a word before `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


def words(attribute: str, value, labels: Labels) -> str:
    """A compared value in readers' words (labels, not keys)."""
    if attribute in ("description", "country"):
        return str(value)
    items = value if isinstance(value, list) else [part.strip() for part in str(value).split(",")]
    if attribute == "initiative":
        return ", ".join(labels.value(name, item) for name, item in zip(INITIATIVE, items)
                         if item != "unknown") or "unknown"
    return ", ".join(labels.value(attribute, item) for item in items)


def reason(parts: list[AttributeScore], labels: Labels) -> str:
    """One line: the strongest contributions, in words; then, room permitting, what was
    compared and differs, so that a case compared on an attribute never reads as if it
    had nothing in common with the profile only because that attribute differs."""
    phrases = []
    compared = [part for part in parts if not part.imputed]
    for part in sorted(compared, key=lambda p: -p.weight * p.similarity):
        name = labels.in_text(part.label or part.attribute)
        if part.similarity <= 0:
            continue
        if part.attribute == "description":
            phrases.append(f"description similar to '{short(str(part.case_value), 80)}'")
        elif part.similarity >= 1.0:
            phrases.append(f"same {name}: {words(part.attribute, part.case_value, labels)}"
                           + INTERPRETED_NOTE * part.interpreted)
        else:
            mine, theirs = (words(part.attribute, part.query_value, labels),
                            words(part.attribute, part.case_value, labels))
            phrases.append(f"related {name}: {theirs} ~ {mine} {part.similarity:.2f}"
                           + INTERPRETED_NOTE * part.interpreted)
        if len(phrases) == 3:
            break
    for part in compared:
        if len(phrases) == 3:
            break
        if part.similarity > 0:
            continue
        if part.attribute == "description":
            phrases.append("description unlike yours")
        else:
            theirs, mine = (words(part.attribute, part.case_value, labels),
                            words(part.attribute, part.query_value, labels))
            phrases.append(f"differs on {labels.in_text(part.label or part.attribute)}: {theirs} vs {mine}"
                           + INTERPRETED_NOTE * part.interpreted)
    if phrases:
        return "; ".join(phrases)
    missing = [labels.in_text(part.label or part.attribute) for part in parts if part.imputed]
    if missing:
        return "does not record " + " or ".join(missing)
    return "nothing to compare"


# A warning that rests on a reading by meaning below this confidence is marked tentative:
# on the sealed profile sets most readings between 0.40 and 0.50 of a Spanish or
# Portuguese sentence were wrong (README, "How far to trust each figure").
TENTATIVE_BELOW = 0.5


def with_weak_readings(firing: Firing, reading: Reading, labels: Labels) -> dict:
    """The warning's dict, with `tentative` and, when so, `rests_on`: the readings by
    meaning below TENTATIVE_BELOW that the warning's conditions took from the description.

    >>> from indexer.advisor.readings import Inferred
    >>> from indexer.content.vocabulary import Vocabulary
    >>> rule = Rule("r", "warning", "m", "n", {"pressure": ("doing-well",)})
    >>> weak = Reading((Inferred("pressure", "doing-well", "Sales soar.", 0.43, "meaning"),), frozenset(), True)
    >>> answer = with_weak_readings(Firing(rule, ("e",), ("pressure",)), weak, Labels(Vocabulary({})))
    >>> answer["tentative"], answer["rests_on"][0]["sentence"], answer["rests_on"][0]["confidence"]
    (True, 'Sales soar.', 0.43)
    >>> with_weak_readings(Firing(rule, ("e",), ("pressure",)), Reading((), frozenset(), True),
    ...                    Labels(Vocabulary({})))["tentative"]
    False
    """
    attributes = {"activities" if key in ACTIVITY_KEYS else key for key in firing.conditions}
    weak = [item for item in reading.inferred
            if item.attribute in attributes and item.method == MEANING and item.confidence < TENTATIVE_BELOW]
    answer = firing.to_dict()
    answer["tentative"] = bool(weak)
    if weak:
        answer["rests_on"] = [{"attribute": item.attribute, "label": labels.condition(item.attribute, item.value),
                               "sentence": item.sentence, "confidence": round(item.confidence, 2)}
                              for item in weak]
    return answer
