"""Portuguese and Spanish queries in the English casebase: a query's domain words are
glossed into English with kb/search_lexicon.yaml before the search (issue 13).

Why here and not in a model: the bundled sentence model is English-only and no
multilingual model ships with its weights in a package here. Phrases match case- and
accent-insensitively on whole words, longest first; words not in the lexicon pass
through, so an English query is searched unchanged.

The service object glosses every search it is asked for in any language
(`Casebase.search_any_language`), so the web pages, the API and the CLI gloss alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

LEXICON_FILE = "kb/search_lexicon.yaml"
LANGUAGES = ("pt", "es")
MIN_CORRECTED = 5  # letters a word needs before it is corrected towards the lexicon
# Portuguese and Spanish function words, dropped from a query that was glossed (they
# would otherwise be searched as English words: "de", "entre").
FUNCTION_WORDS = frozenset("""a as o os um uma uns umas de da do das dos e em na no nas nos para com sem por
que entre el la los las un una unos unas del al y en con sin por para que entre""".split())


def fold(text: str) -> str:
    """Lower case without accents: 'Calçados' -> 'calcados'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Gloss:
    """A query as typed, as searched, and the (phrase, English) pairs that were glossed."""

    original: str
    english: str
    glossed: tuple[tuple[str, str], ...]

    @property
    def changed(self) -> bool:
        """True when some words were read as Portuguese or Spanish."""
        return bool(self.glossed)

    @property
    def notice(self) -> str:
        """What was searched, for the person who typed the query.

        >>> Gloss("móveis", "furniture", (("móveis", "furniture"),)).notice
        'Searched in English for: móveis → furniture'
        """
        return "Searched in English for: " + ", ".join(f"{typed} → {english}" for typed, english in self.glossed)


class Lexicon:
    """Folded phrase -> English, from both languages, matched longest first."""

    def __init__(self, entries: dict[str, str]):
        self.entries = {fold(phrase): english for phrase, english in entries.items()}
        self.originals = tuple(entries)
        phrases = sorted(self.entries, key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, phrases)) + r")(?!\w)") if phrases else None

    @classmethod
    def load(cls, root: Path) -> "Lexicon":
        """The lexicon of a content folder; an absent file is an empty lexicon (nothing glossed)."""
        path = Path(root) / LEXICON_FILE
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries: dict[str, str] = {}
        for language in LANGUAGES:
            for phrase, english in (data.get(language) or {}).items():
                entries[str(phrase)] = str(english)
        return cls(entries)

    def words(self) -> set[str]:
        """Every folded single word of the lexicon's phrases (for spelling that knows them)."""
        return {word for phrase in self.entries for word in phrase.split()}

    def correction(self, query: str) -> str | None:
        """The query with a misspelt Portuguese or Spanish word of the lexicon spelt
        right ("calcdos" -> "calçados"), or None when no word is one or two edits (a swap of neighbours counts as one) from
        one; offered as "did you mean" so that the speller's English guesses ("moves"
        for "móveis") do not stand alone. Short words are left alone: too many near misses."""
        spelt = {}
        for phrase in self.originals:
            if " " not in phrase:
                spelt.setdefault(fold(phrase), phrase)
        changed, words = False, []
        for word in query.split():
            folded = fold(word)
            if len(folded) >= MIN_CORRECTED and folded not in self.entries:
                limit = 1 if len(folded) < 8 else 2
                best = process.extractOne(folded, list(spelt), scorer=OSA.distance,
                                          score_cutoff=limit)
                if best is not None:
                    word, changed = spelt[best[0]], True
            words.append(word)
        return " ".join(words) if changed else None

    def gloss(self, query: str) -> Gloss:
        """The query with its Portuguese and Spanish phrases in English. Quoted phrases
        and English words are kept; the glossed words are listed for the notice."""
        if self.pattern is None:
            return Gloss(query, query, ())
        folded = fold(query)
        if len(folded) != len(query):  # a character that folds to several: keep the query as typed
            return Gloss(query, query, ())
        pieces, glossed, last = [], [], 0
        for match in self.pattern.finditer(folded):
            english = self.entries[match.group(1)]
            pieces.append(query[last:match.start()])
            pieces.append(english)
            if fold(english) != match.group(1):
                glossed.append((query[match.start():match.end()], english))
            last = match.end()
        pieces.append(query[last:])
        english_query = " ".join(word for word in "".join(pieces).split() if fold(word) not in FUNCTION_WORDS)
        return Gloss(query, english_query if glossed else query, tuple(glossed))
