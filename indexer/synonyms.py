"""Query expansion from the glossary: abbreviations and synonyms find their terms.

A query for "LQ" also searches "location quotient", and "M&E" also searches
"monitoring and evaluation". Expansion happens on the raw query text, before
analysis, because abbreviations such as "M&E" do not survive tokenisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .content import GlossaryTerm


@dataclass(frozen=True)
class SynonymGroup:
    """All the ways of writing one glossary term."""

    forms: tuple[str, ...]
    pattern: re.Pattern


class SynonymExpander:
    """Expands queries with every other form of the glossary terms they mention."""

    def __init__(self, terms: Iterable[GlossaryTerm]):
        self.groups: list[SynonymGroup] = []
        for term in terms:
            forms = tuple(dict.fromkeys(form.strip() for form in (term.term, *term.aliases) if form.strip()))
            alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
            self.groups.append(SynonymGroup(forms, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)))

    def expansions(self, query: str) -> list[str]:
        """Forms to add to `query`: those of every mentioned term not already present.

        >>> lq = GlossaryTerm("location quotient", ("LQ", "LQs"), "A ratio.", None, None)
        >>> me = GlossaryTerm("monitoring and evaluation", ("M&E", "M+E"), "Tracking.", None, None)
        >>> SynonymExpander([lq, me]).expansions("LQ for M&E")
        ['location quotient', 'LQs', 'monitoring and evaluation', 'M+E']
        >>> SynonymExpander([lq]).expansions("quotients")
        []
        """
        added: list[str] = []
        for group in self.groups:
            if group.pattern.search(query):
                for form in group.forms:
                    if not re.search(rf"(?<!\w){re.escape(form)}(?!\w)", query, re.I):
                        added.append(form)
        return added

    def expand(self, query: str) -> str:
        """The query followed by its expansions."""
        extra = self.expansions(query)
        return query if not extra else query + " " + " ".join(extra)
