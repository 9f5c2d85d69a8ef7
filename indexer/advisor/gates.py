"""Words a statement needs before it can state an attribute at all (issue 9).

Who leads. A body named in a first note is often only a place or a host: "the chamber of commerce
has lent us its meeting room", "the câmara municipal's great hall". The sentence model
reads such a statement as the chamber or the town hall leading, because it hears who is
named, not what they do. So the leading body and the driver are read by meaning only
from a statement whose words say someone leads, runs, coordinates, drives, proposes,
wants or pays for it; the verbs are data, in kb/leading_words.yaml.

What is planned. A note that a bookkeeping course starts on 2 March, or that the
visit included an evening class, plans nothing; the planned activities are read only
from a statement that speaks of a plan, a wish or a next step (kb/plan_words.yaml).

Likewise for judging and monitoring, research spending, firm sizes, the approach,
government's standing (a body named and a view of it), ownership, the launch plan,
the Altenburg / Meyer-Stamer types, money, the local economy and Enright's clusters that
do not exist yet: each file (GATE_FILES)
says why its words are needed. A file may also ask for a second list (`also_phrases`),
list phrases in which a word is something else (`unless`: "a small town"), name values
outright (`values`: "a single number" is hard outcomes only), and gate the rules'
phrases too (`gates_phrases`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from indexer.advisor.sentences import fold_for, phrase_regex
from indexer.advisor.trends import ANY, folded_phrases, most_stated, read_words_file

LEADING_FILE = "kb/leading_words.yaml"
PLAN_FILE = "kb/plan_words.yaml"
JUDGING_FILE = "kb/judging_words.yaml"
STUDY_FILE = "kb/study_words.yaml"
FIRM_FILE = "kb/firm_words.yaml"
APPROACH_FILE = "kb/approach_words.yaml"
GOVERNMENT_FILE = "kb/government_words.yaml"
OWNERSHIP_FILE = "kb/ownership_words.yaml"
LAUNCH_FILE = "kb/launch_words.yaml"
TYPOLOGY_FILE = "kb/typology_words.yaml"
MONEY_FILE = "kb/money_words.yaml"
ECONOMY_FILE = "kb/economy_words.yaml"
ENRIGHT_FILE = "kb/enright_words.yaml"
GATE_FILES = (LEADING_FILE, PLAN_FILE, JUDGING_FILE, STUDY_FILE, FIRM_FILE, APPROACH_FILE, GOVERNMENT_FILE,
              OWNERSHIP_FILE, LAUNCH_FILE, TYPOLOGY_FILE, MONEY_FILE, ECONOMY_FILE, ENRIGHT_FILE)


@dataclass(frozen=True)
class GateWords:
    """Per language (folded), the phrases one attribute needs in a statement."""

    attribute: str
    phrases: Mapping[str, re.Pattern]
    # The phrases, not nearness to a neutral statement, tell a plain statement from one
    # that is not: "El municipio liderará el programa" is as near to "a programme for the
    # region" as to any lead's example, and the verb of leading says it is not plain.
    replaces_plainness: bool = False
    # The rules' phrases for the attribute need the words too ("the ministry" named as a
    # host lends a room and makes no initiative top-down).
    gates_phrases: bool = False
    # A second list the statement needs as well (empty: none): a government named is not
    # yet a view of it ("the prefeitura's register lists 34 sweet factories").
    also: Mapping[str, re.Pattern] = field(default_factory=dict)
    # Phrases that name a value outright once the statement may state the attribute
    # (value -> language -> phrases): "judged on a single number: jobs created" is
    # judged on hard outcomes alone, which the model heard as a broad scorecard.
    named: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # Phrases in which a gate word is something else, removed before the words are looked
    # for: "a small town" says nothing of the firms' size.
    unless: Mapping[str, re.Pattern] = field(default_factory=dict)
    # A value named outright decides (`values_decide`): the statement is compared with
    # that value's examples even beyond its nearest values and whatever a neutral
    # statement's nearness, as a trend's named direction is. Not for the judging words,
    # whose "only" names hard outcomes in "the firms will only be called in later".
    values_decide: bool = False
    reads_gloss = True
    required = True

    def value_of(self, text: str, language: str = "en") -> str | None:
        """ANY when the text holds one of the phrases (any value may hold), else None.

        >>> words = GateWords.from_phrases("lead_body", {"en": ["leads", "will lead"]})
        >>> words.value_of("The chamber leads the initiative."), words.value_of("The chamber lent us a room.")
        ('*', None)
        """
        pattern, also = self.phrases.get(language), self.also.get(language)
        folded = fold_for(text, language)
        if language in self.unless:
            folded = self.unless[language].sub(" ", folded)
        if pattern is None or not pattern.search(folded) or (self.also and (also is None or not also.search(folded))):
            return None
        return most_stated(self.named, folded, language) or ANY

    @classmethod
    def from_phrases(cls, attribute: str, phrases: Mapping[str, list], replaces_plainness: bool = False,
                     gates_phrases: bool = False, also: Mapping[str, list] | None = None,
                     named: Mapping[str, Mapping[str, list]] | None = None,
                     unless: Mapping[str, list] | None = None, values_decide: bool = False) -> "GateWords":
        """One attribute's words from {language: phrases} (and `also` phrases, likewise).

        >>> words = GateWords.from_phrases("government_view", {"en": ["ministry"]}, also={"en": ["obstacle"]})
        >>> words.value_of("The ministry is their main obstacle."), words.value_of("The ministry lent a room.")
        ('*', None)
        """
        return cls(attribute, _patterns(phrases), replaces_plainness, gates_phrases or replaces_plainness,
                   _patterns(also or {}), {str(value): folded_phrases(languages)
                                           for value, languages in (named or {}).items()}, _patterns(unless or {}),
                   values_decide)


def _patterns(phrases: Mapping[str, list]) -> dict[str, re.Pattern]:
    """{language: one pattern matching any of its phrases as whole words}."""
    return {language: re.compile(rf"(?<!\w)(?:{'|'.join(map(phrase_regex, folded))})(?!\w)")
            for language, folded in folded_phrases(phrases).items() if folded}


def load_gate_words(root: Path) -> list[GateWords]:
    """One GateWords per attribute the gate files (GATE_FILES) under `root` name."""
    def build(data: Mapping) -> list[GateWords]:
        return [GateWords.from_phrases(str(attribute), data["phrases"], bool(data.get("replaces_plainness")),
                                       bool(data.get("gates_phrases")), data.get("also_phrases"),
                                       (data.get("values") or {}).get(attribute), data.get("unless"),
                                       bool(data.get("values_decide")))
                for attribute in data["attributes"]]
    return [words for name in GATE_FILES
            for words in read_words_file(root / name, build, "attributes and phrases per language") or []]
