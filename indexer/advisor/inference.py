"""Reading a new initiative's attributes from its description (issue 9).

Two passes over the description's statements (sentences, and clauses after a "but"):

1. Phrases (precise, always on): the evidence phrases of kb/rules.yaml. A phrase that
   occurs, not negated, narrows the attribute to the values its rule accepts; phrases
   that disagree (say "crisis" and "booming") leave the attribute undecided.
2. Meaning (with the sentence model): each statement is compared with the example
   sentences of kb/attribute_examples.yaml. A statement supports a value through its
   nearest example of that value, only if both agree in polarity (a negated statement
   never supports a value through an affirmative example: "no longer doing well" is
   not "doing well") and it is nearer to that example than to the value's contrast
   sentences. A value is read when its best support reaches THRESHOLD and leads the
   runner-up by MARGIN; two values both supported closely (opposites) read neither,
   unless the rules treat them alike. A value that is two others at once (a mixed
   culture: some firms cooperate, others not) is read when one sentence states both.
   A statement supports a few attributes at most (PER_STATEMENT), those it states most
   clearly: a sentence near the examples of six attributes is about none of them.

   For some attributes a statement's words then steer it (indexer/advisor/words.py):
   they name the value (which way a trend goes), or the statement needs them at all.

How alike a statement is to the examples is indexer/advisor/likeness.py's concern.

An attribute the profile gives explicitly is never read: given values always win.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np

from indexer.advisor.examples import AttributeExamples, ExampleBank, Lexicon
from indexer.advisor.likeness import NEIGHBOURS, Likeness
from indexer.advisor.lifts import lift_for
from indexer.advisor.readings import (MEANING, PHRASE, Inferred, Reading, Support, contrast_wins,
                                      implied, mixed)
from indexer.advisor.rules import Rule, values_treated_alike
from indexer.advisor.sectors import SectorFinder
from indexer.advisor.cooperation import CooperationWords
from indexer.advisor.gates import GateWords
from indexer.advisor.phrasing import lacking_activities, named_sums, phrase_text, phrase_values
from indexer.advisor.trends import ANY, TrendWords, steer
from indexer.advisor.values import ValueWords
from indexer.advisor.sentences import (clauses, language_of, short_clauses, split_sentences,
                                      without_negated_qualifiers)

# Cosine a statement must reach with an example to count. MiniLM puts close paraphrases
# at 0.6-0.8 and same-topic statements at 0.4-0.6; 0.5 left half the attributes a
# careful reader sees unread (benchmarks/advisor_profiles.py), 0.35 began to read
# neighbouring concepts.
THRESHOLD = 0.4
# Lead over the runner-up value of the same attribute.
MARGIN = 0.02
# Activities are several at once; each must be stated a little more clearly. Their
# examples are noun phrases ("joint purchase of equipment") met inside longer sentences,
# which puts their cosines lower than sentence-to-sentence ones: 0.5 left 10 of 20
# held-out activities unread, 0.45 reads 14 with no false reading.
LIST_THRESHOLD = 0.45
# Attributes one statement may support by meaning (activities apart: a plan lists
# several; the driver too: the leading body states it). Over the tuning sets 3 lost no
# profile and cut unexpected fires by 7% against a limit on readings; 2 lost eight
# profiles; 4 kept 9% more unexpected fires than 3 (benchmarks/advisor_profiles.py).
PER_STATEMENT = 3
# What a statement's words add to its support when they name the value the model's
# topic is steered to (indexer/advisor/trends.py, cooperation.py): two signals agree.
# Over the tuning sets 0.05 passed seven more profiles than no steering; 0.03 one fewer,
# 0.08 one fewer (benchmarks/advisor_profiles.py).
WORDS_BONUS = 0.05
# Pieces whose language and gloss the reader keeps, at most.
GLOSS_MEMO = 4096


class DescriptionReader:
    """Reads descriptions against one example bank (and its embeddings, when there is a model)."""

    def __init__(self, bank: ExampleBank, lexicon: Lexicon, rules: Sequence[Rule],
                 matrix: np.ndarray | None = None, threshold: float = THRESHOLD, margin: float = MARGIN,
                 list_threshold: float = LIST_THRESHOLD, neighbours: int = NEIGHBOURS,
                 sectors: SectorFinder | None = None, per_statement: int = PER_STATEMENT,
                 directions: Sequence[TrendWords | CooperationWords | GateWords] = ()):
        self.bank, self.lexicon, self.rules = bank, lexicon, list(rules)
        self.sectors = sectors
        # Attributes steered by words: the words name a value's direction, or are needed.
        self.directions = {words.attribute: words for words in directions}
        self._glossed: dict[str, tuple[str, str]] = {}
        self.matrix = matrix
        self.threshold, self.margin, self.list_threshold = threshold, margin, list_threshold
        self.per_statement = per_statement
        self.alike = values_treated_alike(self.rules)
        # Masks over the examples, computed once: the reading runs on every request.
        self.masks = {name: (np.array([example.negated for example in entry.examples], dtype=bool),
                             {value: (np.array([example.value == value for example in entry.examples], dtype=bool),
                                      np.array([example.contrast_for == value for example in entry.examples],
                                               dtype=bool))
                              for value in entry.values})
                      for name, entry in bank.attributes.items()}
        self.rows = {name: bank.rows(name) for name in bank.attributes}
        # A statement whose words name a side (sales fell; they buy together) speaks of the
        # attribute whether or not it is among the statement's nearest values: "the eating
        # houses lost much of their weekend custom" was nearer to five others in a long sentence.
        self.sided = frozenset(name for name, words in self.directions.items()
                               if (isinstance(words, (TrendWords, CooperationWords)) and words.required)
                               or (isinstance(words, GateWords) and words.values_decide)
                               or isinstance(words, ValueWords))
        self.likeness = Likeness(bank, lexicon, matrix, neighbours, self.sided) if matrix is not None else None
        self.baselines = self.likeness.baselines if self.likeness is not None else {}

    def read(self, description: str, given: Iterable[str],
             encode_many: Callable[[list[str]], np.ndarray] | None, country: str | None = None) -> Reading:
        """The attributes the description states, except those in `given` (`country`, the
        profile's, places the sums it names)."""
        given = set(given)
        statements = split_sentences(description)
        if not statements:
            return Reading((), frozenset(), encode_many is not None and self.matrix is not None)
        # Each statement folded, with its English gloss: where the rules' phrases are looked for.
        searched = [phrase_text(statement, self.lexicon) for statement in statements]
        narrowed, phrase_hits, conflicting, unstated = phrase_values(self.rules, statements, searched, given,
                                                                     self._may_state)
        lacking = lacking_activities(self.rules, searched)
        inferred: list[Inferred] = []
        if self.sectors is not None and "sectors" not in given:
            inferred += [Inferred("sectors", sector, statement, 1.0, PHRASE)
                         for sector, statement in self.sectors.find(statements)]
        for attribute, values in narrowed.items():
            if len(values) == 1:
                value = next(iter(values))
                inferred.append(Inferred(attribute, value, phrase_hits[attribute], 1.0, PHRASE))
        closed = given | set(narrowed) | conflicting
        inferred += named_sums(statements, closed, lambda statement: self._words_name("research_budget", statement),
                               country)
        by_meaning = encode_many is not None and self.matrix is not None
        undecided = set(conflicting)
        vector = None
        if by_meaning:
            assert encode_many is not None and self.likeness is not None
            # Clauses of long statements are read too (their vectors are not the description's),
            # and so is a statement's affirmative rest once its negated qualifiers are cut (shown
            # as the statement: the user did not write the rest). Short clauses are read only
            # as contrasts (see _support_rows).
            rests = [[rest] if (rest := without_negated_qualifiers(statement)) else [] for statement in statements]
            written = [clauses(statement) for statement in statements]
            # A clause is read without its negated qualifiers too ("..., pass on jobs they
            # cannot take"), and shown as written.
            split = [[without_negated_qualifiers(clause) or clause for clause in parts] for parts in written]
            short = [short_clauses(statement) for statement in statements]
            pieces = statements + [clause for parts in split + rests + short for clause in parts]
            # Each piece's statement: a statement is its own, a clause the one it comes from.
            parent = np.array(list(range(len(statements))) + [
                index for index, parts in [*enumerate(split), *enumerate(rests), *enumerate(short)] for _ in parts],
                dtype=np.int64)
            rested = len(statements) + sum(map(len, split))
            shown = [statements[parent[i]] if rested <= i < rested + sum(map(len, rests)) else piece
                     for i, piece in enumerate(pieces)]
            shown[len(statements):rested] = [clause for parts in written for clause in parts]
            readable = np.arange(len(pieces)) < len(pieces) - sum(len(parts) for parts in short)
            # A statement whose only negations qualify it is read through its affirmative
            # rest: as a whole it would be heard as negated ("the owners lend each other
            # machines, pass on jobs they cannot take, ..." was nobody cooperating).
            readable[:len(statements)] &= np.array([not parts for parts in rests], dtype=bool)
            # The sentence each shown text belongs to (";" and "but" cut a sentence into statements).
            sentence = np.cumsum([0] + [not text.rstrip("\"'”»)").endswith((",", ";")) for text in statements])[:-1]
            sentence_of = {text: int(sentence[parent[i]]) for i, text in enumerate(shown)}
            similarities, polarity, vector, plain, nearest = self.likeness.of(pieces, encode_many, len(statements))
            done = {item.attribute for item in inferred} | given | conflicting
            named = {attribute: contrast_wins(self._named(attribute, pieces, parent, len(statements)), parent,
                                              sentence, statements)
                     for attribute in self.directions.keys() - done}
            plainness, affirmed, readable_for = {}, {}, {}
            for attribute in self.sided & named.keys():
                # A short clause whose own words name a side is read, not only a contrast:
                # "entre los artesanos no hay confianza: ...".
                readable_for[attribute] = readable | np.array([self.directions[attribute].value_of(
                    piece, self._language_and_gloss(piece)[0]) not in (None, ANY) for piece in pieces])
                columns = slice(self.rows[attribute].start, self.rows[attribute].stop)
                sideless = np.array([value in (None, ANY) for value in named[attribute]])
                similarities[:, columns] = np.where(sideless[:, None] & ~nearest[:, columns], -1.0,
                                                    similarities[:, columns])
                plainness[attribute] = np.where(sideless, plain, -1.0)  # its words say it is not plain
                if isinstance(self.directions[attribute], (GateWords, ValueWords)):
                    # A gate's value named outright, or the buyers' by their own phrases, its
                    # negations read ("lo que más les traba ... no es el precio sino el gobierno";
                    # "... e não deixam nenhuma fazenda usar marca própria"): the statement
                    # affirms it. (A culture's side is heard better against the negated
                    # examples: "nobody cares about ...".)
                    affirmed[attribute] = polarity & sideless

            def read_attribute(attribute, entry, support):
                allowed = narrowed.get(attribute)
                supports = self._supports(entry, shown, support)
                if allowed:
                    supports = [s for s in supports if s.value in allowed]
                if entry.is_list:  # a phrase saying the plan lacks an activity outweighs a reading of it
                    supports = [s for s in supports if s.value not in lacking]
                    return [Inferred(attribute, s.value, s.sentence, round(s.score, 3), MEANING)
                            for s in supports if s.score >= self.list_threshold], False
                supports = mixed(supports, entry.mixtures, self.threshold,
                                 lambda one, other: sentence_of.get(one) == sentence_of.get(other))
                chosen, ambiguous = self.decide(supports, entry.threshold, self.alike.get(attribute, ()),
                                                entry.mixtures)
                if chosen is not None:
                    return [Inferred(attribute, chosen.value, chosen.sentence, round(chosen.score, 3), MEANING)], False
                return [], ambiguous

            support = {attribute: self._support_rows(entry, similarities[:, self.rows[attribute].start:
                                                                          self.rows[attribute].stop],
                                                     affirmed.get(attribute, polarity), parent,
                                                     readable_for.get(attribute, readable),
                                                     None if self._gated_by_words(attribute)
                                                     else plainness.get(attribute, plain))
                       for attribute, entry in self.bank.attributes.items() if attribute not in done}
            for attribute in self.directions.keys() & support.keys():
                # The model says what a statement is about, its words say which way it goes.
                words = self.directions[attribute]
                support[attribute] = steer(support[attribute], self.bank.attributes[attribute].values,
                                           named[attribute], WORDS_BONUS, words.required,
                                           lift_for(words, self.bank.attributes[attribute].threshold))
                for value in getattr(words, "needs_phrases", ()):
                    column = self.bank.attributes[attribute].values.index(value)
                    support[attribute][[named_value != value for named_value in named[attribute]], column] = -1.0
            # A statement supports only the attributes it states most clearly.
            for attribute, rows in self._beyond_clearest(support, parent).items():
                if attribute in named:  # its words named the value: they, not the model, state it
                    rows = rows & np.array([value in (None, ANY) for value in named[attribute]])
                support[attribute] = np.where(rows[:, None], -1.0, support[attribute])
            for attribute, matrix in support.items():
                found, ambiguous = read_attribute(attribute, self.bank.attributes[attribute], matrix)
                inferred += found
                if ambiguous:
                    undecided.add(attribute)
        # The leading body settles a driver the description left undecided (Table 3).
        inferred = implied(inferred, given)
        if any(item.attribute == "driver" for item in inferred):
            undecided.discard("driver")
        return Reading(tuple(inferred), frozenset(undecided), by_meaning, vector if by_meaning else None,
                       " ".join(searched), unstated - {item.attribute for item in inferred})

    def _beyond_clearest(self, matrices: dict[str, np.ndarray], parent: np.ndarray) -> dict[str, np.ndarray]:
        """Attribute -> the rows (pieces) whose statement states other attributes more
        clearly: each statement supports at most `per_statement` attributes (activities and
        the driver apart), those it supports furthest above their thresholds."""
        counted = [attribute for attribute in matrices
                   if not self.bank.attributes[attribute].is_list and attribute != "driver"]
        statements = np.unique(parent)
        leads = np.full((len(statements), len(counted)), -1.0)
        for column, attribute in enumerate(counted):
            matrix = matrices[attribute]
            best = matrix.max(axis=1) if matrix.shape[1] else np.full(len(parent), -1.0)
            need = max(self.threshold, self.bank.attributes[attribute].threshold or 0.0)
            for row, statement in enumerate(statements):
                here = best[parent == statement]
                if here.size and here.max() >= need:
                    leads[row, column] = here.max() - need
        hidden = {}
        for column, attribute in enumerate(counted):
            rank = (leads > leads[:, column:column + 1]).sum(axis=1)
            beyond = statements[(leads[:, column] >= 0) & (rank >= self.per_statement)]
            if beyond.size:
                hidden[attribute] = np.isin(parent, beyond)
        return hidden

    def decide(self, supports: Sequence[Support], threshold: float | None = None,
               alike: Iterable[frozenset[str]] = (),
               mixtures: Iterable[tuple[str, tuple[str, str]]] = ()) -> tuple[Support | None, bool]:
        """(the value read, or None; whether two values were too close to choose). An
        attribute's own `threshold`, when stricter, replaces the reader's; a runner-up
        the rules treat `alike` with the best value does not make the reading ambiguous,
        nor does a mixture of the best value and another that nothing states ("the owners
        already talk of doing more together" is a little like "some cooperate, others
        refuse", but nothing says that others refuse).

        >>> reader = DescriptionReader(ExampleBank({}), Lexicon({}), [])
        >>> reader.decide([Support("a", 0.7, "s1"), Support("b", 0.3, "s2")])[0].value
        'a'
        >>> reader.decide([Support("a", 0.7, "s1"), Support("b", 0.68, "s2")])
        (None, True)
        >>> reader.decide([Support("a", 0.7, "s1"), Support("b", 0.68, "s2")], alike=[frozenset("ab")])[0].value
        'a'
        >>> reader.decide([Support("a", 0.3, "s1")])
        (None, False)
        >>> reader.decide([Support("a", 0.5, "s1")], 0.6)
        (None, False)
        >>> mixture = [("ab", ("a", "b"))]
        >>> reader.decide([Support("a", 0.7, "s1"), Support("ab", 0.69, "s1")], mixtures=mixture)[0].value
        'a'
        >>> reader.decide([Support("a", 0.7, "s1"), Support("ab", 0.69, "s1"), Support("b", 0.5, "s2")],
        ...               mixtures=mixture)
        (None, True)
        """
        ranked = sorted(supports, key=lambda s: -s.score)
        need = max(self.threshold, threshold or 0.0)
        if not ranked or ranked[0].score < need:
            return None, False
        kin = set().union(*(group for group in alike if ranked[0].value in group))
        stated = {s.value for s in ranked if s.score >= need}
        kin |= {mixture for mixture, parts in mixtures
                if ranked[0].value in parts and not (set(parts) - {ranked[0].value}) & stated}
        rivals = [s for s in ranked[1:] if s.value not in kin]
        if rivals and ranked[0].score - rivals[0].score < self.margin:
            return None, True
        return ranked[0], False

    # -- the two passes -------------------------------------------------------

    def _may_state(self, attribute: str, statement: str) -> bool:
        """May the rules' phrases for `attribute` be read in the statement? Not without the
        words of a gate file that gates phrases (`gates_phrases`): "the chamber of commerce
        has lent us its meeting room" names a chamber, and no body that leads."""
        if not getattr(self.directions.get(attribute), "gates_phrases", False):
            return True
        return self._words_name(attribute, statement)

    def _words_name(self, attribute: str, statement: str) -> bool:
        """Do the attribute's words name a value, or the topic, in one statement? (False
        when the content has no words for it.)"""
        if attribute not in self.directions:
            return False
        return self._named(attribute, [statement], np.zeros(1, dtype=np.int64), 1)[0] is not None

    def _gated_by_words(self, attribute: str) -> bool:
        """Do the attribute's words alone decide whether a statement can state it (the
        lead and the driver)? Then they, not nearness to a neutral statement, tell a
        plain statement from one that is."""
        words = self.directions.get(attribute)
        return words is not None and words.replaces_plainness

    def _named(self, attribute: str, pieces: Sequence[str], parent: np.ndarray, whole: int) -> list[str | None]:
        """Per piece, the `attribute` value its words name (None: none). A clause takes
        its statement's value when the statement names one: "two of them laughed when we
        mentioned a joint project" is no joint work in a statement about refusing it."""
        words = self.directions[attribute]
        named: list[str | None] = []
        for piece in pieces:
            language, gloss = self._language_and_gloss(piece)
            own = words.value_of(piece, language)
            found = {own}
            # A value the statement's own words name outweighs its rough gloss's: the gloss
            # makes "associação comercial" a chamber of commerce.
            if words.reads_gloss and gloss and own in (None, ANY):
                found.add(words.value_of(gloss, "en"))
            found.discard(None)
            if len(found) > 1:
                found.discard(ANY)  # a value named outright says more than "may state it"
            named.append(found.pop() if len(found) == 1 else None)
        return [named[int(parent[i])] if i >= whole and named[int(parent[i])] is not None else value
                for i, value in enumerate(named)]

    def _language_and_gloss(self, piece: str) -> tuple[str, str]:
        """A piece's language and English gloss ('' for English), computed once: every
        words-steered attribute asks for them (the memo is bounded: pieces recur only
        within a request and across requests for the same description)."""
        found = self._glossed.get(piece)
        if found is None:
            if len(self._glossed) >= GLOSS_MEMO:
                self._glossed.clear()
            language = language_of(piece)
            found = self._glossed[piece] = (language, self.lexicon.gloss(piece, language) if language != "en" else "")
        return found

    @staticmethod
    def _supports(entry: AttributeExamples, statements: list[str], support: np.ndarray) -> list[Support]:
        """Each value's best support over the statements (`support`: see _support_rows)."""
        supports = []
        for column, value in enumerate(entry.values):
            best = int(np.argmax(support[:, column]))
            if support[best, column] > 0:
                supports.append(Support(value, float(support[best, column]), statements[best]))
        return supports

    def _support_rows(self, entry: AttributeExamples, similarities: np.ndarray, polarity: np.ndarray,
                      parent: np.ndarray | None = None, readable: np.ndarray | None = None,
                      plain: np.ndarray | None = None) -> np.ndarray:
        """Statements x values: how much each statement supports each value (-1: not). A
        statement nearer to one of a value's contrasts than to its examples supports
        nothing; so does a statement one of whose clauses (`parent`: each row's statement)
        is: "..., and the association is divided" is generically close to "the association
        leads it" as a whole, yet its clause is plainly a contrast (an association
        described, not one leading). Rows not `readable` (short clauses) only contradict."""
        negated, by_value = self.masks[entry.attribute]
        agree = negated[None, :] == polarity[:, None]
        if readable is not None:
            agree = agree & readable[:, None]
        columns = []
        for value in entry.values:
            positive, contrast = by_value[value]
            support = np.where(positive[None, :] & agree, similarities, -1.0).max(axis=1)
            if contrast.any():
                against = np.where(contrast[None, :], similarities, -1.0).max(axis=1)
                if parent is not None:
                    np.maximum.at(against, parent, against.copy())
                support = np.where(support > against, support, -1.0)
            if plain is not None:
                support = np.where(support > plain, support, -1.0)
            columns.append(support)
        return np.stack(columns, axis=1) if columns else np.zeros((len(similarities), 0))
