"""Which way a statement says business is going (issue 9): the direction of a trend,
read from its words, for attributes whose values are two directions of one topic
(pressure: under pressure or doing well, Figure 5; the life-cycle stage: growth or
decline). It also holds what every kind of steering words shares: folding their
phrases, finding a phrase not negated, reading their files, and `steer`.

The sentence model matches a statement's topic far better than its direction: "the
members' prices have fallen by a quarter" is as close to "sales have risen year after
year" as to "cheaper imports have taken away many of our customers", and "the smoke
houses sold almost a third less" is closer to the first. So the model says whether a
statement is about the trend at all, and the words say which way it goes: a measure
whose rise is good news (sales, orders, prices) or bad news (costs, imports) next to a
word of moving up or down, or news that needs no measure ("in crisis", "sold out").
The words are data, in kb/trend_words.yaml, for English and the two other languages
(a Spanish or Portuguese statement is read as written and in its English gloss).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Mapping, Sequence, TypeVar

import numpy as np
import yaml

from indexer.advisor.counts import compared_counts
from indexer.advisor.sentences import NEGATION_CUES, fold_for, word_pattern

T = TypeVar("T")
TREND_FILE = "kb/trend_words.yaml"
# The same reading for the life-cycle stage: more firms is growth, firms closing decline.
STAGE_FILE = "kb/stage_words.yaml"
# Words between a measure and its move ("prices have roughly fallen"), at most.
WINDOW = 4
# Single-word negation cues: one of these just before a move, or between it and its
# measure, leaves the pair unread ("sales have not fallen" says no direction for sure).
# Where a negation's reach ends, before a phrase.
NEGATION_STOP = re.compile(r"[:;]")
NEGATING = frozenset(cue for cue in NEGATION_CUES if " " not in cue and cue != "n't") | {"didn't", "haven't",
                                                                                          "hasn't", "don't"}
# Words from a move to a measure after it, at most: "queda forte nas encomendas" (the
# `adjacent` moves must be next to it: "a good part of the orders" is no move).
AFTER = 4
# A comparative after these words states a size ("with fewer than ten workers").
SIZE_BEFORE = frozenset({"with", "con", "com"})
# A move of a share is no move of the measure shared: "the winners pay a growing share
# of the costs" says nothing of costs rising.
SHARE = frozenset({"share", "proportion", "part", "parte", "proporcion", "proporcao", "porcentaje", "percentagem"})
# A quantity between a move and its measure is no words apart: "they have lost a good
# share of their orders" moves the orders ("a", "good", "share", "of", "their": QUANTITY).
QUANTITY_OPENING = frozenset({"a", "an", "uma", "um", "una", "un", "buena", "boa", "gran", "grande", "la"})
QUANTITY = SHARE | frozenset({"chunk", "portion", "slice", "third", "quarter", "half", "bulk", "much", "most",
                              "tercio", "mitad", "cuarto", "terco", "metade", "maioria", "mayoria", "pedazo"})
QUANTITY_LINK = frozenset({"of", "de", "do", "da", "dos", "das", "del"})
QUANTITY_DETERMINER = frozenset({"the", "their", "its", "our", "his", "her", "sus", "su", "los", "las", "el", "la",
                                 "seus", "suas", "seu", "sua", "os", "as", "o"})
SEGMENT = re.compile(r"[,;:()]| - | – ")
WORD = re.compile(r"[\w']+")


def past_quantity(tokens: Sequence[str], start: int) -> int:
    """Where the words after a move resume once a quantity opening them is passed (`start`
    when none): a move's measure is looked for from there.

    >>> tokens = "lost a good share of their orders".split()
    >>> tokens[past_quantity(tokens, 1)], past_quantity("lost orders".split(), 1)
    ('orders', 1)
    >>> tokens = "perderam boa parte das encomendas".split()
    >>> tokens[past_quantity(tokens, 1)]
    'encomendas'
    """
    index = start
    if index < len(tokens) and tokens[index] in QUANTITY_OPENING:
        index += 1
    if index + 1 < len(tokens) and tokens[index] not in QUANTITY and tokens[index + 1] in QUANTITY:
        index += 1  # one adjective: "a good share", "a large part"
    if index >= len(tokens) or tokens[index] not in QUANTITY:
        return start
    index += 1
    if index >= len(tokens) or tokens[index] not in QUANTITY_LINK:
        return start
    index += 1
    if index < len(tokens) and tokens[index] in QUANTITY_DETERMINER:
        index += 1
    return index


@dataclass(frozen=True)
class TrendWords:
    """The words of a trend, per language (folded): measures whose rise is good or bad
    news, words of moving up or down, and news that needs no measure."""

    attribute: str
    good_value: str
    bad_value: str
    good_measures: Mapping[str, frozenset[str]]
    bad_measures: Mapping[str, frozenset[str]]
    up: Mapping[str, frozenset[str]]
    down: Mapping[str, frozenset[str]]
    good_news: Mapping[str, tuple[str, ...]]
    bad_news: Mapping[str, tuple[str, ...]]
    # Moves that pair with a measure after them only right next to it: "good prices", not
    # "a good part of the orders"; "more orders", not "more than forty firms export".
    adjacent: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Measures of another topic: a move whose object is one of them is not about this
    # file's measures ("the factories lost much of their orders" is no factory lost).
    other_measures: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Counts compared over time say which way the file's measure goes whatever noun they
    # count, unless it is another topic's ("forty olive mills then, eleven today").
    counts_any_noun: bool = False
    # Moves that are also a trip ("suben los compradores": the buyers come up) are no move
    # of a measure that counts people.
    travel: Mapping[str, frozenset[str]] = field(default_factory=dict)
    people: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # A Spanish or Portuguese statement is read in its English gloss too ("venderam quase
    # um terço menos": "sold almost a third less").
    reads_gloss = True
    replaces_plainness = False
    # A statement whose words name no direction supports no value (True) or neither of
    # the two directions (`required: directions` in the file): by meaning alone a trip's
    # cost read as pressure, and firms changing hands as growth, while a mature cluster
    # is stated in other words than a direction's.
    required: bool | tuple[str, ...] = False
    # Values other than the two directions, named by phrases (value -> language ->
    # phrases): a mature cluster is stated in words of habit or stagnation ("slow to
    # change", "ya no crece"), and by meaning alone "demand is growing fast" read as mature.
    named: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping) -> "TrendWords":
        """Build from the mapping kb/trend_words.yaml holds."""
        def words(section: Mapping | None) -> dict[str, frozenset[str]]:
            return {language: frozenset(fold_for(str(word), language) for word in items or ())
                    for language, items in (section or {}).items()}

        return cls(str(data["attribute"]), str(data["good"]), str(data["bad"]),
                   words(data["measures"]["good"]), words(data["measures"]["bad"]),
                   words(data["moves"]["up"]), words(data["moves"]["down"]),
                   folded_phrases(data["news"]["good"]), folded_phrases(data["news"]["bad"]),
                   words(data["moves"].get("adjacent")),
                   other_measures=words(data["measures"].get("other")),
                   counts_any_noun=bool(data.get("counts_any_noun")),
                   travel=words(data["moves"].get("travel")), people=words(data["measures"].get("people")),
                   required=_required(data.get("required", False), str(data["good"]), str(data["bad"])),
                   named={str(value): folded_phrases(languages) for value, languages in (data.get("named") or {}).items()})

    def direction(self, text: str, language: str = "en") -> int:
        """+1 when the text says business goes well, -1 when badly, 0 when it says
        neither or both. `text` is as written; its `language`'s words are looked for.

        >>> words = TrendWords.from_mapping({"attribute": "pressure", "good": "doing-well", "bad": "under-pressure",
        ...     "measures": {"good": {"en": ["sales", "prices"]}, "bad": {"en": ["costs"]}},
        ...     "moves": {"up": {"en": ["rose", "up", "doubled"]}, "down": {"en": ["fallen", "falling", "down"]}},
        ...     "news": {"good": {"en": ["sold out"]}, "bad": {"en": ["in crisis"]}}})
        >>> [words.direction(t) for t in ("The members' prices have fallen by a quarter.", "Sales rose.",
        ...     "Costs are up.", "Sales are down, costs are up.", "Sales have not fallen.", "The harvest is sold out.",
        ...     "The branch is in crisis, but prices doubled.", "They met the mayor.", "Falling sales.",
        ...     "They set up a joint sales office.", "Prices are ever more down.")]
        [-1, 1, -1, -1, 0, 1, 0, 0, -1, 0, -1]
        """
        folded = fold_for(text, language)
        votes = set()
        for segment in SEGMENT.split(folded):
            tokens = WORD.findall(segment)
            votes |= self._pairs(tokens, language)
        for sign, news in ((1, self.good_news), (-1, self.bad_news)):
            if any(stated(phrase, folded) for phrase in news.get(language, ())):
                votes.add(sign)
        votes |= self._compared(text, language)
        return votes.pop() if len(votes) == 1 else 0

    def _compared(self, text: str, language: str) -> set[int]:
        """The directions of the counts the text compares over time (indexer/advisor/counts.py),
        judged by the first measure among the words next to them: "of fourteen glass works
        four remain" is fewer firms."""
        good, bad = self.good_measures.get(language, frozenset()), self.bad_measures.get(language, frozenset())
        votes = set()
        other = self.other_measures.get(language, frozenset())
        for move, nearby in compared_counts(text, language):
            measure = next((word for word in nearby if word in good | bad | other), None)
            if measure is not None and measure not in other:
                votes.add(move if measure in good else -move)
            elif measure is None and self.counts_any_noun:
                votes.add(move)
        return votes

    def _pairs(self, tokens: Sequence[str], language: str) -> set[int]:
        """The directions of the measure-and-move pairs among one segment's tokens: each
        move with its nearest measure (one before it first: "sales fell"; else one after:
        "falling sales")."""
        good, bad = self.good_measures.get(language, frozenset()), self.bad_measures.get(language, frozenset())
        up, down = self.up.get(language, frozenset()), self.down.get(language, frozenset())
        adjacent = self.adjacent.get(language, frozenset())
        other = self.other_measures.get(language, frozenset())
        votes = set()
        for index, token in enumerate(tokens):
            move = 1 if token in up else -1 if token in down else 0
            # In "más bajos" (lower) the second word is the move; "workshops with fewer than
            # ten" is a size, no move; nor is "a growing share of the costs".
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if not move or following in up | down or following in SHARE or (index and tokens[index - 1] in SIZE_BEFORE):
                continue
            before = [i for i in range(max(0, index - WINDOW - 1), index) if tokens[i] in good | bad]
            # A move before its measure is an adjective or a noun next to it ("falling sales",
            # "queda nas vendas"); "up" only follows its measure ("set up a sales office").
            reach = 2 if token in adjacent else AFTER + 1
            opening = past_quantity(tokens, index + 1) - 1
            after = [i for i in range(index + 1, min(len(tokens), opening + reach))
                     if tokens[i] in good | bad | other and token != "up"]
            if after and tokens[after[0]] in other:
                continue
            if before:
                measure = before[-1]
                span = tokens[max(0, measure - 2):index]
            elif after:
                measure = after[0]
                span = tokens[max(0, index - 2):measure]
            else:
                continue
            if NEGATING & set(span) or (token in self.travel.get(language, ())
                                        and tokens[measure] in self.people.get(language, ())):
                continue
            votes.add(move if tokens[measure] in good else -move)
        return votes

    def value_of(self, text: str, language: str = "en") -> str | None:
        """The attribute's value the text's direction names, or else one of the `named`
        values its phrases state (None: neither).

        >>> words = TrendWords.from_mapping({"attribute": "stage", "good": "growth", "bad": "decline",
        ...     "measures": {"good": {"en": ["firms"]}, "bad": {}}, "moves": {"up": {"en": ["more"]}, "down": {}},
        ...     "news": {"good": {}, "bad": {}}, "named": {"maturity": {"en": ["slow to change"]}}})
        >>> [words.value_of(t) for t in ("More firms.", "The bell founders are slow to change.", "Bells.")]
        ['growth', 'maturity', None]
        """
        direction = self.direction(text, language)
        if direction:
            return self.good_value if direction > 0 else self.bad_value
        return most_stated(self.named, fold_for(text, language), language) if self.named else None


# A statement's words may name no value and still be what the attribute needs (the
# verb of leading for the body that leads): `steer` keeps such a statement's support.
ANY = "*"


def steer(support: np.ndarray, values: Sequence[str], named: Sequence[str | None],
          bonus: float = 0.0, required: bool | Collection[str] = False,
          lift: tuple[float, float] | None = None) -> np.ndarray:
    """Statements x values support (-1: none) with each statement whose words name a
    value supporting that value only, as strongly as it supported any value of the
    attribute: the model said what the statement is about, the words say which way it
    goes. Statements naming no value (None) keep their support, or lose it when the
    words are `required` (True: for every value; a collection: for those values only);
    those whose words name ANY keep it as it is. With `lift` (low, to), a statement
    whose words name a value and whose support is at least `low` supports it at least
    `to`.

    >>> steer(np.array([[0.43, 0.41], [0.5, -1.0], [-1.0, -1.0]]), ("doing-well", "under-pressure"),
    ...       ["under-pressure", None, "doing-well"]).tolist()
    [[-1.0, 0.43], [0.5, -1.0], [-1.0, -1.0]]
    >>> steer(np.array([[0.43, 0.41], [0.5, -1.0]]), ("doing-well", "under-pressure"),
    ...       ["under-pressure", None], required=True).tolist()
    [[-1.0, 0.43], [-1.0, -1.0]]
    >>> steer(np.array([[0.5, 0.45]]), ("growth", "maturity"), [None], required=("growth",)).tolist()
    [[-1.0, 0.45]]
    >>> steer(np.array([[0.3, -1.0], [0.2, -1.0]]), ("doing-well", "under-pressure"),
    ...       ["under-pressure", "under-pressure"], lift=(0.25, 0.42)).tolist()
    [[-1.0, 0.42], [-1.0, 0.2]]
    """
    steered = support.astype(np.float64)  # a lift to a threshold must reach it exactly
    column = {value: index for index, value in enumerate(values)}
    unnamed = np.array([value is None for value in named], dtype=bool)
    if required is True:
        steered[unnamed] = -1.0
    elif required:
        for value in required:
            if value in column:
                steered[unnamed, column[value]] = -1.0
    for row, value in enumerate(named):
        best = float(support[row].max()) if support.shape[1] else -1.0
        if value in column and best > -1.0 and value != ANY:
            steered[row] = -1.0
            steered[row, column[value]] = best + bonus
            if lift is not None and best >= lift[0]:
                steered[row, column[value]] = max(best + bonus, lift[1])
    return steered


def _required(raw, good: str, bad: str) -> bool | tuple[str, ...]:
    """The `required` setting of a trend words file: true, false, `directions`, or a list
    of the values that need words."""
    if raw == "directions":
        return (good, bad)
    if isinstance(raw, list):
        return tuple(str(value) for value in raw)
    if isinstance(raw, bool):
        return raw
    raise TypeError(f"required must be true, false, directions or a list of values, not {raw!r}")


def folded_phrases(section: Mapping | None) -> dict[str, tuple[str, ...]]:
    """{language: phrases} folded as the reader folds statements, longest first.

    >>> folded_phrases({"pt": ["Está fechada", "fechou"]})
    {'pt': ('está fechada', 'fechou')}
    """
    return {str(language): tuple(sorted({fold_for(str(p), str(language)) for p in items or ()}, key=len, reverse=True))
            for language, items in (section or {}).items()}


def most_stated(phrases: Mapping[str, Mapping[str, tuple[str, ...]]], folded: str, language: str) -> str | None:
    """The value (of value -> language -> phrases) more of whose phrases `folded` states;
    None when none is stated or two tie.

    >>> most_stated({"a": {"en": ("own brand",)}, "b": {"en": ("foreign brands", "chains")}},
    ...             "own brand, not foreign brands", "en")
    'a'
    """
    counts = {value: sum(stated(phrase, folded) for phrase in languages.get(language, ()))
              for value, languages in phrases.items()}
    ranked = sorted(((count, value) for value, count in counts.items() if count), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


def stated(phrase: str, folded: str) -> bool:
    """Does `folded` hold the phrase as whole words, with no negation just before it?

    >>> stated("own brand", "they sell under their own brand."), stated("own brand", "not under their own brand.")
    (True, False)
    >>> stated("biggest problem", "they hid nothing: the biggest problem is the state.")
    True
    """
    for match in word_pattern(phrase).finditer(folded):
        # The three words before it, as the rules' phrases are read (rules.find_phrase),
        # within its clause: a negation before a colon does not reach past it.
        before = NEGATION_STOP.split(folded[max(0, match.start() - 30):match.start()])[-1]
        if not NEGATING & set(WORD.findall(before)[-3:]):
            return True
    return False


def read_words_file(path: Path, build: Callable[[Mapping], T], expected: str) -> T | None:
    """`build` applied to the YAML mapping at `path`; None when there is no such file. A
    file that is not YAML or lacks a key raises ValueError naming the file and `expected`."""
    if not path.exists():
        return None
    try:
        return build(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: expected {expected} ({error})") from error


def load_trend_words(root: Path, name: str = TREND_FILE) -> TrendWords | None:
    """The trend words file `name` under `root`, or None when the content has none."""
    return read_words_file(root / name, TrendWords.from_mapping,
                           "attribute, good, bad, measures.good/bad, moves.up/down and news.good/bad")
