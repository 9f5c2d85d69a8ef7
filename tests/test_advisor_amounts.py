"""The funding level a description states by naming a sum of money (issue 9)."""

from __future__ import annotations

import pytest

from indexer.advisor.amounts import LARGE_FROM, SEED_BELOW, dollars_in, funding_level

SUMS = [
    # The sentence model read these as seed money or not at all.
    ("A donor will put twenty million dollars into the kente weavers of Bonwire.", "large"),
    ("Un banco de desarrollo ofrece un programa de quince millones de dólares.", "large"),
    ("La cooperación pone a disposición un fondo de cinco millones de dólares.", "large"),
    ("O governo federal oferece um programa de vários milhões de reais para elas.", "large"),
    ("The ministry has a budget of US$ 2.5 million for the programme.", "large"),
    ("A programme of half a million euros.", "large"),
    ("El presupuesto del programa es de 250.000 dólares.", "moderate"),
    ("O fundo tem duzentos mil reais.", "seed"),
    ("The grant is $20,000 for the first workshops.", "seed"),
    # "an export cluster" is what the money is for, not what the firms sell
    ("Un banco de cooperación ofrece un programa de doce millones de dólares para un clúster exportador.", "large"),
    ("A $3 million fund for an export consortium.", "large"),
    # "a few thousand" was read by meaning as a large fund
    ("The programme pays seed grants of a few thousand dinars to groups of presses.", "seed"),
]


@pytest.mark.parametrize("sentence, level", SUMS, ids=[sentence for sentence, _ in SUMS])
def test_a_sum_put_into_the_initiative_gives_its_funding_level(sentence, level):
    assert funding_level(sentence) == level


@pytest.mark.parametrize("sentence", [
    # Zamora's frog producers' exports (983) are turnover, not a fund.
    "Their annual exports amount to more than one million US dollars.",
    "Las bodegas venden cinco millones de dólares al año.",
    "O programa ajuda os produtores de Franca.",  # a programme, but no sum
    "The workshops employ about 300 people.",  # a number, but no money
    "Un fondo de diez millones de pesos.",  # pesos differ two hundredfold by country
])
def test_no_funding_level_without_a_sum_put_into_the_initiative(sentence):
    assert funding_level(sentence) is None


def test_the_levels_follow_the_thresholds():
    assert dollars_in(f"A fund of {LARGE_FROM} dollars.") == LARGE_FROM
    assert funding_level(f"A fund of {LARGE_FROM} dollars.") == "large"
    assert funding_level(f"A fund of {LARGE_FROM - 1} dollars.") == "moderate"
    assert funding_level(f"A fund of {SEED_BELOW - 1} dollars.") == "seed"


def test_a_description_naming_a_sum_reads_its_funding_level_even_without_a_model():
    from indexer.advisor.examples import ExampleBank, Lexicon
    from indexer.advisor.inference import DescriptionReader

    reader = DescriptionReader(ExampleBank({}), Lexicon({}), [])
    text = "The weavers work alone. A donor will put twenty million dollars into them."
    reading = reader.read(text, set(), None)
    assert [(item.attribute, item.value, item.sentence, item.method) for item in reading.inferred] == [
        ("funding_level", "large", "A donor will put twenty million dollars into them.", "amount")]
    assert reader.read(text, {"funding_level"}, None).inferred == ()


def test_pesos_are_placed_by_the_profiles_country_and_left_unplaced_without_one():
    from indexer.advisor.examples import ExampleBank, Lexicon
    from indexer.advisor.inference import DescriptionReader

    reader = DescriptionReader(ExampleBank({}), Lexicon({}), [])
    text = "El gobierno del estado anunció una bolsa de 180 millones de pesos a fondo perdido."
    levels = {country: [item.value for item in reader.read(text, set(), None, country).inferred]
              for country in (None, "Mexico", "Colombia")}
    # 180 million Mexican pesos are some ten million dollars; Colombian, some 45,000.
    assert levels == {None: [], "Mexico": ["large"], "Colombia": ["seed"]}
