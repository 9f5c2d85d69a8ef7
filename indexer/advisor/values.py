"""Words that name one value of an attribute outright (issue 9): "under their own brand"
is a firm that owns its market, "for foreign brands" one whose buyers rule it. The model
hears "sells ... to hundreds of shops abroad" as global buyers whichever way the brand
goes; these words, data in kb/buyers_words.yaml, say which. Read as the other words are
(indexer/advisor/trends.py): the model says the statement is about the attribute, the
words which value it states."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from indexer.advisor.sentences import fold_for
from indexer.advisor.trends import ANY, folded_phrases, most_stated, read_words_file, stated

BUYERS_FILE = "kb/buyers_words.yaml"


@dataclass(frozen=True)
class ValueWords:
    """Per value and language (folded), the phrases that name the value."""

    attribute: str
    phrases: Mapping[str, Mapping[str, tuple[str, ...]]]  # value -> language -> phrases
    # Words of the topic (buyers, brands, shops, orders...): a statement with none of them
    # and no value's phrase states no value; one with them is left to the model.
    topic: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Values a statement states only through their own phrases, never by the model alone
    # ("a Dutch importer has asked for twice last year's order" is a buyer, not buyers
    # that rule the chain).
    needs_phrases: tuple[str, ...] = ()
    reads_gloss = True
    replaces_plainness = False

    @property
    def required(self) -> bool:
        """A statement needs a value's phrase or a topic word when topic words are given."""
        return bool(self.topic)

    @classmethod
    def from_mapping(cls, data: Mapping) -> "ValueWords":
        """Build from the mapping a values words file holds."""
        return cls(str(data["attribute"]),
                   {str(value): folded_phrases(languages) for value, languages in data["values"].items()},
                   folded_phrases(data.get("topic")), tuple(map(str, data.get("needs_phrases") or ())))

    def value_of(self, text: str, language: str = "en") -> str | None:
        """The value more of whose phrases the text holds, not negated just before them
        (None: none, or a tie).

        >>> words = ValueWords("buyers", {"own-markets": {"en": ("own brand",)},
        ...                               "global-buyers": {"en": ("foreign brands",)}})
        >>> [words.value_of(t) for t in ("They sell under their own brand.", "They sew for foreign brands.",
        ...                              "Not under their own brand.", "They met the mayor.")]
        ['own-markets', 'global-buyers', None, None]
        """
        folded = fold_for(text, language)
        value = most_stated(self.phrases, folded, language)
        if value is None and any(stated(word, folded) for word in self.topic.get(language, ())):
            return ANY
        return value


def load_value_words(root: Path) -> list[ValueWords]:
    """The values words files under `root` (none when the content has none)."""
    found = read_words_file(root / BUYERS_FILE, ValueWords.from_mapping, "attribute and values per language")
    return [found] if found is not None else []
