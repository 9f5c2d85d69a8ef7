"""How alike a description's statements are to the example sentences of
kb/attribute_examples.yaml (issue 9): cosines on one scale for the three languages,
each statement's nearest values only, and its nearness to the neutral statements.
What the reader makes of these numbers is indexer/advisor/inference.py's concern.

Spanish and Portuguese: the model is English-only, so a statement in those languages
is compared as written with the same-language examples, and glossed into rough English
(kb/description_lexicon.yaml) with the English examples; the better match counts.
"""

from __future__ import annotations

import numpy as np

from indexer.advisor.examples import ExampleBank, Lexicon, known_words, language_baselines
from indexer.advisor.sentences import language_of, negates, without_names

# The number of nearest values (over all attributes) a statement counts for.
NEIGHBOURS = 5
# A statement this close to a neutral one (kb/attribute_examples.yaml `neutral`) must be
# nearer to a value's example than to it to support the value. Below it, the nearest
# neutral statement is only a topic shared (0.45 cost a fresh profile, 0.55 two neutral ones).
PLAIN_FLOOR = 0.5


class Likeness:
    """The example sentences' embeddings, with what comparing a statement with them needs."""

    def __init__(self, bank: ExampleBank, lexicon: Lexicon, matrix: np.ndarray, neighbours: int = NEIGHBOURS,
                 always_compared: frozenset[str] = frozenset()):
        self.lexicon, self.matrix, self.neighbours = lexicon, matrix, neighbours
        self.known = known_words(bank, lexicon)
        self.example_lang = np.array([example.lang for entry in bank.attributes.values()
                                      for example in entry.examples] + [example.lang for example in bank.neutral])
        # Examples grouped by what they say (attribute and value, or the contrast they are),
        # in an order that puts each group's examples side by side for one reduce per group.
        said = [(name, example.value, example.contrast_for if example.value is None else None)
                for name, entry in bank.attributes.items() for example in entry.examples]
        said += [("", None, None)] * len(bank.neutral)
        self.neutral_rows = bank.neutral_rows()
        groups = {key: index for index, key in enumerate(dict.fromkeys(said))}
        self.example_group = np.array([groups[key] for key in said], dtype=np.int64)
        self.group_order = np.argsort(self.example_group, kind="stable")
        self.group_starts = np.searchsorted(self.example_group[self.group_order], np.arange(len(groups)))
        self.baselines = language_baselines(matrix, self.example_lang)
        # Attributes whose examples every statement is compared with, nearest or not (the
        # reader keeps them where a statement's words name a side).
        self.always = np.array([key[0] in always_compared for key in said], dtype=bool)

    def of(self, statements: list[str], encode_many,
                      whole: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Statements x examples cosine (the better of as-written and glossed, each against
        the examples of its language), each statement's polarity, the description's
        vector (the mean of the first `whole` statements: the description's own sentences),
        each statement's plainness (see plainness), and statements x examples: is the
        example among the statement's nearest values (always-compared ones may not be)."""
        languages = [language_of(statement) for statement in statements]
        unnamed = [without_names(statement, self.known) for statement in statements]
        glossed = [self.lexicon.gloss(statement, language) if language != "en" else ""
                   for statement, language in zip(unnamed, languages)]
        texts = unnamed + [g for g in glossed if g]
        vectors = np.asarray(encode_many(texts), dtype=np.float32)
        cosines = self._cosines(vectors)
        raw = np.stack([self._on_english_scale(row, language)
                        for row, language in zip(cosines[:len(statements)], languages)])
        same_language = self.example_lang[None, :] == np.array(languages)[:, None]
        similarities = self._standing_out(raw, same_language)
        nearest = self._standing_out(raw, same_language, keep_always=False) > -1.0
        plain = self.plainness(np.where(same_language, raw, -1.0))
        row = len(statements)
        english = np.broadcast_to(self.example_lang == "en", raw.shape[1:])
        for index, gloss in enumerate(glossed):
            if gloss:
                scores = self._standing_out(cosines[row][None, :], english[None, :])[0]
                similarities[index] = np.maximum(similarities[index], scores)
                nearest[index] |= self._standing_out(cosines[row][None, :], english[None, :], False)[0] > -1.0
                plain[index] = max(plain[index], self.plainness(np.where(english, cosines[row], -1.0)[None, :])[0])
                row += 1
        polarity = np.array([negates(statement, language) for statement, language in zip(statements, languages)])
        # One batch serves both: the statements' mean stands for the whole description
        # (encoding it again would double the model's time per request).
        mean = vectors[:whole or len(statements)].mean(axis=0)
        return similarities, polarity, mean / max(float(np.linalg.norm(mean)), 1e-9), plain, nearest

    def _on_english_scale(self, cosines: np.ndarray, language: str) -> np.ndarray:
        """A non-English statement's cosines with the examples, put on the scale of English
        ones: the English-only model finds any two sentences of one foreign language alike
        (the mean cosine between two Spanish examples is about twice that between two
        English ones), so a Spanish sentence's 0.6 with a Spanish example says less than
        0.6 in English. Linear, fixing the language's mean and 1.0."""
        if language == "en" or language not in self.baselines or "en" not in self.baselines:
            return cosines
        own, english = self.baselines[language], self.baselines["en"]
        return (cosines - own) / (1.0 - own) * (1.0 - english) + english

    def _cosines(self, vectors: np.ndarray) -> np.ndarray:
        """Texts x examples cosine similarities. One matrix-vector product per text: a
        matrix-matrix product of these small shapes takes OpenBLAS's threaded path,
        some 300 times slower here on a busy two-core machine (16 ms against 0.05 ms)."""
        return np.stack([self.matrix @ vector for vector in vectors])

    def _standing_out(self, similarities: np.ndarray, pool: np.ndarray, keep_always: bool = True) -> np.ndarray:
        """Each statement's similarities to the examples of its `neighbours` nearest values
        within `pool` (the others -1): a statement is evidence only for what its nearest
        examples say. A generic statement ("the city wants a cluster initiative") is
        moderately close to examples of every attribute, but only a few are its nearest;
        and the English-only model finds any two Spanish sentences alike, which ranking
        within the Spanish examples discounts. Values are ranked by their best example,
        so one value's near-duplicate examples do not crowd out the other attributes a
        statement states ("the national ministry will select six sectors" is a public
        driver AND a top-down approach; five public-driver examples were its five nearest).
        The examples of `always_compared` attributes are kept whatever their rank, unless
        not `keep_always`."""
        masked = np.where(pool, similarities, -1.0)
        keep = min(self.neighbours, len(self.group_starts))
        if keep == 0 or masked.shape[1] == 0:
            return masked
        by_group = np.maximum.reduceat(masked[:, self.group_order], self.group_starts, axis=1)
        cutoff = -np.sort(-by_group, axis=1)[:, keep - 1:keep]
        kept = by_group[:, self.example_group] >= cutoff
        if keep_always:
            kept = kept | self.always[None, :]
        return np.where(pool & kept & (masked > -1.0), masked, -1.0)

    def plainness(self, similarities: np.ndarray) -> np.ndarray:
        """Each text's similarity to its nearest neutral statement, when at least
        PLAIN_FLOOR (else -1): a value's support must beat it. "A new programme" is
        moderately close to a top-down, a large-fund and a federation example alike; it
        is closer still to "a programme for the region", which says nothing.

        >>> from indexer.advisor.examples import Example
        >>> bank = ExampleBank({}, ("A programme for the region.", "Notes."),
        ...                    (Example("A programme for the region.", None, None, "en", False),
        ...                     Example("Notes.", None, None, "en", False)))
        >>> Likeness(bank, Lexicon({}), np.eye(2)).plainness(np.array([[0.7, 0.2], [0.3, 0.45]])).tolist()
        [0.7, -1.0]
        """
        if not len(self.neutral_rows):
            return np.full(similarities.shape[0], -1.0)
        best = similarities[:, self.neutral_rows.start:self.neutral_rows.stop].max(axis=1)
        return np.where(best >= PLAIN_FLOOR, best, -1.0)
