"""Text analysis shared by indexing and querying: one analyzer, used everywhere.

Accents are folded *before* stemming, so "Criciuma" finds "Criciúma" and "resume"
finds "résumé"; English stop words are dropped; words are stemmed with the Snowball
English stemmer. The keyword index, the BM25 ranker and the query side all call
`make_analyzer`, so they can never disagree on what a term is.
"""

from __future__ import annotations

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.analyzers import Analyzer
from whoosh.support.charset import accent_map

# Whoosh's stop list is very short; these are the usual English function words.
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in
into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your
yours yourself yourselves may also us
""".split())


# Words, with inner dots kept (e.g. "e.g", "3.5"). Whoosh3's default pattern also
# keeps "*" for wildcards, which would index Markdown bold as "**free".
WORD_PATTERN = r"\w+(?:\.?\w+)*"


def make_analyzer() -> Analyzer:
    """The stemming analyzer for searchable text fields.

    >>> [t.text for t in make_analyzer()("Criciúma's ceramic tiles and the **résumé**")]
    ['criciuma', 'ceram', 'tile', 'resum']
    """
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS, minsize=2)
        | StemFilter(lang="en", cachesize=-1)
    )


def make_spelling_analyzer() -> Analyzer:
    """Unstemmed, accent-folded words: the vocabulary "did you mean" draws from.

    >>> [t.text for t in make_spelling_analyzer()("Criciúma tiles")]
    ['criciuma', 'tiles']
    """
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter(
        stoplist=STOP_WORDS, minsize=2
    )


def terms(analyzer: Analyzer, text: str) -> list[str]:
    """The analysed terms of `text`, duplicates kept, in order."""
    return [token.text for token in analyzer(text)]
