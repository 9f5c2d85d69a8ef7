"""The sectors a description names ("the shoe makers of the valley", "os produtores de
calçados"), read by phrase from the vocabulary's sector labels and `words`.

A sector is a plain fact of a description, not a judgement: no model is needed, and a
named sector lets the advisor say when the library holds no case of it. The most
specific sector named wins over its ancestors ("footwear" over "leather and footwear");
broad sectors without parents (manufacturing, services) are read only through their
`words`, since "manufacturing firms" says little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from indexer.advisor.sentences import fold

# Sector keys that name no sector of their own.
NOT_A_SECTOR = frozenset({"multi-sector"})
# A first note tells of the coffee served at the meeting ("com café e uns doces", "over
# a cup of tea"): a drink or food served or taken names no sector. Folded.
REFRESHMENTS = frozenset({"coffee", "cafe", "cafezinho", "tea", "te", "cha", "fruit", "fruta", "frutas", "honey",
                          "mel", "miel", "wine", "vino", "vinho", "beer", "cerveja", "cerveza", "cider"})
# ("um café especial" may be the growers' own: an article alone is no serving.)
SERVED_BEFORE = re.compile(r"(?:\b(?:with|com|con|over|served|drank|tomamos|bebemos|"
                           r"tomando|bebendo|tomar|beber|cup of|cups of|glass of|taza de|xicara de|copo de|"
                           r"vaso de|copa de|taca de)\s+)$")


def plurals(word: str) -> tuple[str, ...]:
    """A folded word and its regular plurals: "-s" always, "-es" after a consonant only
    (Spanish "motor, motores"). After a vowel "-es" makes other words: "aço" (steel)
    folds to "aco", and "acoes" is "ações" (actions).

    >>> plurals("aco"), plurals("panel")
    (('aco', 'acos'), ('panel', 'panels', 'paneles'))
    """
    if word[-1:] in "aeiou":
        return word, word + "s"
    return word, word + "s", word + "es"


@dataclass(frozen=True)
class SectorFinder:
    """One pattern of every sector phrase (longest first) and the sector each names."""

    pattern: re.Pattern | None
    sector_of: dict[str, str]
    ancestors: Callable[[str], Iterable[str]]

    @classmethod
    def from_vocabulary(cls, sectors: Mapping[str, Mapping], ancestors: Callable[[str], Iterable[str]]
                        ) -> "SectorFinder":
        """Phrases from each sector's label (when it has parents) and `words` list.

        >>> finder = SectorFinder.from_vocabulary(
        ...     {"manufacturing": {"label": "Manufacturing"},
        ...      "footwear": {"label": "Footwear", "parents": ["manufacturing"], "words": ["shoe", "calçado"]}},
        ...     lambda sector: ["manufacturing"] if sector == "footwear" else [])
        >>> sorted(finder.sector_of)  # with the regular plurals
        ['calcado', 'calcados', 'footwear', 'footweares', 'footwears', 'shoe', 'shoes']
        """
        sector_of: dict[str, str] = {}
        for key, entry in sectors.items():
            if key in NOT_A_SECTOR:
                continue
            phrases = list(entry.get("words") or [])
            if entry.get("parents"):
                phrases.append(str(entry.get("label") or key))
            for phrase in phrases:
                folded = fold(str(phrase))
                for form in plurals(folded):
                    sector_of.setdefault(form, key)
        ordered = sorted(sector_of, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)") if ordered else None
        return cls(pattern, sector_of, ancestors)

    def find(self, statements: Sequence[str]) -> list[tuple[str, str]]:
        """(sector, the statement naming it) for each sector named, most specific only, in
        order of first mention. A negated statement counts: "no aerospace firm operates
        in the region today" names the sector the initiative is about.

        >>> finder = SectorFinder.from_vocabulary(
        ...     {"leather-and-footwear": {"label": "Leather and footwear", "parents": ["manufacturing"],
        ...                               "words": ["leather"]},
        ...      "footwear": {"label": "Footwear", "parents": ["leather-and-footwear"], "words": ["shoe makers"]},
        ...      "wine": {"label": "Wine", "parents": ["beverages"], "words": ["wineries"]}},
        ...     lambda sector: {"footwear": ["footwear", "leather-and-footwear"]}.get(sector, [sector]))
        >>> finder.find(["The shoe makers buy leather together.", "No wineries are here yet."])
        [('footwear', 'The shoe makers buy leather together.'), ('wine', 'No wineries are here yet.')]
        >>> finder.find(["Leather tanning and wine."])
        [('leather-and-footwear', 'Leather tanning and wine.'), ('wine', 'Leather tanning and wine.')]
        >>> finder.find(["The leather workers met over a glass of wine, with wine for all."])
        [('leather-and-footwear', 'The leather workers met over a glass of wine, with wine for all.')]
        """
        if self.pattern is None:
            return []
        found: dict[str, str] = {}
        for statement in statements:
            folded = fold(statement)
            for match in self.pattern.finditer(folded):
                if match.group(0) in REFRESHMENTS and SERVED_BEFORE.search(folded[:match.start()]):
                    continue
                found.setdefault(self.sector_of[match.group(0)], statement)
        covered = {ancestor for sector in found for ancestor in self.ancestors(sector) if ancestor != sector}
        return [(sector, statement) for sector, statement in found.items() if sector not in covered]
