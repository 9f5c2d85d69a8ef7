"""The sum of money a description puts into the initiative, read as the funding level
(issue 9): "un programa de quince millones de dólares" is a large fund whatever words
surround it, and the sentence model reads sums poorly (it matched "twenty million
dollars" with seed money).

Number words become digits with text2num (English, Spanish and Portuguese: "quince
millones" is 15000000, "vinte milhões" 20000000); this module finds the sum, its
currency and whether the sentence is about funding at all (a fund, a programme, a
grant, a loan, an investment), not about sales or exports ("their annual exports
amount to more than one million US dollars" is the Zamora frog producers' turnover,
983).

The levels are our reading of the paper's scale, which names no bounds: Thailand's
notional national budget, about $85,000 (1523), is the small money the paper
recommends, and "huge amounts of funds" (1503-1504) are what a cluster programme should
not promise. So below 100,000 US dollars is seed money, from half a million (a sum
that pays for years of a single initiative's activities) a large fund, and between
them a moderate budget.
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

from indexer.advisor.sentences import fold, language_of

SEED_BELOW = 100_000
LARGE_FROM = 500_000

# Rough US dollars per unit: orders of magnitude to place a sum on the scale above,
# not exchange rates.
DOLLARS_PER_UNIT = {
    "usd": 1.0, "eur": 1.1, "gbp": 1.3, "brl": 0.2, "pen": 0.27, "bob": 0.14, "thb": 0.03, "inr": 0.012,
    "etb": 0.008, "ghs": 0.07, "kes": 0.008, "zar": 0.055, "cny": 0.14, "try": 0.03, "mzn": 0.016,
    "aoa": 0.0011, "gtq": 0.13, "jod": 1.4, "ngn": 0.00065, "bdt": 0.0083, "hnl": 0.04, "nio": 0.027,
    "crc": 0.002, "pyg": 0.00013, "xof": 0.0017,
}
# Currency names several countries share, placed by the profile's country (rough US
# dollars per unit). Where the country is not given, "pesos" and "kwacha" are left
# unplaced (a Mexican and a Colombian peso differ two hundredfold); shillings and rupees
# keep the rate of CURRENCY_WORDS, Kenya's and India's.
SHARED_BY_COUNTRY = {
    "pesos": {"Mexico": 0.055, "Colombia": 0.00025, "Argentina": 0.001, "Chile": 0.001, "Uruguay": 0.025,
              "Philippines": 0.017, "Cuba": 0.04},
    "shillings": {"Kenya": 0.008, "Uganda": 0.00027, "Tanzania": 0.0004},
    "chelines": {"Kenya": 0.008, "Uganda": 0.00027, "Tanzania": 0.0004},
    "rupees": {"India": 0.012, "Nepal": 0.0075, "Pakistan": 0.0036, "Sri Lanka": 0.0033},
    "kwacha": {"Malawi": 0.00058, "Zambia": 0.04},
}
SHARED_BY_COUNTRY["peso"] = SHARED_BY_COUNTRY["pesos"]
SHARED_BY_COUNTRY["shilling"] = SHARED_BY_COUNTRY["shillings"]
SHARED_BY_COUNTRY["rupee"] = SHARED_BY_COUNTRY["rupees"]
CURRENCY_WORDS = {
    "dollars": "usd", "dollar": "usd", "dolares": "usd", "dolar": "usd", "usd": "usd", "us$": "usd", "$": "usd",
    "euros": "eur", "euro": "eur", "eur": "eur", "€": "eur", "pounds": "gbp", "libras": "gbp", "£": "gbp",
    "reais": "brl", "real": "brl", "r$": "brl", "brl": "brl", "soles": "pen", "bolivianos": "bob",
    "baht": "thb", "rupees": "inr", "rupias": "inr", "birr": "etb", "cedis": "ghs", "shillings": "kes",
    "rand": "zar", "yuan": "cny", "lira": "try", "liras": "try", "meticais": "mzn", "kwanzas": "aoa",
    "quetzales": "gtq", "dinars": "jod", "dinares": "jod", "naira": "ngn", "taka": "bdt", "lempiras": "hnl",
    "cordobas": "nio", "colones": "crc", "guaranies": "pyg", "cfa": "xof", "shilling": "kes", "rupee": "inr",
}
# A sentence about money put into the initiative, not money the firms earn.
FUNDING = re.compile(
    r"\b(funds?|funding|budget|grants?|programmes?|programs?|loans?|credits?|invest\w*|financ\w*|donors?|"
    r"fondos?|fundos?|presupuesto|orcamento|subsidios?|subvencion\w*|doac\w*|programas?|prestamos?|"
    r"emprestimos?|creditos?|invert\w*|inversion\w*|investimentos?|investir|investe\w*|donantes?|doador\w*|"
    r"apoyo|apoio|aporta\w*|ofrece\w*|oferece\w*|disponibiliza\w*|put\w* .* into|"
    # A Brazilian parliamentary amendment ("emenda parlamentar") and "verba" are budget money.
    r"emendas?|verbas?|recursos)\b")
# Selling and exporting as what the firms do, not "an export cluster" ("un clúster
# exportador" is what a programme would build).
TRADE = re.compile(
    r"\b(exports|exported|exporting|sales|sells?|sold|turnover|revenues?|earn\w*|"
    r"exportan|exporta|exportaron|exportaciones|venden|vende|vendieron|ventas|facturan|factura|facturacion|ingresos|"
    r"exportam|exportaram|exportacoes|vendem|venderam|vendas|faturam|fatura|faturamento|receitas?)\b")
# A price per head or per unit is no budget: "refreshments at 150 shillings a head".
PER_UNIT = re.compile(r"\b(a|per|por|each|cada) (head(?! office)|person|persona|pessoa|participant|participante|"
                      r"night|noche|noite|kilo|kg|unit|unidad|unidade)\b")
_NUMBER = r"\d+(?:[.,]\d+)*"
_SUM = re.compile(
    rf"(?P<before>us\$|r\$|\$|€|£|usd|eur|brl)?\s?(?P<number>{_NUMBER})(?P<suffix>m|mn|bn|k)?\b"
    rf"(?:\s(?P<multiplier>1000000000|1000000|1000)\b)?"
    rf"(?:\s(?:de|of|em|en))?(?:\s(?P<after>[a-z$]+))?")
_HALF = re.compile(r"\b(half(?: a)?|medio|meio)\s*$")
_SEVERAL = re.compile(r"\b(several|many|a few|few|varios|varias|muchos|muitos|algunos|alguns|unos pocos|poucos)\s*$")
_SUFFIX = {"m": 1e6, "mn": 1e6, "bn": 1e9, "k": 1e3}


def number_of(text: str) -> float:
    """A number as written, with thousands grouped by "," or "." and a decimal "," or ".".

    >>> number_of("2.000.000"), number_of("1,5"), number_of("2.5"), number_of("1,500")
    (2000000.0, 1.5, 2.5, 1500.0)
    """
    parts = re.split(r"[.,]", text)
    if len(parts) > 1 and all(len(part) == 3 for part in parts[1:]):
        return float("".join(parts))
    whole, _, fraction = text.replace(",", ".").rpartition(".")
    return float(f"{whole.replace('.', '')}.{fraction}") if whole else float(fraction)


def dollars_in(sentence: str, country: str | None = None) -> float | None:
    """The largest sum of money the sentence names, in rough US dollars (None: none, or
    only in a currency this module does not place; `country`, the profile's, places a
    currency name several countries share).

    >>> dollars_in("Un banco ofrece un programa de quince millones de dólares.")
    15000000.0
    >>> dollars_in("O estado anunciou um programa de vinte milhões de reais.")
    4000000.0
    >>> dollars_in("A fund of US$ 2.5 million."), dollars_in("A $20m fund."), dollars_in("Half a million euros.")
    (2500000.0, 20000000.0, 550000.0)
    >>> dollars_in("Several million dollars."), dollars_in("About 300 workshops.")
    (3000000.0, None)
    >>> dollars_in("Doce millones de pesos."), dollars_in("Doce millones de pesos.", "Mexico")
    (None, 660000.0)
    """
    language = language_of(sentence)
    text = fold(alpha2digit(sentence, language) if language in ("en", "es", "pt") else sentence)
    best = None
    for match in _SUM.finditer(text):
        rate = _rate(match["before"] or "", country) or _rate(match["after"] or "", country)
        if rate is None:
            continue
        amount = number_of(match["number"]) * _SUFFIX.get(match["suffix"] or "", 1.0)
        amount *= float(match["multiplier"] or 1)
        ahead = text[:match.start()]
        if _HALF.search(ahead):
            amount *= 0.5
        elif _SEVERAL.search(ahead) and match["number"] in ("1000", "1000000", "1000000000"):
            amount *= 3
        dollars = amount * rate
        best = dollars if best is None else max(best, dollars)
    return best


def _rate(word: str, country: str | None) -> float | None:
    """Rough US dollars per unit of the currency `word` names, in `country` where the
    name is shared."""
    shared = SHARED_BY_COUNTRY.get(word, {})
    if country in shared:
        return shared[country]
    currency = CURRENCY_WORDS.get(word)
    return DOLLARS_PER_UNIT[currency] if currency is not None else None


def funding_level(sentence: str, country: str | None = None) -> str | None:
    """'seed', 'moderate' or 'large' when the sentence names a sum put into the
    initiative; None when it names none, or names what firms sell.

    >>> funding_level("A donor will put twenty million dollars into the kente weavers.")
    'large'
    >>> funding_level("Their annual exports amount to more than one million US dollars.") is None
    True
    >>> funding_level("Un banco ofrece un programa de doce millones de dólares para crear un clúster exportador.")
    'large'

    >>> funding_level("The national budget is notional, about $85,000."), funding_level("Un fondo de 300.000 euros.")
    ('seed', 'moderate')
    """
    folded = fold(sentence)
    if not FUNDING.search(folded) or TRADE.search(folded) or PER_UNIT.search(folded):
        return None
    dollars = dollars_in(sentence, country)
    if dollars is None:
        return None
    if dollars >= LARGE_FROM:
        return "large"
    return "seed" if dollars < SEED_BELOW else "moderate"


# Research costing this much (rough US dollars) or more, before trust exists, is "massive
# research and fact-finding" (1570-1572): the seed money a whole initiative should start
# with (below SEED_BELOW) spent on studies alone.
HEAVY_RESEARCH_FROM = SEED_BELOW


def research_level(sentence: str, country: str | None = None) -> str | None:
    """'heavy-before-trust' when the sentence names a sum of HEAVY_RESEARCH_FROM or more;
    the caller has made sure the sentence is about studies (kb/study_words.yaml).

    >>> research_level("The government has paid consultants some £380,000 to map the boatyards.")
    'heavy-before-trust'
    >>> research_level("A survey of the workshops costing $8,000."), research_level("They mapped the yards.")
    (None, None)
    """
    dollars = dollars_in(sentence, country)
    return "heavy-before-trust" if dollars is not None and dollars >= HEAVY_RESEARCH_FROM else None
