"""Reading a description: statements, negation, the threshold and margin, given values win."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.advisor.examples import AttributeExamples, Example, ExampleBank, Lexicon
from indexer.advisor.inference import DescriptionReader, Support
from indexer.advisor.sentences import negates, split_sentences


@pytest.mark.parametrize("text, expected", [
    ("Sales fell. Owners distrust each other.", ["Sales fell.", "Owners distrust each other."]),
    ("Compiten mucho, pero comparten un técnico.", ["Compiten mucho,", "pero comparten un técnico."]),
    ("As vendas caíram! E agora?", ["As vendas caíram!", "E agora?"]),
    ("Dr. Silva leads it, e.g. in Lima.", ["Dr. Silva leads it, e.g. in Lima."]),
])
def test_statements_in_three_languages(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize("sentence", ["The workshops are no longer doing well.", "There are not yet any firms.",
                                      "Ya no venden como antes.", "No hay empresas.", "Não há nenhuma fábrica.",
                                      "Ninguno coopera."])
def test_negations_are_seen(sentence):
    assert negates(sentence)


def _bank():
    examples = (Example("doing well", "doing-well", None, "en", False),
                Example("under pressure", "under-pressure", None, "en", False),
                Example("no longer doing well", "under-pressure", "doing-well", "en", True))
    return ExampleBank({"pressure": AttributeExamples("pressure", False, ("under-pressure", "doing-well"),
                                                      examples)},
                       tuple(example.text for example in examples))


def _encoder(vectors: dict[str, list[float]]):
    def encode_many(texts):
        return np.array([vectors[text] for text in texts], dtype=np.float32)
    return encode_many


MATRIX = np.array([[1, 0, 0], [0, 1, 0], [0.6, 0.3, 0.74]], dtype=np.float32)


def test_a_value_is_read_above_the_threshold_with_a_margin():
    reader = DescriptionReader(_bank(), Lexicon({}), [], MATRIX, threshold=0.5, margin=0.05)
    reading = reader.read("Business is great.", set(), _encoder({"Business is great.": [0.9, 0.1, 0]}))
    assert reading.values() == {"pressure": "doing-well"}
    assert reading.inferred[0].sentence == "Business is great." and reading.inferred[0].confidence == 0.9


def test_a_negated_statement_does_not_support_the_affirmative_value():
    reader = DescriptionReader(_bank(), Lexicon({}), [], MATRIX, threshold=0.5, margin=0.05)
    text = "They are no longer great."
    reading = reader.read(text, set(), _encoder({text: [0.9, 0.1, 0.0]}))
    assert reading.values().get("pressure") != "doing-well"


def test_two_close_values_read_neither_and_below_threshold_nothing():
    reader = DescriptionReader(_bank(), Lexicon({}), [], MATRIX, threshold=0.5, margin=0.05)
    assert reader.decide([Support("a", 0.7, "x"), Support("b", 0.68, "y")]) == (None, True)
    reading = reader.read("Meh.", set(), _encoder({"Meh.": [0.3, 0.3, 0.3]}))
    assert reading.values() == {}


def test_given_values_are_never_read():
    reader = DescriptionReader(_bank(), Lexicon({}), [], MATRIX, threshold=0.5, margin=0.05)
    reading = reader.read("Business is great.", {"pressure"}, _encoder({"Business is great.": [0.9, 0.1, 0]}))
    assert reading.inferred == ()


def test_without_a_model_only_phrases_are_read():
    reader = DescriptionReader(_bank(), Lexicon({}), [], None)
    reading = reader.read("Business is great.", set(), None)
    assert not reading.by_meaning and reading.inferred == ()
