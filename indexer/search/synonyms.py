"""Query expansion from the glossary: abbreviations and synonyms find their terms.

A query for "LQ" also searches "location quotient", and "M&E" also searches
"monitoring and evaluation". Expansion happens on the raw query text, before
analysis, because abbreviations such as "M&E" do not survive tokenisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from indexer.content.loading import GlossaryTerm


@dataclass(frozen=True)
class SynonymGroup:
    """All the ways of writing one glossary term."""

    forms: tuple[str, ...]
    pattern: re.Pattern


class SynonymExpander:
    """Expands queries with every other form of the glossary terms they mention.

    Only an alias triggers an expansion: a query that uses the term itself (or an
    inflection of it, such as "clusters" for "cluster") is left alone, and forms that
    add no new analysed term are not added, so common words do not drag every
    query towards the glossary.
    """

    def __init__(self, terms: Iterable[GlossaryTerm], analyze: Callable[[str], list[str]] | None = None):
        self.analyze = analyze or (lambda text: text.lower().split())
        self.groups: list[SynonymGroup] = []
        self._term_keys: list[frozenset[str]] = []
        for term in terms:
            forms = tuple(dict.fromkeys(form.strip() for form in (term.term, *term.aliases) if form.strip()))
            alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
            self.groups.append(SynonymGroup(forms, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)))
            self._term_keys.append(frozenset(self.analyze(term.term)))

    def expansions(self, query: str) -> list[str]:
        """Forms to add to `query`: those of every mentioned term not already present.

        >>> lq = GlossaryTerm("location quotient", ("LQ", "LQs"), "A ratio.", None, None)
        >>> me = GlossaryTerm("monitoring and evaluation", ("M&E", "M+E"), "Tracking.", None, None)
        >>> SynonymExpander([lq, me]).expansions("LQ for M&E")
        ['location quotient', 'LQs', 'monitoring and evaluation', 'M+E']
        >>> SynonymExpander([lq]).expansions("quotients")
        []
        >>> cluster = GlossaryTerm("cluster", ("industrial cluster", "clusters"), "A group.", None, None)
        >>> stem = lambda text: [word.rstrip("s") for word in text.lower().split()]
        >>> SynonymExpander([cluster], stem).expansions("promoting clusters")
        []
        >>> SynonymExpander([cluster], stem).expansions("industrial cluster")
        []
        """
        added: list[str] = []
        present = set(self.analyze(query))
        for group, term_key in zip(self.groups, self._term_keys):
            matched = [m.group(0) for m in group.pattern.finditer(query)]
            if not matched or all(frozenset(self.analyze(form)) == term_key for form in matched):
                continue
            for form in group.forms:
                terms = set(self.analyze(form))
                if terms and not terms <= present:
                    added.append(form)
                    present |= terms
        return added

    def expand(self, query: str) -> str:
        """The query followed by its expansions."""
        extra = self.expansions(query)
        return query if not extra else query + " " + " ".join(extra)
