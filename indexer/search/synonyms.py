"""Query expansion from the glossary: abbreviations and synonyms find their terms.

A query for "LQ" also searches "location quotient", and "M&E" also searches
"monitoring and evaluation". Expansion happens on the raw query text, before
analysis, because abbreviations such as "M&E" do not survive tokenisation.

Beside the glossary, a short list of common English variants (mistrust and distrust,
British and American spellings) is searched both ways: the content is written in
British English by one hand, and its readers are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from indexer.content.loading import GlossaryTerm

# Ways of writing one idea that the stemmer keeps apart, each group searched for any of
# its forms. General English, not facts of the content: a content-owned list would
# live in kb/ once the service passes it in (see `SynonymExpander(variants=...)`).
COMMON_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("mistrust", "distrust"),
    ("shoes", "footwear"),
    ("organisation", "organization"),
    ("programme", "program"),
    ("centre", "center"),
    ("labour", "labor"),
    ("behaviour", "behavior"),
    ("favour", "favor"),
    ("analyse", "analyze"),
    ("specialisation", "specialization"),
)


@dataclass(frozen=True)
class SynonymGroup:
    """All the ways of writing one glossary term."""

    forms: tuple[str, ...]
    pattern: re.Pattern
    # Analysed terms of the glossary's own term (its use adds nothing), or None for a
    # group of equal variants, where any form brings in the others.
    term_key: frozenset[str] | None = None


@dataclass(frozen=True)
class SynonymMatch:
    """Where a query mentions a group, and the forms that mention adds."""

    text: str
    start: int
    end: int
    forms: tuple[str, ...]


class SynonymExpander:
    """Expands queries with every other form of the glossary terms they mention.

    Only an alias triggers an expansion: a query that uses the term itself (or an
    inflection of it, such as "clusters" for "cluster") is left alone, and forms that
    add no new analysed term are not added, so common words do not drag every
    query towards the glossary.
    """

    def __init__(self, terms: Iterable[GlossaryTerm], analyze: Callable[[str], list[str]] | None = None,
                 variants: Iterable[Iterable[str]] = COMMON_VARIANTS):
        self.analyze = analyze or (lambda text: text.lower().split())
        self.groups: list[SynonymGroup] = []
        for term in terms:
            self._add((term.term, *term.aliases), frozenset(self.analyze(term.term)))
        for group in variants:
            self._add(tuple(group), None)

    def _add(self, forms: Iterable[str], term_key: frozenset[str] | None) -> None:
        forms = tuple(dict.fromkeys(form.strip() for form in forms if form.strip()))
        if not forms:
            return
        alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
        self.groups.append(SynonymGroup(forms, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I), term_key))

    def matches(self, query: str) -> list[SynonymMatch]:
        """Each mention of a group in `query` that adds forms, with those forms (each
        form is added once, by its first mention).

        >>> SynonymExpander([]).matches("firms that mistrust")
        [SynonymMatch(text='mistrust', start=11, end=19, forms=('distrust',))]
        """
        found: list[SynonymMatch] = []
        present = set(self.analyze(query))
        for group in self.groups:
            mentions = list(group.pattern.finditer(query))
            if not mentions or (group.term_key is not None and all(
                    frozenset(self.analyze(m.group(0))) == group.term_key for m in mentions)):
                continue
            added: list[str] = []
            for form in group.forms:
                terms = set(self.analyze(form))
                if terms and not terms <= present:
                    added.append(form)
                    present |= terms
            if added:
                first = mentions[0]
                found.append(SynonymMatch(first.group(0), first.start(), first.end(), tuple(added)))
        return found

    def expansions(self, query: str) -> list[str]:
        """Forms to add to `query`: those of every mentioned term not already present.

        >>> lq = GlossaryTerm("location quotient", ("LQ", "LQs"), "A ratio.", None, None)
        >>> me = GlossaryTerm("monitoring and evaluation", ("M&E", "M+E"), "Tracking.", None, None)
        >>> SynonymExpander([lq, me], variants=()).expansions("LQ for M&E")
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
        return [form for match in self.matches(query) for form in match.forms]

    def expand(self, query: str) -> str:
        """The query followed by its expansions."""
        extra = self.expansions(query)
        return query if not extra else query + " " + " ".join(extra)
