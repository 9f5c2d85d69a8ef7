"""Whether a statement says somebody leads, drives or pays for the initiative (issue 9).

A body named in a first note is often only a place or a host: "the chamber of commerce
has lent us its meeting room", "the câmara municipal's great hall". The sentence model
reads such a statement as the chamber or the town hall leading, because it hears who is
named, not what they do. So the leading body and the driver are read by meaning only
from a statement whose words say someone leads, runs, coordinates, drives, proposes,
wants or pays for it; the verbs are data, in kb/leading_words.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml

from indexer.advisor.sentences import fold_for
from indexer.advisor.trends import ANY

LEADING_FILE = "kb/leading_words.yaml"


@dataclass(frozen=True)
class LeadingWords:
    """Per language (folded), the phrases of leading, for one attribute."""

    attribute: str
    phrases: Mapping[str, re.Pattern]
    reads_gloss = True
    required = True
    # "El municipio liderará el programa" is as near to "a programme for the region" as
    # to any lead's example; the verb of leading says it is not plain.
    replaces_plainness = True

    def value_of(self, text: str, language: str = "en") -> str | None:
        """ANY when the text says someone leads (any value may hold), else None.

        >>> words = LeadingWords.from_phrases("lead_body", {"en": ["leads", "will lead"]})
        >>> words.value_of("The chamber leads the initiative."), words.value_of("The chamber lent us a room.")
        ('*', None)
        """
        pattern = self.phrases.get(language)
        return ANY if pattern is not None and pattern.search(fold_for(text, language)) else None

    @classmethod
    def from_phrases(cls, attribute: str, phrases: Mapping[str, list]) -> "LeadingWords":
        """One attribute's words from {language: phrases}."""
        patterns = {}
        for language, items in phrases.items():
            folded = sorted({fold_for(str(item), language) for item in items or ()}, key=len, reverse=True)
            if folded:
                patterns[language] = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, folded))})(?!\w)")
        return cls(attribute, patterns)


def load_leading_words(root: Path) -> list[LeadingWords]:
    """One LeadingWords per attribute kb/leading_words.yaml names (none without the file)."""
    path = root / LEADING_FILE
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return [LeadingWords.from_phrases(str(attribute), data["phrases"]) for attribute in data["attributes"]]
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: expected attributes and phrases per language ({error})") from error
