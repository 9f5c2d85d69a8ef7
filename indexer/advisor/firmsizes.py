"""Large firms named next to small ones (issue 9): a statement's firm structure, read
from its words because the sentence model averages the contrast away."""

from __future__ import annotations

import re

from indexer.advisor.sentences import fold, negates

# Firm structure is a contrast inside one statement ("three large groups and hundreds of
# small workshops"): the sentence model averages it into "small firms", so the statement's
# structure is read instead. A size word, up to three words, then a word for firms; or,
# as a Spanish or Portuguese gloss keeps the adjective after its noun, a word for firms
# then the size word ("duas fábricas grandes" glosses as "two factories large").
_FIRMS = (r"(?:firms?|compan(?:y|ies)|manufacturers?|makers?|producers?|factor(?:y|ies)|plants?|mills?|groups?|"
          r"corporations?|exporters?|enterprises?|businesses|workshops?|shops?|industr(?:y|ies)|suppliers?|"
          r"subcontractors?|ones)")
_LARGE_FIRMS = re.compile(rf"\b(?:(?:large|larger|largest|big|bigger|biggest|major|dominant)"
                          rf"(?:\s+(?!of\b)[\w-]+){{0,3}}?\s+{_FIRMS}|{_FIRMS}\s+(?:large|big)(?!\s+(?:number|share)))\b")
_SMALL_FIRMS = re.compile(rf"\b(?:smes|pymes|(?:small|smaller|micro|tiny|family)(?:\s+(?!of\b)[\w-]+){{0,3}}?\s+{_FIRMS}"
                          rf"|{_FIRMS}\s+(?:small|tiny))\b")


def names_large_and_small_firms(text: str) -> bool:
    """Does an affirmative statement (English, or an English gloss) name large firms and
    small ones side by side (Markusen's and the paper's large firms with SMEs, 288-290,
    975-978)?

    >>> names_large_and_small_firms("The district has three large eyewear groups and hundreds of small lens workshops.")
    True
    >>> names_large_and_small_firms("there is tres large manufacturers and hundreds of small garment workshops")
    True
    >>> names_large_and_small_firms("Mainly small and medium-sized firms, none of them very large.")
    False
    >>> names_large_and_small_firms("A large number of small workshops.")
    False
    >>> names_large_and_small_firms("the owner of a of the two factories large of the city; "
    ...                             "the others are some ninety carpentry shops and factories small")
    True
    >>> names_large_and_small_firms("the owner of the bigger weaving mill, and the rest are seventy weaving mills small")
    True
    """
    folded = fold(text)
    if negates(folded):
        return False
    return bool(_LARGE_FIRMS.search(folded)) and bool(_SMALL_FIRMS.search(folded))
