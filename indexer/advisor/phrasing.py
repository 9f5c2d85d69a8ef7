"""The advisor's first, precise pass over a description (issue 9): the evidence phrases
of kb/rules.yaml. A phrase that occurs, not negated, narrows its attribute to the values
its rule accepts; phrases that disagree leave the attribute undecided. The second pass,
by meaning, is indexer/advisor/inference.py's. Sums of money are read precisely here too
(indexer/advisor/amounts.py)."""

from __future__ import annotations

from typing import Callable, Collection, Iterable, Sequence

from indexer.advisor.amounts import funding_level, research_level
from indexer.advisor.examples import Lexicon
from indexer.advisor.readings import AMOUNT, Inferred
from indexer.advisor.rules import ACTIVITY_KEYS, Rule, find_phrase
from indexer.advisor.firmsizes import names_large_and_small_firms
from indexer.advisor.sentences import fold, language_of

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
        # A ";" cuts one sentence into statements, not the contrast between its halves:
        # "... two large factories; the other members are ninety small workshops".
        joined = [text + " " + folded[i + 1] if i + 1 < len(folded) and statements[i].rstrip().endswith(";")
                  else text for i, text in enumerate(folded)]
        where = next((i for i, text in enumerate(joined) if names_large_and_small_firms(text)), None)
        if where is not None:
            allowed["firm_structure"] = allowed.get("firm_structure", {LARGE_AND_SME}) & {LARGE_AND_SME}
            hits.setdefault("firm_structure", statements[where])
    conflicting = frozenset(key for key, values in allowed.items() if not values)
    return ({key: values for key, values in allowed.items() if values}, hits, conflicting,
            frozenset(refused - set(allowed)))


def named_sums(statements: Sequence[str], closed: Collection[str],
               about_studies: Callable[[str], bool], country: str | None = None) -> list[Inferred]:
    """Precise readings of sums: the funding level of the first statement that names a sum
    put into the initiative, and heavy research spending from the first statement about
    studies (`about_studies`: its study words) that names a large sum for them. Attributes
    in `closed` (given, or decided by phrases) are left alone; `country`, the profile's,
    places pesos and shillings."""
    inferred = []
    for attribute, level_of, about in (("funding_level", funding_level, lambda statement: True),
                                       ("research_budget", research_level, about_studies)):
        if attribute in closed:
            continue
        for statement in statements:
            level = level_of(statement, country) if about(statement) else None
            if level is not None:
                inferred.append(Inferred(attribute, level, statement, 1.0, AMOUNT))
                break
    return inferred


def lacking_activities(rules: Sequence[Rule], folded: Sequence[str]) -> set[str]:
    """Activities a `lacks_activities` phrase of the rules says the plan goes without
    (`folded`: the statements as phrase_text gives them)."""
    lacking: set[str] = set()
    for rule in rules:
        for when, evidence in rule.alternatives():
            phrases = evidence.get("lacks_activities", ())
            if any(find_phrase(phrase, text) for phrase in phrases for text in folded):
                lacking |= set(when["lacks_activities"])
    return lacking
