"""Benchmarking initiatives on a shared indicator (the paper's "reflexive locational policy").

Pure functions: the facade picks the peers (programme, sector, country, status,
stage filters), says how each one's figures may be shown to THIS viewer, and calls
`benchmark`. Hidden peers are dropped before anything is computed, so they change no
count, rank or label. Anonymous peers are labelled "Initiative A", "B", ... in the
order of the table itself (by rank), never by creation order or name, so a label
tells nothing the row's figures do not already show; labels are per benchmark, so
they cannot be matched across indicators either.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict

from .dashboard import in_order, period_end, progress
from .models import Indicator, IndicatorDefinition, Initiative, Measurement

TREND_PERIODS = 4
Trend = Literal["improving", "worsening", "steady"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Peer(_Row):
    """One initiative's line in a benchmark, as far as the viewer may see it."""

    label: str                          # the name, or "Initiative A" when anonymous
    slug: str | None = None             # only when named
    named: bool
    subject: bool = False               # the initiative the viewer is looking from
    value: float | None = None          # at its latest period
    period: str | None = None
    measured_on: date | None = None
    progress: float | None = None       # 0 = baseline, 1 = target
    trend: Trend | None = None          # over the last TREND_PERIODS periods
    recent: list[float] = []            # those values, oldest first
    rank: int | None = None             # 1 = best value by the indicator's direction


class Benchmark(_Row):
    """Peers on one programme-wide indicator, best first."""

    definition_id: int
    key: str
    name: str
    unit: str = ""
    direction: str
    peers: list[Peer]
    ranked: int                         # peers with a value
    subject_rank: int | None = None
    latest_period: str | None = None


def trend(values: list[float], direction: str) -> Trend | None:
    """Whether the least-squares slope of `values` goes the indicator's way.

    >>> trend([1, 2, 2, 4], "higher"), trend([1, 2, 2, 4], "lower"), trend([3, 3], "higher"), trend([5], "higher")
    ('improving', 'worsening', 'steady', None)
    """
    if len(values) < 2:
        return None
    count = len(values)
    mean_x, mean_y = (count - 1) / 2, sum(values) / count
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / sum(
        (x - mean_x) ** 2 for x in range(count))
    scale = max(abs(v) for v in values) or 1.0
    if abs(slope) <= 1e-9 * scale:
        return "steady"
    return "improving" if (slope > 0) == (direction == "higher") else "worsening"


def anonymous_label(number: int) -> str:
    """The label of the `number`-th anonymous peer (0-based): A..Z, then AA, AB, ...

    >>> anonymous_label(0), anonymous_label(25), anonymous_label(26)
    ('Initiative A', 'Initiative Z', 'Initiative AA')
    """
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Initiative {letters}"


def benchmark(definition: IndicatorDefinition, entries: list[tuple[Initiative, Indicator, list[Measurement]]],
              visibility: Callable[[Initiative], str], subject_id: int | None = None,
              salt: str = "") -> Benchmark:
    """The benchmark of `entries` (each initiative with its indicator linked to
    `definition` and that indicator's measurements) as the viewer may see it:
    `visibility(initiative)` is "named", "anonymous" or "hidden" for this viewer.
    The subject is highlighted only when the viewer sees it named: highlighting an
    anonymous row would name it. Anonymous rows show the period of their value, not the
    day it was measured (a date can point at an initiative as well as a name). `salt`
    (a per-instance secret) orders rows that tie on everything visible, so not even a
    tie reveals which initiative came first."""
    rows = []
    for initiative, indicator, measurements in entries:
        shown = visibility(initiative)
        if shown == "hidden":
            continue
        values = in_order(measurements)
        latest = values[-1] if values else None
        recent = [m.value for m in values[-TREND_PERIODS:]]
        rows.append({
            "initiative": initiative, "named": shown == "named",
            "subject": shown == "named" and initiative.id == subject_id,
            "value": latest.value if latest else None, "period": latest.period if latest else None,
            "measured_on": latest.measured_on if latest and shown == "named" else None,
            "progress": progress(indicator, latest.value) if latest else None,
            "trend": trend(recent, definition.direction), "recent": recent,
        })
    sign = -1.0 if definition.direction == "higher" else 1.0

    def order(row: dict) -> tuple:
        tie = hashlib.sha256(f"{salt}:{definition.id}:{row['initiative'].id}".encode()).hexdigest()
        if row["value"] is None:
            return (1, 0.0, tie)
        return (0, sign * row["value"], tie)

    rows.sort(key=order)
    peers: list[Peer] = []
    rank = anonymous = 0
    previous: float | None = None
    for position, row in enumerate(rows, start=1):
        if row["value"] is not None and row["value"] != previous:
            rank, previous = position, row["value"]   # equal values share a rank
        initiative = row.pop("initiative")
        if row["named"]:
            label, slug = initiative.name, initiative.slug
        else:
            label, slug = anonymous_label(anonymous), None
            anonymous += 1
        peers.append(Peer(label=label, slug=slug, rank=rank if row["value"] is not None else None, **row))
    subject = next((peer for peer in peers if peer.subject), None)
    periods = [peer.period for peer in peers if peer.period]
    return Benchmark(
        definition_id=definition.id, key=definition.key, name=definition.name, unit=definition.unit,
        direction=definition.direction, peers=peers, ranked=sum(1 for peer in peers if peer.rank),
        subject_rank=subject.rank if subject else None,
        latest_period=max(periods, key=period_end) if periods else None)
