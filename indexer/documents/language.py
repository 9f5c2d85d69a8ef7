"""A small guess of a document's language (English, Portuguese or Spanish) from its
most common short words.

Stop words tell these three languages apart well on a few hundred words of running
text, which every proposal or report has; a text with too few of them (a table, a
list of names) gets "" (not known), which the user can correct. No model is needed.
The advisor's `language_of` (sentences.py) always answers, for one statement's glosses;
a document's language is shown and filtered on, so a doubt here stays "".
"""

from __future__ import annotations

import re
from collections import Counter

# Frequent function words, each typical of one language. Words of two of them ("de",
# "a", "que", Portuguese "o" (the) and Spanish "o" (or), "no") are left out: they tell nothing.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in is that for it with as was on are be by this which from have not "
                    "or an were been has their its they at will would".split()),
    "pt": frozenset("não uma do da dos das em na nos nas para com são foi ao aos pelo pela mais "
                    "também está isso como entre seu sua ou muito já".split()),
    "es": frozenset("el los las del y en un una por con para es son fue al más también está esto como "
                    "entre su sus muy ya lo".split()),
}
# Words of both Portuguese and Spanish lists count for neither.
_SHARED = STOP_WORDS["pt"] & STOP_WORDS["es"]
# At least this many stop words, and the winner this share of them, or the guess is "".
MIN_HITS = 8
MIN_SHARE = 0.5
# The first characters suffice; a 200-page report need not be counted whole.
SAMPLE_CHARS = 50_000
WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str) -> str:
    """"en", "pt" or "es" when the text's stop words clearly say so, else "".

    >>> guess_language("The cluster of furniture makers was formed in 1998 by the firms and the "
    ...                "association, which is still active in the region and has been a model for others.")
    'en'
    >>> guess_language("O arranjo produtivo não tem uma associação forte; as empresas do setor "
    ...                "também são pequenas e estão muito dispersas pela região, como nos outros polos.")
    'pt'
    >>> guess_language("El clúster de los muebles fue creado por las empresas del valle, con el apoyo "
    ...                "de una cámara que también es muy activa en la región y entre sus socios.")
    'es'
    >>> guess_language("Table 3: 1998 2002 2006"), guess_language("")
    ('', '')
    """
    counts: Counter[str] = Counter()
    for word in WORD.findall(text[:SAMPLE_CHARS].lower()):
        if word in _SHARED:
            continue
        for language, words in STOP_WORDS.items():
            if word in words:
                counts[language] += 1
    total = sum(counts.values())
    if total < MIN_HITS:
        return ""
    language, hits = counts.most_common(1)[0]
    return language if hits / total >= MIN_SHARE else ""
