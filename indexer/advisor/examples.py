"""The data the advisor reads descriptions with: example sentences per attribute value
(kb/attribute_examples.yaml) and the Spanish/Portuguese glossary (kb/description_lexicon.yaml).

Loading is plain file reading; nothing here touches the model. The examples' embeddings
are computed on first use by `embed_examples`, once per process and model.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import yaml

from indexer.advisor.sentences import KEPT_ACCENTS, fold, fold_for, negates

EXAMPLES_FILE = "kb/attribute_examples.yaml"
LEXICON_FILE = "kb/description_lexicon.yaml"


@dataclass(frozen=True)
class Example:
    """One example sentence: the value it supports (None: a contrast that supports nothing)."""

    text: str
    value: str | None
    contrast_for: str | None  # the value this sentence is a contrast to, if it is one
    lang: str
    negated: bool


@dataclass(frozen=True)
class AttributeExamples:
    """The examples of one attribute, all values together."""

    attribute: str
    is_list: bool
    values: tuple[str, ...]
    examples: tuple[Example, ...]
    threshold: float | None = None  # a stricter similarity this attribute needs (None: the reader's)
    # Values that are two others at once: "mixed" is some firms cooperative, others not.
    mixtures: tuple[tuple[str, tuple[str, str]], ...] = ()


@dataclass(frozen=True)
class ExampleBank:
    """Every attribute's examples, and the texts in one order for one encoding batch."""

    attributes: dict[str, AttributeExamples]
    texts: tuple[str, ...] = field(default=())
    # Statements that say nothing any attribute asks ("a new programme for the region"),
    # after the attributes' examples in `texts`.
    neutral: tuple[Example, ...] = ()

    def neutral_rows(self) -> range:
        """The rows of `texts` that hold the neutral statements."""
        return range(len(self.texts) - len(self.neutral), len(self.texts))

    def rows(self, attribute: str) -> range:
        """The rows of `texts` (and of the embedding matrix) that belong to `attribute`."""
        start = 0
        for name, entry in self.attributes.items():
            if name == attribute:
                return range(start, start + len(entry.examples))
            start += len(entry.examples)
        raise KeyError(attribute)


def load_examples(root: Path, valid: Callable[[str, str], bool]) -> ExampleBank:
    """Read the example sentences of the attributes and values `valid(attribute, value)`
    accepts (values the vocabulary does not know are left out). A missing file: no examples."""
    path = root / EXAMPLES_FILE
    if not path.exists():
        return ExampleBank({})
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    attributes: dict[str, AttributeExamples] = {}
    for attribute, spec in (data.get("attributes") or {}).items():
        values = tuple(value for value in (spec.get("values") or {}) if valid(attribute, value))
        if not values:
            continue
        examples: list[Example] = []
        for value in values:
            entry = spec["values"][value]
            for example in entry.get("examples") or []:
                examples.append(_example(example, value, None))
            for example in entry.get("contrast") or []:
                means = example.get("means")
                # `means: other_attribute.value` supports a value elsewhere: here it is only a contrast.
                supported = means if means in values else None
                examples.append(_example(example, supported, value))
        threshold = spec.get("threshold")
        mixtures = tuple((value, tuple(spec["values"][value]["mix_of"])) for value in values
                         if spec["values"][value].get("mix_of"))
        attributes[attribute] = AttributeExamples(attribute, bool(spec.get("list")), values, tuple(examples),
                                                  float(threshold) if threshold is not None else None, mixtures)
    neutral = tuple(_example(example, None, None) for example in data.get("neutral") or [])
    texts = tuple(example.text for entry in attributes.values() for example in entry.examples)
    return ExampleBank(attributes, texts + tuple(example.text for example in neutral), neutral)


def _example(raw: Mapping, value: str | None, contrast_for: str | None) -> Example:
    text, language = str(raw["text"]), str(raw.get("lang", "en"))
    return Example(text, value, contrast_for, language, negates(text, language))


@dataclass(frozen=True)
class Lexicon:
    """Per language, one pattern of all the glossary's phrases (longest first) and each
    phrase's English."""

    entries: dict[str, tuple[re.Pattern, dict[str, str]]]

    def gloss(self, sentence: str, language: str) -> str:
        """The sentence with the glossary's phrases put into English ('' when none applies).
        One pass, leftmost and longest phrase first: an English gloss is never glossed
        again (Portuguese "no" is "in the", and must not turn "there is no" into
        "there is in the").

        >>> lexicon = Lexicon.from_mapping({"es": {"no confian": "do not trust", "talleres": "workshops"}})
        >>> lexicon.gloss("Los talleres no confían entre sí.", "es")
        'los workshops do not trust entre si.'
        >>> Lexicon.from_mapping({"pt": {"nao ha": "there is no", "no": "in the"}}).gloss("Não há no polo", "pt")
        'there is no in the polo'
        >>> lexicon.gloss("Nothing to gloss.", "es")
        ''
        >>> Lexicon.from_mapping({"pt": {"e": "and", "é": "is"}}).gloss("O preço é alto e sobe.", "pt")
        'o preco is alto and sobe.'
        """
        entry = self.entries.get(language)
        if not entry:
            return ""
        pattern, english = entry
        text = fold_for(sentence, language)
        count = 0

        def english_of(match: re.Match) -> str:
            nonlocal count
            found = english.get(match.group(0))
            if found is None:  # a listed phrase may gloss to nothing ("se")
                found = _inflected(match.group(0), english)
            count += found is not None
            return found if found is not None else match.group(0)
        glossed = pattern.sub(english_of, text)
        return glossed if count else ""

    @classmethod
    def from_mapping(cls, data: Mapping) -> "Lexicon":
        """Build from {language: {phrase: gloss}}."""
        entries = {}
        for language, phrases in (data or {}).items():
            language = str(language)
            english = {fold_for(str(p), language): str(g) for p, g in (phrases or {}).items()}
            # A phrase is found with or without a kept accent ("está en crisis" and "esta en crisis").
            accented = {fold(word): word for word in KEPT_ACCENTS.get(language, ())}
            for phrase, gloss in (phrases or {}).items():
                folded = fold(str(phrase))
                english.setdefault(folded, str(gloss))
                english.setdefault(" ".join(accented.get(word, word) for word in folded.split(" ")), str(gloss))
            if not english:
                continue
            ordered = sorted(english, key=len, reverse=True)
            # Every other word is matched too, for the inflections of listed words (_inflected).
            pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)|[^\W\d_]+")
            entries[str(language)] = (pattern, english)
        return cls(entries)


def _inflected(word: str, english: Mapping[str, str]) -> str | None:
    """The English of a future-tense verb, a plural or a regular verb form whose
    infinitive or singular the glossary lists (folded Spanish and Portuguese):
    "financiara" (financiará) is "will fund" when "financiar" is "fund". None for any
    other word.

    >>> _inflected("financiara", {"financiar": "fund"}), _inflected("financiaran", {"financiar": "fund"})
    ('will fund', 'will fund')
    >>> _inflected("cooperativas", {"cooperativa": "cooperative"}), _inflected("polo", {"financiar": "fund"})
    ('cooperative', None)
    >>> _inflected("venden", {"vender": "sell"}), _inflected("partilham", {"partilhar": "share"})
    ('sell', 'share')
    """
    for ending, cut in (("aran", 3), ("eran", 3), ("iran", 3), ("ara", 2), ("era", 2), ("ira", 2)):
        if word.endswith(ending) and (infinitive := english.get(word[:-cut] + "r")) is not None:
            return "will " + infinitive.removeprefix("to ")
    for cut in (1, 2):
        if len(word) > 4 and word.endswith("es"[2 - cut:]) and (singular := english.get(word[:-cut])) is not None:
            return singular
    if len(word) > 4:
        for ending, infinitives in CONJUGATIONS:
            if word.endswith(ending):
                stem = word[:-len(ending)]
                found = next((english[stem + infinitive] for infinitive in infinitives
                              if stem + infinitive in english), None)
                if found is not None:
                    return found.removeprefix("to ")
    return None


# Regular Spanish and Portuguese verb endings (folded), longest first, with the
# infinitive endings they come from: "venden" is "vender", "partilham" "partilhar".
CONJUGATIONS = (
    ("ieron", ("er", "ir")), ("aron", ("ar",)), ("aram", ("ar",)), ("eram", ("er",)), ("iram", ("ir",)),
    ("iendo", ("er", "ir")), ("ando", ("ar",)), ("endo", ("er",)), ("indo", ("ir",)),
    ("aban", ("ar",)), ("avam", ("ar",)), ("ados", ("ar",)), ("adas", ("ar",)), ("idos", ("er", "ir")),
    ("idas", ("er", "ir")), ("aba", ("ar",)), ("ava", ("ar",)), ("ado", ("ar",)), ("ada", ("ar",)),
    ("ido", ("er", "ir")), ("ida", ("er", "ir")), ("ian", ("er", "ir")), ("iam", ("er", "ir")),
    ("an", ("ar",)), ("en", ("er", "ir", "ar")), ("am", ("ar",)), ("em", ("er", "ir")),
    ("ou", ("ar",)), ("eu", ("er",)), ("iu", ("ir",)), ("io", ("er", "ir")),
    ("a", ("ar",)), ("e", ("er", "ir", "ar")),
)


def load_lexicon(root: Path) -> Lexicon:
    """The glossary; a missing file means no glossing."""
    path = root / LEXICON_FILE
    if not path.exists():
        return Lexicon({})
    return Lexicon.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


@dataclass(frozen=True, eq=True)
class _EmbeddingRequest:
    """What the embeddings depend on: the model (by its vector of a fixed probe) and the texts."""

    model_key: str
    texts_key: str
    texts: tuple[str, ...] = field(compare=False, hash=False)
    encode_many: Callable = field(compare=False, hash=False)


# A memo, not shared state: the same model and texts always give the same matrix. Kept
# per process because an Advisor is rebuilt for every index generation, and encoding
# the ~700 examples takes seconds.
@functools.lru_cache(maxsize=4)
def _embed(request: _EmbeddingRequest) -> np.ndarray:
    matrix = np.asarray(request.encode_many(list(request.texts)), dtype=np.float32)
    matrix.setflags(write=False)
    return matrix


def embed_examples(bank: ExampleBank, encode_many: Callable[[list[str]], np.ndarray],
                   probe_vector: np.ndarray) -> np.ndarray:
    """The examples' embeddings (one row per `bank.texts`), computed once per process and model."""
    if not bank.texts:
        return np.zeros((0, len(probe_vector)), dtype=np.float32)
    model_key = hashlib.sha1(np.round(np.asarray(probe_vector, dtype=np.float32), 4).tobytes()).hexdigest()
    texts_key = hashlib.sha1("\n".join(bank.texts).encode("utf-8")).hexdigest()
    return _embed(_EmbeddingRequest(model_key, texts_key, bank.texts, encode_many))


def language_baselines(matrix: np.ndarray, languages: np.ndarray) -> dict[str, float]:
    """Per language, the mean cosine between two different example sentences of it.

    >>> matrix = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]])
    >>> baselines = language_baselines(matrix, np.array(["en", "en", "es", "es"]))
    >>> round(baselines["en"], 2), round(baselines["es"], 2)
    (0.0, 0.96)
    """
    baselines = {}
    for language in sorted(set(languages.tolist())):
        rows = matrix[languages == language]
        count = len(rows)
        if count < 2:
            continue
        total = rows.sum(axis=0)
        # Sum over ordered pairs i != j of v_i . v_j = |sum v|^2 - sum |v_i|^2.
        pairs = float(total @ total) - float((rows * rows).sum())
        baselines[language] = pairs / (count * (count - 1))
    return baselines


def known_words(bank: ExampleBank, lexicon: Lexicon) -> frozenset[str]:
    """The folded words of the example sentences and of the glossary (both sides): the
    words a description shares with what the reader knows, as opposed to names.

    >>> bank = ExampleBank({"driver": AttributeExamples("driver", False, ("public",),
    ...                     (Example("The Ministry leads.", "public", None, "en", False),))})
    >>> sorted(known_words(bank, Lexicon.from_mapping({"es": {"alcaldía": "town hall"}})))
    ['alcaldia', 'hall', 'leads', 'ministry', 'the', 'town']
    """
    texts = [example.text for entry in bank.attributes.values() for example in entry.examples]
    for _, english in lexicon.entries.values():
        texts += [*english, *english.values()]
    return frozenset(word for text in texts for word in re.findall(r"[^\W\d_]+", fold(text)))
