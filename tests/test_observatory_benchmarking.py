"""Benchmarks: ranks by the indicator's direction, progress and trend, and peers never
shown beyond their sharing choice (hidden dropped, anonymous labels that leak nothing)."""

from __future__ import annotations

from indexer.observatory.benchmarking import benchmark
from indexer.observatory.models import IndicatorDefinition
from tests.observatory_records import Records

DEFINITION = IndicatorDefinition(id=99, programme_id=1, key="satisfaction", name="Customer satisfaction",
                                 unit="%", direction="higher")


def _entries(make: Records, specs):
    """(initiative, indicator, measurements) per (slug, sharing, values by month)."""
    entries = []
    for slug, sharing, values in specs:
        initiative = make.initiative(slug, sharing=sharing)
        indicator = make.indicator(initiative, definition_id=DEFINITION.id)
        measurements = [make.measurement(indicator, f"2027-{month:02d}", value)
                        for month, value in enumerate(values, start=1)]
        entries.append((initiative, indicator, measurements))
    return entries


def _as_peer(initiative):
    """What a reader who belongs to none of them sees."""
    return initiative.sharing


SPECS = [("alpha", "named", [50, 55, 60]), ("bravo", "anonymous", [50, 52, 66]),
         ("charlie", "hidden", [50, 70, 90]), ("delta", "anonymous", [60, 58, 54]), ("echo", "named", [])]


def test_ranks_progress_and_trend_of_the_visible_peers():
    result = benchmark(DEFINITION, _entries(Records(), SPECS), _as_peer)
    assert [peer.value for peer in result.peers] == [66, 60, 54, None]
    assert [peer.rank for peer in result.peers] == [1, 2, 3, None]
    assert result.ranked == 3 and result.latest_period == "2027-03"
    top = result.peers[0]
    assert top.progress == (66 - 50) / (70 - 50) and top.trend == "improving" and top.recent == [50, 52, 66]
    assert result.peers[2].trend == "worsening"


def test_hidden_peers_are_gone_and_anonymous_ones_carry_no_name_or_slug():
    result = benchmark(DEFINITION, _entries(Records(), SPECS), _as_peer)
    dumped = result.model_dump_json()
    assert "charlie" not in dumped.lower() and "90" not in dumped
    assert "bravo" not in dumped.lower() and "delta" not in dumped.lower()
    assert len(result.peers) == 4
    anonymous = [peer for peer in result.peers if not peer.named]
    assert [peer.label for peer in anonymous] == ["Initiative A", "Initiative B"]
    assert all(peer.slug is None and peer.measured_on is None for peer in anonymous)
    assert all(peer.measured_on is not None for peer in result.peers if peer.named and peer.value is not None)


def test_anonymous_labels_follow_the_table_not_the_order_of_creation():
    specs = [("first", "anonymous", [10]), ("second", "anonymous", [30]), ("third", "anonymous", [20])]
    forward = benchmark(DEFINITION, _entries(Records(), specs), _as_peer)
    backward = benchmark(DEFINITION, list(reversed(_entries(Records(), specs))), _as_peer)
    assert [(p.label, p.value) for p in forward.peers] == [(p.label, p.value) for p in backward.peers]
    assert [(p.label, p.value) for p in forward.peers] == [("Initiative A", 30), ("Initiative B", 20),
                                                            ("Initiative C", 10)]


def test_ties_share_a_rank_and_lower_is_better_reverses_the_order():
    lower = DEFINITION.model_copy(update={"direction": "lower"})
    specs = [("a", "named", [5]), ("b", "named", [3]), ("c", "named", [5])]
    result = benchmark(lower, _entries(Records(), specs), _as_peer)
    assert [(p.value, p.rank) for p in result.peers] == [(3, 1), (5, 2), (5, 2)]


def test_the_subject_is_highlighted_only_when_the_viewer_sees_it_named():
    make = Records()
    entries = _entries(make, SPECS)
    bravo = entries[1][0]
    as_member = benchmark(DEFINITION, entries, lambda i: "named" if i.id == bravo.id else _as_peer(i),
                          subject_id=bravo.id)
    assert as_member.subject_rank == 1 and [p.label for p in as_member.peers if p.subject] == ["Bravo"]
    as_reader = benchmark(DEFINITION, entries, _as_peer, subject_id=bravo.id)
    assert as_reader.subject_rank is None and not any(p.subject for p in as_reader.peers)


def test_corrections_count_once_with_their_new_value():
    make = Records()
    initiative = make.initiative("alpha")
    indicator = make.indicator(initiative, definition_id=DEFINITION.id)
    old = make.measurement(indicator, "2027-01", 99.0, current=False)
    new = make.measurement(indicator, "2027-01", 51.0, supersedes=old.id)
    result = benchmark(DEFINITION, [(initiative, indicator, [old, new])], _as_peer)
    assert result.peers[0].value == 51.0 and result.peers[0].recent == [51.0]
