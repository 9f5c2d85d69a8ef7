"""Splitting a description into the statements it makes, and telling which ones negate.

The advisor reads a description sentence by sentence (each sentence, or clause after a
"but", is compared with example sentences on its own). Descriptions come in English,
Spanish and Portuguese, so the splitter knows the punctuation and abbreviations of the
three, and the negation cues of the three.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Abbreviations whose full stop does not end a sentence (lower-case, without the stop).
ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "approx", "dr", "mr", "mrs", "ms", "prof", "no", "nos", "vs", "inc", "ltd", "co",
    "st", "sr", "sra", "srta", "dra", "av", "aprox", "p.ej", "ej", "pág", "núm", "nº", "ee.uu", "eua",
    "u.s", "u.k", "dept", "min", "max", "mio", "mill", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
})
# A clause that turns against the one before it is read on its own: "they compete
# fiercely, yet they run a joint school" holds two statements.
CONTRAST_CLAUSE = re.compile(
    r"[,;]\s+(?=(?:but|yet|however|although|whereas|while|pero|sin embargo|aunque|mientras que|"
    r"mas|porém|contudo|embora|enquanto)\b)", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?;…])[\"'”»)]*\s+(?=[\"'“«(¿¡]?[A-ZÁÉÍÓÚÑÂÊÔÃÕÇ0-9¿¡])|(?<=[!?;])\s+")

# Negation cues, folded (lower case, no accents). Multi-word cues come first in use.
NEGATION_CUES = (
    # English
    "no longer", "not yet", "not", "no", "never", "none", "nobody", "no one", "nothing", "neither", "nor",
    "n't", "cannot", "without", "lack", "lacks",
    # Spanish
    "ya no", "todavia no", "aun no", "nunca", "ninguno", "ninguna", "ningun", "nadie", "nada", "sin", "ni",
    "no hay", "jamas", "tampoco",
    # Portuguese
    "nao", "ja nao", "ainda nao", "nenhum", "nenhuma", "ninguem", "nem", "sem", "jamais", "tampouco",
)
# Idioms that contain a negation cue but affirm: "orders have never been better".
AFFIRMING_IDIOMS = re.compile(
    r"\b(never been better|never better|no doubt|not only|no less than|sin embargo|no obstante|nao obstante|nunca estuvo mejor|nunca estuvieron mejor|"
    r"nunca fue mejor|nunca foi melhor|nunca esteve melhor|no solo|nao so|sem duvida|sin duda|"
    r"mas que nunca|menos que nunca|mais do que nunca|mais que nunca|menos do que nunca|"
    r"mejor que nunca|melhor do que nunca|melhor que nunca|"
    # "nunca venderam tanto:" (never sold so much) at the end of its clause affirms; "nunca
    # venderam tanto como antes" (as much as before) does not
    r"nunca (?:\w+ ){0,2}(?:tanto|tantos|tantas)(?= *[:;,.!]| *$)|never (?:\w+ ){0,2}(?:so|as) (?:much|many)(?= *[:;,.!]| *$)|"
    # "they never had a year like this one": the best year they remember
    r"never (?:\w+ ){0,2}a year like|nunca (?:\w+ ){0,2}(?:um|un) ano (?:assim|igual|como)|"
    r"no (?:\w+ ){0,2}visto un ano igual|"
    # "they held nothing back": they said it plainly
    r"held nothing back|hid nothing|no se (?:guardaron|callaron) nada|nao (?:esconderam|guardaram) nada|"
    # A purpose clause negates nothing of its statement: "they agree when each will harvest,
    # so as not to flood the market".
    r"so as not to|in order not to|para no|para nao|"
    # "nothing holds them back as much as the government": the government holds them back most
    r"nada (?:\w+ ){0,3}(?:tanto como|tanto quanto|mas que|mais do que)|nothing (?:\w+ ){0,3}(?:as much as|more than)|"
    # "cannot keep up with the orders": more demand than they can meet
    r"no dan abasto|no da abasto|nao dao conta|nao da conta|nao conseguem dar conta|"
    r"(?:cannot|can't|can not|could not|couldn't) keep up|"
    # Two negations that make an "every": "quase não há emprego que não passe pela pele"
    # (almost every job depends on leather), "no hay taller que no exporte".
    r"(?:nao ha|no hay|there is no|there are no|there is hardly a|there is hardly any|there is scarcely a|"
    r"hardly a|nenhum|nenhuma|ningun|ninguna|ninguno) (?:\w+ ){1,3}(?:que (?:nao|no)|"
    r"(?:that|which|who) (?:does not|doesn't|do not|don't|is not|isn't|are not|aren't|did not|didn't))|"
    r"(?:nadie|ninguem|nobody|no one) (?:que (?:nao|no)|(?:who|that) (?:does not|doesn't|did not|didn't|is not|isn't))|"
    # A negation that leaves one thing: "no hay más trabajo que el zapato" (there is no work
    # but shoes), "it is carved furniture or nothing", "next to no other livelihood".
    r"(?:no hay|nao ha|there is no|there's no|there are no) (?:\w+ ){0,1}(?:mas|mais|other|otra|outra|otro|outro)"
    r"(?: \w+){0,2} (?:que|senao|but|than|alem de|fuera de)\b|"
    r"(?:casi|quase|practicamente|praticamente) (?:no hay|nao ha) (?:otra|outra) cosa|"
    r"(?:next to|almost|hardly any|virtually) no other|hardly any other|nothing else but|nothing but|"
    r"(?:or|o|ou) (?:nothing|nada)(?= *[:;,.!]| *$)|"
    # "never sold as much as now": a comparison of the present with the past that affirms
    # ("never sold as much as before" does not).
    r"never (?:\w+ ){0,2}(?:as|so) (?:much|many|well|good) as (?:now|today|this year)|"
    r"nunca (?:\w+ ){0,2}(?:tanto|tantos|tantas|tan bien|tao bem)(?: \w+){0,2} (?:como|quanto|que) "
    r"(?:ahora|hoy|agora|hoje|este ano|neste ano)|"
    # "sales have never been so high (or so low)": a superlative of the present, unless
    # it is compared with the past ("never so good as before").
    r"never (?:\w+ ){0,2}(?:so|this) (?!much\b|many\b)\w+\b(?! as (?:before|in the past))|"
    r"nunca (?:\w+ ){0,2}(?:tan|tao) (?!bien\b|bem\b)\w+\b(?! (?:como|quanto|que) (?:antes|no passado|en el pasado)))\b")
# Cues that are ordinary words in one language: Portuguese "no" is "in the" (its
# negation is "não"), so a Portuguese sentence is not negated by it.
NOT_NEGATION = {"pt": frozenset({"no"})}


def _negation_pattern(cues) -> re.Pattern:
    return re.compile(r"(?<![\w'])(?:" + "|".join(
        re.escape(cue) for cue in sorted(cues, key=len, reverse=True)) + r")(?![\w])|n't\b")


_NEGATION = _negation_pattern(NEGATION_CUES)
_NEGATION_BY_LANGUAGE = {language: _negation_pattern(set(NEGATION_CUES) - words)
                         for language, words in NOT_NEGATION.items()}


# Words a " ... " of a phrase stands for, at most.
GAP = 4


@functools.lru_cache(maxsize=16384)
def word_pattern(text: str) -> re.Pattern:
    """`text` as a pattern of whole words (as written, not folded), compiled once: the
    reader looks for some thousands of phrases per request, more than re's cache keeps.
    " ... " in a phrase stands for up to GAP words: "orders ... until" is said with the
    buyers between ("orders from galleries in Tucson until next summer").

    >>> bool(word_pattern("own brand").search("their own brand.")), bool(word_pattern("own").search("owned"))
    (True, False)
    >>> [bool(word_pattern("orders ... until").search(t)) for t in ("orders from two galleries until june",
    ...  "orders until june", "orders from one, two, three or four shops and more until")]
    [True, True, False]
    """
    return re.compile(rf"(?<!\w){phrase_regex(text)}(?!\w)")


def phrase_regex(text: str) -> str:
    """The regular expression of a phrase, its " ... " standing for up to GAP words."""
    return rf"(?:\W+\w+){{0,{GAP}}}\W+".join(re.escape(part) for part in text.split(" ... "))


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text.

    >>> fold("  Não   há  EXPORTAÇÃO ")
    'nao ha exportacao'
    """
    return " ".join(_folded_piece(text).split())


# Accented function words that folding would merge with another word: Portuguese "é"
# (is) would become "e" (and), Spanish "está" (is) "esta" (this). The glossary keeps them.
KEPT_ACCENTS = {"pt": frozenset({"é", "está"}), "es": frozenset({"está", "esté"})}


def fold_for(text: str, language: str) -> str:
    """fold(), except for the language's KEPT_ACCENTS words, which keep their accent.

    >>> fold_for("A prefeitura É o problema e está longe.", "pt")
    'a prefeitura é o problema e está longe.'
    >>> fold_for("A prefeitura é o problema.", "es")
    'a prefeitura e o problema.'
    """
    kept = KEPT_ACCENTS.get(language)
    if not kept:
        return fold(text)
    pieces = re.split(r"([^\W\d_]+)", unicodedata.normalize("NFC", text))
    joined = "".join(piece.lower() if piece.lower() in kept else _folded_piece(piece) for piece in pieces)
    return " ".join(joined.split())


def _folded_piece(piece: str) -> str:
    decomposed = unicodedata.normalize("NFKD", piece)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().replace("’", "'")


def split_sentences(text: str) -> list[str]:
    """The statements of a description: sentences, cut again before a contrasting clause.

    >>> split_sentences("Sales fell, e.g. in 2020. Owners distrust each other; the mayor helps!")
    ['Sales fell, e.g. in 2020.', 'Owners distrust each other;', 'the mayor helps!']
    >>> split_sentences("¿Qué hacemos? Los talleres compiten, pero comparten un técnico.")
    ['¿Qué hacemos?', 'Los talleres compiten,', 'pero comparten un técnico.']
    >>> split_sentences("It costs 3.5 million, about 600,000 a year.")
    ['It costs 3.5 million, about 600,000 a year.']
    >>> split_sentences("The owners, although fierce rivals, want to work together.")
    ['The owners, although fierce rivals, want to work together.']
    """
    flat = " ".join(text.split())
    pieces: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(flat):
        before = flat[start:match.start()].rstrip("\"'”»)")
        last_word = before.rsplit(" ", 1)[-1].lower().rstrip(".")
        if before.endswith(".") and last_word in ABBREVIATIONS:
            continue
        pieces.append(flat[start:match.start()])
        start = match.end()
    pieces.append(flat[start:])
    statements: list[str] = []
    for piece in pieces:
        cut = 0
        for match in CONTRAST_CLAUSE.finditer(piece):
            if len(piece[cut:match.start()].split()) < 3 and "," in piece[match.end():]:
                continue  # "The owners, although rivals, want ...": the subject and an aside
            statements.append(piece[cut:match.start() + 1])
            cut = match.end()
        statements.append(piece[cut:])
    return [statement.strip() for statement in statements if len(statement.strip()) > 1]


# Where a long statement joins two claims: a colon, a comma before "and" (y, e) or a
# relative turn, or a place's relative clause ("in a town where almost everyone lives
# from rubber"): the place's situation is a claim of its own. The model averages a long
# sentence's words, so "half the factories closed" inside a forty-word sentence is
# matched much more weakly than on its own.
CLAUSE_BREAK = re.compile(r"\s*:\s+|,\s+(?=(?:and|y|e|while|mientras|enquanto|so|asi que|entao)\b)"
                          r"|,?\s+(?=(?:where|donde|onde)\s)", re.IGNORECASE)
# A clause shorter than this many words is too little to be read on its own: six-word
# clauses ("most have two to ten workers") were read as cultures and economies.
CLAUSE_MIN_WORDS = 7


def clauses(statement: str) -> list[str]:
    """The clauses of a statement that joins several claims (none when it makes one).
    They are read next to the statement, not instead of it.

    >>> clauses("Pedreira was the porcelain capital of Brazil: in twenty years half of the factories "
    ...         "closed, and the rest compete for the last customers.")
    ['Pedreira was the porcelain capital of Brazil', 'in twenty years half of the factories closed', 'and the rest compete for the last customers.']
    >>> clauses("The chamber will lead the initiative in a town where almost everyone lives from rubber tapping.")
    ['The chamber will lead the initiative in a town', 'where almost everyone lives from rubber tapping.']
    >>> clauses("Sales, prices and margins fell.")
    []
    """
    parts = [part.strip() for part in CLAUSE_BREAK.split(statement)]
    parts = [part for part in parts if len(part.split()) >= CLAUSE_MIN_WORDS]
    return parts if len(parts) > 1 else []


def short_clauses(statement: str) -> list[str]:
    """The clauses too short to be read on their own (under CLAUSE_MIN_WORDS words, at
    least three): too little to support a value, enough to contradict one.

    >>> short_clauses("Some owners share a gas supply, others refuse to share anything, and the association is divided.")
    ['and the association is divided.']
    >>> short_clauses("Sales, prices and margins fell.")
    []
    """
    parts = [part.strip() for part in CLAUSE_BREAK.split(statement)]
    if len(parts) < 2:
        return []
    return [part for part in parts if 3 <= len(part.split()) < CLAUSE_MIN_WORDS]


def negates(sentence: str, language: str | None = None) -> bool:
    """Does the sentence contain a negation cue (en, es, pt)? With its `language`, words
    that are no cue in that language do not count.

    >>> negates("The workshops are no longer doing well."), negates("Nenhuma empresa existe.")
    (True, True)
    >>> negates("Order books are full."), negates("Notably, the node grows.")
    (False, False)
    >>> affirming = ["Orders have never been better.", "El sector nunca estuvo mejor.", "Venden más que nunca.",
    ...              "Vendem mais do que nunca.", "As vinícolas nunca venderam tanto quanto agora.",
    ...              "They have never sold as much as now.", "As vendas nunca estiveram tão altas.",
    ...              "Los precios nunca estuvieron tan bajos.", "Orders have never been so scarce.",
    ...              "Los talleres no dan abasto con los pedidos.", "They cannot keep up with orders.",
    ...              "Nada los frena tanto como el gobierno.", "Nothing holds them back more than the permits.",
    ...              "A los productores les va mejor que nunca.", "As malharias nunca venderam tanto: os pedidos esgotaram."]
    >>> [sentence for sentence in affirming if negates(sentence)]
    []
    >>> negates("Sin embargo, las ventas crecen."), negates("No obstante, exportan más."), negates("Sin embargo, no exportan.")
    (False, False, True)
    >>> negates("Nunca estuvieron tan unidos como antes.")
    True
    >>> negates("Nunca venderam nada."), negates("Nunca mais trabalharão juntos."), negates("They never sell abroad.")
    (True, True, True)
    >>> negates("Os produtores no polo exportam juntos.", "pt"), negates("No hay confianza.", "es")
    (False, True)
    >>> [negates(s) for s in ("Aqui quase não há emprego que não passe pela pele.", "No hay taller que no exporte.",
    ...                       "There is hardly a job here that does not depend on leather.",
    ...                       "Não há ninguém que não conheça a fábrica.", "No hay emprego, y la fábrica no paga.")]
    [False, False, False, False, True]
    >>> [negates(s) for s in ("En Brea prácticamente no hay más trabajo que el zapato.", "En el pueblo casi no hay otra cosa.",
    ...                       "In Chiniot it is carved furniture or nothing: the town has next to no other livelihood.",
    ...                       "No hay más remedio.", "There is no other way.")]
    [False, False, False, True, True]
    """
    pattern = _NEGATION_BY_LANGUAGE.get(language or "", _NEGATION)
    return pattern.search(AFFIRMING_IDIOMS.sub(" ", fold(sentence))) is not None


def language_of(text: str) -> str:
    """'en', 'es' or 'pt', by the commonest function words (a guess good enough to
    choose which glossary applies).

    >>> language_of("Os produtores já trabalham juntos e não confiam no governo.")
    'pt'
    >>> language_of("Los talleres no confían en la asociación y venden menos.")
    'es'
    >>> language_of("The firms do not trust the association.")
    'en'
    >>> language_of("Un banco ofrece un programa de quince millones de dólares.")
    'es'
    """
    words = re.findall(r"[\w']+", fold(text))
    marks = {
        "en": {"the", "and", "of", "to", "is", "are", "with", "their", "they", "for", "will", "have"},
        "es": {"el", "los", "las", "y", "del", "en", "con", "sus", "una", "para", "que", "hay", "muy", "por",
               "un", "de", "al", "se", "su", "es"},
        "pt": {"o", "os", "as", "e", "do", "da", "dos", "das", "em", "com", "uma", "para", "que", "nao", "ha",
               "no", "na", "nos", "pelo", "pela", "um", "de", "ao", "se", "seu", "sua"},
    }
    scores = {language: sum(word in vocabulary for word in words) for language, vocabulary in marks.items()}
    # Spanish and Portuguese share "que", "para", "en"/"em": letters decide between them.
    if "ñ" in text.lower() or re.search(r"\b(el|los|las|del|y)\b", text.lower()):
        scores["es"] += 2
    if re.search(r"[ãõç]|\b(não|são|também)\b", text.lower()):
        scores["pt"] += 3
    return max(scores, key=lambda language: (scores[language], language == "en"))


# A run of capitalised words inside a statement (not opening it), with the preposition
# that introduces it: "the furniture workshops of Damietta", "El Ministerio de Economía".
_CAPITALISED = re.compile(r"(?:\b(?:of|in|near|from|at|around|de|del|do|da|dos|das|en|em|no|na|nos|nas)\s+)?"
                          r"(?<=\s)[A-ZÁÉÍÓÚÑÂÊÔÃÕÇ][a-záéíóúñâêôãõçü]+(?:['’]s)?"
                          r"(?:\s+(?:de\s+|del\s+|do\s+|da\s+)?[A-ZÁÉÍÓÚÑÂÊÔÃÕÇ][a-záéíóúñâêôãõçü]+(?:['’]s)?)*")
_PREPOSITION = re.compile(r"^(?:of|in|near|from|at|around|de|del|do|da|dos|das|en|em|no|na|nos|nas)\s+")


def without_names(statement: str, known: frozenset[str] = frozenset()) -> str:
    """The statement without the proper names inside it: runs of capitalised words none
    of which is a `known` word (folded). The example sentences speak of "the firms" and
    "the town"; a description's place and firm names only pull its vector towards
    whatever examples share their letters. Institutions stay ("the Ministry of Economy")
    when their words are known ones.

    >>> without_names("The governorate will lead a programme for the furniture workshops of Damietta.")
    'The governorate will lead a programme for the furniture workshops.'
    >>> without_names("Hand-loom weavers in Addis Ababa's Shiro Meda work from home, selling to SMEs.")
    'Hand-loom weavers work from home, selling to SMEs.'
    >>> without_names("Bursa's suppliers cooperate with the Ministry of Economy.", frozenset({"ministry", "economy"}))
    "Bursa's suppliers cooperate with the Ministry of Economy."
    """
    def drop_unknown(match: re.Match) -> str:
        words = re.findall(r"[^\W\d_]+", fold(_PREPOSITION.sub("", match.group(0))))
        return match.group(0) if any(word in known for word in words if word not in ("s", "de", "del", "do", "da")) else ""
    return " ".join(_CAPITALISED.sub(drop_unknown, statement).split()).replace(" .", ".").replace(" ,", ",")


# A negated qualifier tacked onto a claim, up to the next comma: "with no formal
# training", "but not a huge programme", "sin formación". Verb negations ("the brands
# cannot find it elsewhere") are the claim itself and are not qualifiers. A preposition's
# qualifier may run longer ("sem que os produtores tenham voz na avaliação"); a relative
# clause's may not, or "o que mais os prejudica não é o míldio" would lose its subject.
_NEGATED_QUALIFIER = re.compile(
    r"(?:,\s*|\s)(?:(?:with no|without|sin|sem)(?:\s+[^\s,;.]+){1,8}|"
    r"(?:but not|and not|not even|pero no|mas nao|mas não|e nao|e não|y no|"
    r"almost none|hardly any|casi ninguno|casi ninguna|quase nenhum|quase nenhuma|"
    # a relative clause that never happens: "permits that never arrive"
    r"that never|which never|que nunca|que jamás|que jamas|that do not|that don't|which do not|que no|que não|que nao|"
    # ... or whose subject comes first: "a checklist that the growers neither know nor helped to write"
    r"(?:that|which|que)(?:\s+[^\s,;.]+){1,3}?\s+(?:not|never|neither|no|nunca|não|nao|ni|nem))"
    r"(?:\s+[^\s,;.]+){1,5})(?=\s*[,;.]|\s*$)|"
    # ... or an English contact clause of what they cannot handle: "pass on jobs they cannot take"
    r"(?<=s)\s(?:they|we|he|she)\s+(?:cannot|can't|can not|could not|couldn't)\s+"
    r"(?:take|handle|fill|meet|manage|finish|deliver|do|make|serve)(?:\s+(?:on|in|alone|themselves|yet))?"
    r"(?=\s*[,;.]|\s*$|\s+and\b)", re.IGNORECASE)


# A negation that only corrects: "what holds them back is not the competition but the
# province" states the province; the negated words are dropped with the correcting word.
_CORRECTED_NEGATION = re.compile(
    r"\b(?:(is|are|was|were) not|(is|are|was|were)n't)\s+(?:[^\s,;.:]+\s+){1,5}?but\s+(?:rather\s+)?|"
    r"\bno (es|son|era|eran|fue|fueron)\s+(?:[^\s,;.:]+\s+){1,5}?sino\s+(?:que\s+)?|"
    r"\bn[aã]o (e|é|s[aã]o|era|eram|foi|foram)\s+(?:[^\s,;.:]+\s+){1,5}?(?:mas sim|e sim|mas)\s+",
    re.IGNORECASE)


def without_negated_qualifiers(statement: str) -> str | None:
    """The statement without its negated qualifiers, when what remains is affirmative
    (None when it has none, or the rest negates too). The rest is read as an affirmative
    statement next to the whole: "hand-loom weavers work from home, with no formal
    training, and sell to traders" affirms a survival cluster, which the one negation
    otherwise kept from every affirmative example.

    >>> without_negated_qualifiers("Weavers work from home, with no formal training, and sell to traders.")
    'Weavers work from home, and sell to traders.'
    >>> without_negated_qualifiers("A moderate budget, well beyond seed money but not a huge programme, for looms.")
    'A moderate budget, well beyond seed money, for looms.'
    >>> without_negated_qualifiers("La alcaldía es su mayor problema, con multas y permisos que nunca llegan.")
    'La alcaldía es su mayor problema, con multas y permisos.'
    >>> without_negated_qualifiers("Lo que más les traba el negocio no es la competencia sino la propia provincia.")
    'Lo que más les traba el negocio es la propia provincia.'
    >>> without_negated_qualifiers("What holds them back most is not the competition but the permits office.")
    'What holds them back most is the permits office.'
    >>> without_negated_qualifiers("Eighty carpenters work alone under tin roofs, almost none with a licence, and undercut each other.")
    'Eighty carpenters work alone under tin roofs, and undercut each other.'
    >>> without_negated_qualifiers("Auditors will inspect each group with a checklist that the growers neither know nor helped write.")
    'Auditors will inspect each group with a checklist.'
    >>> without_negated_qualifiers("Auditores virão de fora vistoriar cada cooperativa, sem que os produtores tenham voz na avaliação.")
    'Auditores virão de fora vistoriar cada cooperativa.'
    >>> without_negated_qualifiers("O que mais os prejudica não é o míldio nem o preço da uva, é a própria administração.") is None
    True
    >>> without_negated_qualifiers("The owners lend each other machines, pass on jobs they cannot take, and meet monthly.")
    'The owners lend each other machines, pass on jobs, and meet monthly.'
    >>> without_negated_qualifiers("The owners say they cannot take more risks.") is None
    True
    >>> without_negated_qualifiers("A precision the big brands cannot find elsewhere.") is None
    True
    >>> without_negated_qualifiers("Owners are not interested, with no exception.") is None
    True
    """
    rest, corrected = _CORRECTED_NEGATION.subn(
        lambda match: next((verb + " " for verb in match.groups() if verb), ""), statement)
    rest, count = _NEGATED_QUALIFIER.subn("", rest)
    count += corrected
    if not count:
        return None
    rest = " ".join(rest.replace(" ,", ",").split())
    rest = re.sub(r",\s*,", ",", rest).strip(" ,")
    if len(rest.split()) < 4 or negates(rest):
        return None
    return rest
