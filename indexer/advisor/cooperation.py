"""Whether a statement says the firms act together, apart, or some of each (issue 9):
the direction of the cooperative culture, read from its words.

The sentence model hears the topic of working together, not its sign: "they have
bottled their honey together for twelve years and trust the joint accounts" is nearer
to "they have never done anything together" than to any cooperative example. So, as
for the trend of business (indexer/advisor/trends.py), the model says whether a
statement is about cooperation and the words say which way: words of acting together
(together, share, trust), unless a negation comes before them in their clause ("nobody
wants shared projects"); words of acting apart (alone, distrust, copy); "some ...,
others ..." for a mixed culture. The words are data, in kb/cooperation_words.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from indexer.advisor.sentences import AFFIRMING_IDIOMS, fold_for, word_pattern
from indexer.advisor.trends import ANY, NEGATING, SEGMENT, WORD, folded_phrases, read_words_file

COOPERATION_FILE = "kb/cooperation_words.yaml"


@dataclass(frozen=True)
class CooperationWords:
    """Per language (folded): phrases of acting together, of acting apart, and the
    patterns of "some ..., others ..."."""

    attribute: str
    together_value: str
    apart_value: str
    mixed_value: str
    together: Mapping[str, tuple[str, ...]]
    apart: Mapping[str, tuple[str, ...]]
    some_others: Mapping[str, re.Pattern]
    # Connectives that hold a negation word and negate nothing ("sin embargo": however).
    connectives: Mapping[str, tuple[str, ...]]
    # Phrases of the agency's plan: such a statement says nothing of the firms' culture.
    plans: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Words of the topic (rivals, trust, each other, an association...): with them, a
    # statement that names no side may still state a culture, which the model decides;
    # without them it states none ("we asked the workshops for last year's sales data").
    topic: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Names of bodies and places whose words say nothing of a culture: "la sede de la
    # junta de vecinos" (the neighbourhood council's hall) names no neighbours.
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Read in the statement's own language only: the rough English gloss makes "junta de
    # freguesia" (parish council) and "reuniendo ideas" (gathering ideas) "together".
    reads_gloss = False
    replaces_plainness = False

    @property
    def required(self) -> bool:
        """A statement needs the words of a side or of the topic when topic words are
        given. Requiring a side's words alone lost all but 14 tuning profiles: "they
        would never dream of a joint project" holds none of them."""
        return bool(self.topic)

    @classmethod
    def from_mapping(cls, data: Mapping) -> "CooperationWords":
        """Build from the mapping kb/cooperation_words.yaml holds."""
        patterns = {language: re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, pair['some']))})(?!\w).*"
                                         rf"(?<!\w)(?:{'|'.join(map(re.escape, pair['others']))})(?!\w)")
                    for language, pair in (data.get("some_others") or {}).items()}
        values = data["values"]
        return cls(str(data["attribute"]), str(values["together"]), str(values["apart"]), str(values["mixed"]),
                   folded_phrases(data["together"]), folded_phrases(data["apart"]), patterns,
                   folded_phrases(data.get("connectives")), folded_phrases(data.get("plans")),
                   folded_phrases(data.get("topic")), folded_phrases(data.get("names")))

    def value_of(self, text: str, language: str = "en") -> str | None:
        """The culture the text's words name, or None: the side more of its phrases take
        (none named, or as many for each side, reads nothing), unless it says "some ...,
        others ...".

        >>> words = CooperationWords("c", "cooperative", "non-cooperative", "mixed",
        ...     {"en": ("together", "share")}, {"en": ("alone", "distrust", "to themselves")},
        ...     {"en": re.compile(r"\\bsome\\b.*\\bothers\\b")}, {}, {"en": ("we propose",)})
        >>> [words.value_of(t) for t in ("They have bottled their honey together for years.",
        ...     "They have never done anything together.", "Each works alone.", "Some share tools, others refuse.",
        ...     "Nobody wants to share anything.", "Owners distrust each other but share a truck.",
        ...     "They met the mayor.", "They work together, not only at the fair.",
        ...     "They keep to themselves, work alone, and laughed at a joint project.",
        ...     "We propose a lab where firms work together.")]
        ['cooperative', 'non-cooperative', 'non-cooperative', 'mixed', 'non-cooperative', None, None, 'cooperative', 'non-cooperative', None]
        """
        folded = AFFIRMING_IDIOMS.sub(" ", fold_for(text, language))
        if any(word_pattern(plan).search(folded) for plan in self.plans.get(language, ())):
            return None
        for connective in (*self.connectives.get(language, ()), *self.names.get(language, ())):
            folded = word_pattern(connective).sub(" ", folded)
        pattern = self.some_others.get(language)
        if pattern is not None and pattern.search(folded):
            return self.mixed_value
        together = apart = 0
        for segment in SEGMENT.split(folded):
            for phrase in self.together.get(language, ()):
                for match in word_pattern(phrase).finditer(segment):
                    if NEGATING & set(WORD.findall(segment[:match.start()])):
                        apart += 1
                    else:
                        together += 1
            for phrase in self.apart.get(language, ()):  # "no longer work alone" says neither
                for match in word_pattern(phrase).finditer(segment):
                    apart += not NEGATING & set(WORD.findall(segment[:match.start()]))
        if together == apart:
            topic = self.topic.get(language, ())
            return ANY if any(word_pattern(word).search(folded) for word in topic) else None
        return self.together_value if together > apart else self.apart_value


def load_cooperation_words(root: Path) -> CooperationWords | None:
    """kb/cooperation_words.yaml under `root`, or None when the content has none."""
    return read_words_file(root / COOPERATION_FILE, CooperationWords.from_mapping,
                           "attribute, values.together/apart/mixed, together, apart and some_others")
