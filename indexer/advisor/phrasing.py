"""The advisor's first, precise pass over a description (issue 9): the evidence phrases
of kb/rules.yaml. A phrase that occurs, not negated, narrows its attribute to the values
its rule accepts; phrases that disagree leave the attribute undecided. The second pass,
by meaning, is indexer/advisor/inference.py's."""

from __future__ import annotations

from typing import Callable, Iterable

from indexer.advisor.examples import Lexicon
from indexer.advisor.rules import ACTIVITY_KEYS, Rule, find_phrase
from indexer.advisor.sentences import fold, language_of, names_large_and_small_firms

# The firm structure a statement naming large and small firms side by side states.
LARGE_AND_SME = "large-and-sme"


def phrase_text(statement: str, lexicon: Lexicon) -> str:
    """The folded statement, and after a bar its English gloss when it has one, so that
    the rules' English phrases reach a Spanish or Portuguese statement too.

    >>> phrase_text("Todo gira en torno al puerto.", Lexicon.from_mapping({"es": {"gira en torno": "revolves around"}}))
    'todo gira en torno al puerto. | todo revolves around al puerto.'
    """
    folded = fold(statement)
    language = language_of(statement)
    gloss = lexicon.gloss(statement, language) if language != "en" else ""
    return f"{folded} | {gloss}" if gloss else folded


def phrase_values(rules: Iterable[Rule], statements: list[str], folded: list[str], given: set[str],
                  may_state: Callable[[str, str], bool]):
    """Attribute -> values the rules' phrases allow; the statement of the first hit;
    attributes whose phrases disagree; attributes whose phrases occur only where they
    may not be stated. Each statement is searched in `folded` (see
    phrase_text); `may_state(attribute, statement)` says whether the statement can state
    the attribute at all (the words it is gated by)."""
    allowed: dict[str, set[str]] = {}
    hits: dict[str, str] = {}
    refused: set[str] = set()
    for rule in rules:
        for when, evidence in rule.alternatives():
            for key, phrases in evidence.items():
                if key in ACTIVITY_KEYS or key in given:
                    continue
                for phrase in phrases:
                    found = [i for i, text in enumerate(folded) if find_phrase(phrase, text)]
                    where = next((i for i in found if may_state(key, statements[i])), None)
                    if where is None:
                        refused.update([key] if found else [])
                        continue
                    allowed[key] = allowed.get(key, set(when[key])) & set(when[key])
                    hits.setdefault(key, statements[where])
                    break
    if "firm_structure" not in given:
        where = next((i for i, text in enumerate(folded) if names_large_and_small_firms(text)), None)
        if where is not None:
            allowed["firm_structure"] = allowed.get("firm_structure", {LARGE_AND_SME}) & {LARGE_AND_SME}
            hits.setdefault("firm_structure", statements[where])
    conflicting = frozenset(key for key, values in allowed.items() if not values)
    return ({key: values for key, values in allowed.items() if values}, hits, conflicting,
            frozenset(refused - set(allowed)))
