"""Counts compared over time (issue 9): "of the fourteen glass works there were in the
eighties, four remain" says the cluster shrinks without a word of moving down, and so
does "the machine shops have gone from about sixty to fewer than twenty". Notes about
an old cluster state its decline that way more often than in words ("hoje restam umas
nove casas abertas"), and the sentence model reads numbers poorly.

A statement compares counts when it holds a count in a past setting ("havia", "had",
"tenía") and one in a present setting ("restam", "today there are", "hoy quedan"), or a
count "gone from N to M". The comparison is a move, down or up; what moved is the noun
next to the counts, which the caller's measures judge (trends.TrendWords): more firms
is growth, more costs bad news. Number words become digits with text2num, as in
amounts.py. Years, decades, durations and shares are no counts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

from indexer.advisor.sentences import fold, word_pattern

# Words that set a count in the past or the present, per language (folded).
PAST = {
    "en": ("had", "there were", "there used to be", "once", "used to", "at its peak", "was home to", "years ago",
           "in the seventies", "in the eighties", "in the nineties"),
    "es": ("habia", "habian", "tenia", "tenian", "existian", "llego a tener", "llegaron a ser", "eran", "trabajaban",
           "funcionaban", "en los anos", "en la decada de", "hace"),
    "pt": ("havia", "tinha", "tinham", "existiam", "chegou a ter", "chegaram a ser", "eram", "trabalhavam",
           "funcionavam", "nos anos", "na decada de"),
}
PRESENT = {
    "en": ("today", "now", "remain", "remains", "are left", "still open", "still working", "survive", "this year"),
    "es": ("hoy", "quedan", "queda", "ahora", "actualmente", "sobreviven", "siguen abiertas", "siguen abiertos",
           "este ano"),
    "pt": ("hoje", "restam", "resta", "agora", "atualmente", "sobrevivem", "continuam abertas",
           "continuam abertos", "sobram", "este ano", "neste ano"),
}
# A verb of change before "from N to M": "fell from" is already a move word's concern.
FROM_TO = {
    "en": r"(?:gone|went|go|goes|come down|came down) from",
    "es": r"(?:paso|pasaron|pasado|han pasado|ha pasado) de",
    "pt": r"(?:passou|passaram|passado|foi|foram) de",
}
TO = {"en": "to", "es": "a", "pt": "(?:para|a)"}
# Nouns that make a number no count of things: years, durations, shares, money.
NOT_COUNTED = frozenset(
    "years year months month weeks days hours percent per cent % anos ano meses mes semanas dias horas "
    "por ciento cento km kg tonnes tons toneladas dollars dolares euros reais pesos".split())
DECADE_BEFORE = frozenset({"anos", "the", "los", "decada", "decadas"})
# Words from a count, or from "from", to the noun counted, at most.
NOUN_REACH = 4
# "Two" is a count too (text2num leaves numbers below three as words); "one" stays a word:
# "one of them" is no count.
NUMBER_WORDS_FROM = 2
# Words from a count to its setting word, at most.
SETTING_REACH = 8
COUNT = re.compile(r"\d+(?:[.,]\d{3})*")
# Compiled once: the reader looks for some thousands of patterns per request.
FROM_TO_PATTERNS = {language: re.compile(pattern) for language, pattern in FROM_TO.items()}
# "<noun ...> gone from <about> N to <fewer than> M <noun>", on the digits' tokens.
FROM_N_TO_M = {language: re.compile(rf"((?:\w+ ){{0,{NOUN_REACH}}}){FROM_TO[language]} (?:\w+ ){{0,2}}?(\d+) "
                                    rf"(?:\w+ ){{0,2}}?{TO[language]} (?:\w+ ){{0,2}}?(\d+)(?: (\w+))?")
               for language in FROM_TO}


@lru_cache(maxsize=4096)
def compared_counts(text: str, language: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Per comparison the statement makes, (move: -1 fewer now, +1 more now; the words
    after the earlier count and before the comparison, where its noun is).

    >>> compared_counts("Das catorze fábricas de vidro que havia nos anos oitenta restam quatro.", "pt")[0][0]
    -1
    >>> "fabricas" in compared_counts("Das catorze fábricas de vidro que havia restam quatro.", "pt")[0][1]
    True
    >>> compared_counts("The machine shops have gone from about sixty to fewer than twenty.", "en")[0][0]
    -1
    >>> compared_counts("Hoy quedan doce talleres en 2024.", "es")
    ()
    >>> compared_counts("En 2019 había doce socios y hoy hay treinta.", "es")[0][0]
    1
    >>> compared_counts("The hall is booked from ten to one.", "en")
    ()
    >>> compared_counts("The town had over forty workshops; today there are nine, the youngest owner is 58.", "en")[0][0]
    -1
    >>> compared_counts("Este año han botado dos barcos, cuando hace quince años salían diez o doce.", "es")[0][0]
    -1
    """
    if language not in PAST:
        return ()
    words = fold(text)
    if not any(word_pattern(marker).search(words) for marker in PRESENT[language]) \
            and not FROM_TO_PATTERNS[language].search(words):
        return ()
    tokens = re.findall(r"[\w%]+", fold(alpha2digit(text, language, threshold=NUMBER_WORDS_FROM)).replace("%", " % "))
    counts = [(index, int(re.sub(r"\D", "", token))) for index, token in enumerate(tokens)
              if COUNT.fullmatch(token) and _is_count(tokens, index)]
    found = []
    past = [(i, n) for i, n in counts if _setting(tokens, i, language) == "past"]
    present = [(i, n) for i, n in counts if _setting(tokens, i, language) == "present"]
    if past and present:
        start, then = past[0]
        # The first present count after the earlier one: a later number ("the youngest
        # owner is 58") is about something else.
        now = next((n for i, n in present if i > start), present[0][1])
        if then != now:
            found.append((1 if now > then else -1, tuple(tokens[start + 1:start + 1 + NOUN_REACH])))
    for match in FROM_N_TO_M[language].finditer(" ".join(tokens)):
        then, now, after = int(match.group(2)), int(match.group(3)), match.group(4) or ""
        if then != now and after not in NOT_COUNTED and not _is_year(then) and not _is_year(now):
            found.append((1 if now > then else -1, tuple(match.group(1).split()) + (after,)))
    return tuple(found)


def _is_year(number: int) -> bool:
    return 1800 <= number <= 2100


def _is_count(tokens: list[str], index: int) -> bool:
    """Is the number at `index` a count of things (not a year, decade, duration or share)?"""
    number = int(re.sub(r"\D", "", tokens[index]))
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    if _is_year(number) or following in NOT_COUNTED or following.isdigit():
        return False  # "umas nove" becomes "1 9": the count is the second number
    return not (index and tokens[index - 1] in DECADE_BEFORE and number % 10 == 0 and number < 100)


def _setting(tokens: list[str], index: int, language: str) -> str | None:
    """'past' or 'present': the nearest setting word before the count ("havia mais de
    trinta", "hoje restam nove"), else the nearest after it ("das catorze fábricas que
    havia")."""
    for side in (range(index - 1, max(-1, index - SETTING_REACH - 1), -1),
                 range(index + 1, min(len(tokens), index + SETTING_REACH + 1))):
        for start in side:
            for kind, markers in (("past", PAST[language]), ("present", PRESENT[language])):
                if any(" ".join(tokens[start:start + len(marker.split())]) == marker for marker in markers):
                    return kind
    return None
