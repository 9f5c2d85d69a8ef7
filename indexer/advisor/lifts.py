"""How far a statement whose words name a value is lifted (issue 9): the sentence model
finds a long statement full of other detail only loosely about its topic, yet its words
say plainly which way it goes ("entra pimentón de China a mitad de precio, ..."). A
lift (low, to) raises such a statement's support from at least `low` to at least `to`
(indexer/advisor/trends.py, steer). The figures are measured on the tuning sets
(benchmarks/advisor_profiles.py)."""

from __future__ import annotations

from indexer.advisor.cooperation import CooperationWords
from indexer.advisor.gates import GateWords
from indexer.advisor.trends import TrendWords
from indexer.advisor.values import ValueWords

# Words that name a value lift a statement the model finds loosely on topic (>= 0.25) to
# 0.42, or to the attribute's threshold where it is stricter: for pressure two more tuning
# profiles passed, for every steered attribute two fewer; the stage's directions and the
# values gate files name outright (`values_decide`) passed six more (session 10). The
# trends now start lower (TREND_LIFT_FROM); the gates' values still start at 0.25.
WORDS_LIFT = (0.25, 0.42)
# A trend's direction named in a long statement full of other detail is lifted from 0.15
# (session 11: "entra pimentón de China a mitad de precio, ..." was 0.16 about the trend):
# two more tuning profiles pass; 0.10 the same, 0.20 one fewer. From 0.15 for the gates'
# named values too, two neutral notes read a typology.
TREND_LIFT_FROM = 0.15
# A culture's side named by its words, in a statement the model finds loosely about
# cooperation (>= 0.28), is lifted to 0.41: four more tuning profiles pass (session 10);
# (0.25, 0.40) and (0.30, 0.42) passed one fewer each.
CULTURE_LIFT = (0.28, 0.41)


def lift_for(words: TrendWords | CooperationWords | GateWords | ValueWords,
             threshold: float | None) -> tuple[float, float] | None:
    """The lift for an attribute's words: a trend's (pressure, the life-cycle stage) from
    TREND_LIFT_FROM, a gate's values named outright and a value's own phrases (the buyers)
    from WORDS_LIFT's low end, all to WORDS_LIFT's or the attribute's own `threshold` where
    that is stricter; CULTURE_LIFT for a culture's side; None for other words.

    >>> lift_for(GateWords("lead_body", {}, values_decide=True), 0.45)
    (0.25, 0.45)
    >>> lift_for(ValueWords("buyers", {}), 0.45), lift_for(GateWords("stage", {}), 0.45)
    ((0.25, 0.45), None)
    """
    if isinstance(words, ValueWords):
        return WORDS_LIFT[0], max(WORDS_LIFT[1], threshold or 0.0)
    if isinstance(words, CooperationWords) and words.required:
        return CULTURE_LIFT
    if not ((isinstance(words, TrendWords) and words.required)
            or (isinstance(words, GateWords) and words.values_decide)):
        return None
    low = TREND_LIFT_FROM if isinstance(words, TrendWords) else WORDS_LIFT[0]
    return low, max(WORDS_LIFT[1], threshold or 0.0)
