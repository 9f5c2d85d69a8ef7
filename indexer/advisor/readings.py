"""What a reading of a description is made of, and how read values combine (issue 9):
each value read with its support, a mixture stated by its two parts, and the driver
that Table 3 says a leading body implies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np

from indexer.advisor.rules import ACTIVITY_KEYS
from indexer.advisor.trends import ANY

PHRASE = "phrase"
MEANING = "meaning"
AMOUNT = "amount"  # the funding level, from the sum of money a sentence names
# Attributes read as several values at once.
LIST_ATTRIBUTES = (*ACTIVITY_KEYS, "sectors")

# Table 3 (lines 790-815): who leads an initiative says who drives it. Government
# (national, provincial or local) initiatives are public; those of industrial bodies,
# business associations and chambers private. A donor is neither.
DRIVER_OF_LEAD_BODY = {"government": "public", "industry-federation": "private",
                       "business-association": "private", "chamber": "private"}


@dataclass(frozen=True)
class Inferred:
    """One attribute value read from the description, with the statement that supports it."""

    attribute: str
    value: str
    sentence: str
    confidence: float
    method: str  # PHRASE, MEANING or AMOUNT


@dataclass(frozen=True)
class Reading:
    """What the description says, attribute by attribute."""

    inferred: tuple[Inferred, ...]
    undecided: frozenset[str]  # attributes the description supports with opposite values
    by_meaning: bool  # False: phrases only (no model)
    # The description's vector (the normalised mean of its statements'); not part of what was read.
    vector: np.ndarray | None = field(default=None, compare=False, hash=False)
    # Where the rules' phrases are looked for: the folded description, each Spanish or
    # Portuguese statement followed by its English gloss ('' before any reading).
    text: str = field(default="", compare=False, hash=False)
    # Attributes whose rules' phrases occur only in statements that cannot state them (a
    # ministry named as the host of a meeting, with no word of leading): the rules take
    # nothing from those phrases.
    unstated: frozenset[str] = field(default=frozenset(), compare=False, hash=False)

    @property
    def phraseless(self) -> frozenset[str]:
        """Attributes the rules may not take from the description's phrases."""
        return self.undecided | self.unstated

    def values(self) -> dict[str, str]:
        """Scalar attribute -> value read."""
        return {item.attribute: item.value for item in self.inferred if item.attribute not in LIST_ATTRIBUTES}

    def items(self, attribute: str) -> tuple[str, ...]:
        """The values read for a list attribute."""
        return tuple(item.value for item in self.inferred if item.attribute == attribute)


@dataclass(frozen=True)
class Support:
    """The best support one value has in the description."""

    value: str
    score: float
    sentence: str


def implied(inferred: Sequence[Inferred], closed: set[str]) -> list[Inferred]:
    """`inferred` made consistent with Table 3: the leading body gives the driver. A
    driver neither given nor undecided follows the leading body read, keeping its
    sentence and confidence; a driver read that contradicts the leading body gives way
    when the leading body was read more surely, or from the same statement (the body
    named says more than the statement's tone: "launched nationwide by the Association of
    Ghana Industries" is a private driver).

    >>> lead = Inferred("lead_body", "chamber", "The chamber leads.", 0.8, MEANING)
    >>> [(item.attribute, item.value, item.sentence) for item in implied([lead], set())]
    [('lead_body', 'chamber', 'The chamber leads.'), ('driver', 'private', 'The chamber leads.')]
    >>> implied([lead], {"driver"}) == [lead]
    True
    >>> ministry = "The ministry pays."
    >>> [item.value for item in implied([lead, Inferred("driver", "public", ministry, 0.5, MEANING)], set())]
    ['chamber', 'private']
    >>> [item.value for item in implied([lead, Inferred("driver", "public", ministry, 0.9, MEANING)], set())]
    ['chamber', 'public']
    >>> [item.value for item in implied([lead, Inferred("driver", "public", "The chamber leads.", 0.9, MEANING)],
    ...                                 set())]
    ['chamber', 'private']
    """
    items = list(inferred)
    lead = next((item for item in items if item.attribute == "lead_body"), None)
    if lead is None or lead.value not in DRIVER_OF_LEAD_BODY or "driver" in closed:
        return items
    follows = Inferred("driver", DRIVER_OF_LEAD_BODY[lead.value], lead.sentence, lead.confidence, lead.method)
    driver = next((item for item in items if item.attribute == "driver"), None)
    if driver is None:
        return items + [follows]
    same = driver.sentence in lead.sentence or lead.sentence in driver.sentence
    if driver.value != follows.value and driver.method == MEANING and (lead.confidence > driver.confidence or same):
        return [follows if item is driver else item for item in items]
    return items


def mixed(supports: Sequence[Support], mixtures: Iterable[tuple[str, tuple[str, str]]], threshold: float,
          together: Callable[[str, str], bool] = lambda one, other: True) -> list[Support]:
    """`supports` with each mixture value a sentence states by stating both its parts in
    different statements ("a handful already share a studio; the others go it alone" is
    a mixed culture, not an undecided one). The parts must be `together` in one sentence:
    a description's other sentences are moderately close to either part by chance. The
    mixture takes the weaker part's score and both statements; its parts give way to it.

    >>> parts = [Support("cooperative", 0.6, "A few share;"), Support("non-cooperative", 0.5, "others not.")]
    >>> [(s.value, s.score, s.sentence) for s in mixed(parts, [("mixed", ("cooperative", "non-cooperative"))], 0.4)]
    [('mixed', 0.5, 'A few share; … others not.')]
    >>> len(mixed(parts[:1], [("mixed", ("cooperative", "non-cooperative"))], 0.4))
    1
    >>> len(mixed(parts, [("mixed", ("cooperative", "non-cooperative"))], 0.4, lambda one, other: False))
    2
    """
    by_value = {support.value: support for support in supports}
    for value, (first, second) in mixtures:
        one, other = by_value.get(first), by_value.get(second)
        if (one is None or other is None or min(one.score, other.score) < threshold
                or one.sentence == other.sentence or not together(one.sentence, other.sentence)):
            continue
        own = by_value.get(value)
        score = min(one.score, other.score)
        if own is None or own.score < score:
            by_value[value] = Support(value, score, f"{one.sentence} … {other.sentence}")
        del by_value[first], by_value[second]
    return list(by_value.values())


# A statement opening with one of these turns against the one before it in its sentence.
# Concessives ("although", "aunque", "embora") cut statements too (sentences.CONTRAST_CLAUSE),
# but the statement they open is the one that gives way, so they are not here.
CONTRAST_OPENING = re.compile(r"^\W*(?:but|yet|however|pero|sin embargo|mas|porem|porém|contudo|no entanto)\b",
                              re.IGNORECASE)


def contrast_wins(named: Sequence[str | None], parent: Sequence[int], sentence: Sequence[int],
                  statements: Sequence[str], unnamed: tuple = (None, ANY)) -> list[str | None]:
    """Per piece, the value its words name, with a statement's value dropped when a later
    statement of its sentence turns against it ("but ...") and names another value: "the
    agency wanted to judge it on jobs alone, but after the owners objected the scorecard
    also counts joint projects" is judged broadly. Pieces inherit their statement's fate.

    >>> contrast_wins(["hard", "broad", "hard"], [0, 1, 0], [0, 0, 0],
    ...               ["They wanted jobs alone,", "but the scorecard also counts trust."])
    [None, 'broad', None]
    >>> contrast_wins(["hard", "broad"], [0, 1], [0, 1], ["Jobs alone.", "But also trust."])
    ['hard', 'broad']
    """
    dropped = set()
    for later in range(1, len(statements)):
        if named[later] in unnamed or not CONTRAST_OPENING.match(statements[later]):
            continue
        dropped |= {earlier for earlier in range(later) if sentence[earlier] == sentence[later]
                    and named[earlier] not in unnamed and named[earlier] != named[later]}
    return [None if int(parent[index]) in dropped else value for index, value in enumerate(named)]
