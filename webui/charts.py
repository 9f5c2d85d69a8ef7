"""Server-rendered SVG charts for the observatory: an indicator over time with its
baseline and target, a benchmark of peers, the status pipeline.

Pure functions from numbers and labels to SVG markup (no script, no `style`
attribute: the CSP allows neither; colours are presentation attributes and classes
that webui/static/observatory.css may refine). Every text is escaped here, so the
result is `Markup` a template may insert as it is. A chart is never the only way to
read the figures: the templates put a table or text next to each one.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 640
LINE_HEIGHT = 240
BAR_HEIGHT = 28
MARGIN_LEFT = 56
MARGIN_RIGHT = 96   # room for the baseline/target labels
MARGIN_TOP = 16
MARGIN_BOTTOM = 36
LABEL_WIDTH = 200   # bar charts: the peers' names
# Colours with at least 3:1 contrast on white (WCAG non-text contrast).
SERIES = "#1f5f8b"
HIGHLIGHT = "#b3541e"
BASELINE = "#6b6b6b"
TARGET = "#2e7d32"
PIPELINE = ("#8a6d3b", "#6f5b9a", "#1f5f8b", "#2e7d32", "#555555")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe(text: str) -> Markup:
    r"""Text for an SVG text node or attribute: escaped, and without the characters XML
    cannot carry at all (control characters, lone surrogates).

    >>> safe('a < b & "c"\x00')
    Markup('a &lt; b &amp; &#34;c&#34;')
    """
    return escape(_NOT_XML.sub("", str(text)))


def shortened(text: str, limit: int = 30) -> str:
    """A label cut to `limit` characters with an ellipsis (the full text is in the
    element's tooltip and in the table beside the chart).

    >>> shortened("Demo: Lakeside food processors (fictional)"), shortened("Jobs")
    ('Demo: Lakeside food processor…', 'Jobs')
    """
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def number(value: float | None, unit: str = "") -> str:
    """A figure as people write it: no trailing zeros, thousands separated, the unit after.

    >>> number(1234.5), number(3.0, "%"), number(0.125), number(None), number(-2, "firms")
    ('1,234.5', '3 %', '0.125', '–', '-2 firms')
    """
    if value is None:
        return "–"
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


def _scale(low: float, high: float, start: float, end: float):
    """A linear map from [low, high] to [start, end]; a flat range maps to the middle."""
    if high == low:
        return lambda value: (start + end) / 2
    return lambda value: start + (value - low) * (end - start) / (high - low)


def _range(values: Sequence[float]) -> tuple[float, float]:
    """The value axis: the figures' range widened by a tenth, and including zero
    when every figure has the same sign and zero is near (bars then start at zero).

    >>> _range([10, 20]), _range([5, 5]), _range([-1, 1])
    ((0, 21.0), (4.5, 5.5), (-1.2, 1.2))
    """
    low, high = min(values), max(values)
    pad = (high - low) / 10 or abs(high) / 10 or 1
    low, high = low - pad, high + pad
    if low > 0 and low < (high - low):
        low = 0
    return (low, high)


def _svg(width: int, height: int, title: str, description: str, body: list[str], css_class: str) -> Markup:
    title_id = f"chart-{zlib.crc32((css_class + title + description).encode()):08x}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{title_id}-t {title_id}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}-t">{safe(title)}</title>',
        f'<desc id="{title_id}-d">{safe(description)}</desc>',
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))


def _text(x: float, y: float, text: str, anchor: str = "start", css_class: str = "label", fill: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css_class}" fill="{fill}" '
            f'font-size="12">{safe(text)}</text>')


def indicator_chart(title: str, points: Sequence[tuple[str, float]], unit: str = "",
                    baseline: float | None = None, target: float | None = None) -> Markup:
    """An indicator's current values by period (in the order given) as a line with
    dots, and its baseline and target as dashed lines. Empty without points.

    >>> svg = indicator_chart("Exports <EU>", [("2027-Q1", 10), ("2027-Q2", 14)], "%", baseline=8, target=20)
    >>> "<title" in svg and "Exports &lt;EU&gt;" in svg and "<EU>" not in svg
    True
    >>> svg.count("<circle"), "Target 20 %" in svg, "Baseline 8 %" in svg
    (2, True, True)
    >>> indicator_chart("Nothing yet", [])
    Markup('')
    """
    if not points:
        return Markup("")
    values = [value for _, value in points]
    lines = [value for value in (baseline, target) if value is not None]
    low, high = _range(values + lines)
    plot_right = WIDTH - MARGIN_RIGHT
    plot_bottom = LINE_HEIGHT - MARGIN_BOTTOM
    y = _scale(low, high, plot_bottom, MARGIN_TOP)
    step = (plot_right - MARGIN_LEFT) / max(len(points) - 1, 1)
    x = (lambda index: MARGIN_LEFT + index * step) if len(points) > 1 else (lambda index: (MARGIN_LEFT + plot_right) / 2)
    body = [
        f'<line x1="{MARGIN_LEFT}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" stroke="#999" stroke-width="1"/>',
        _text(MARGIN_LEFT - 6, y(high) + 4, number(high), "end", "axis"),
        _text(MARGIN_LEFT - 6, y(low) + 4, number(low), "end", "axis"),
    ]
    for name, value, colour in (("Baseline", baseline, BASELINE), ("Target", target, TARGET)):
        if value is None:
            continue
        body.append(f'<line x1="{MARGIN_LEFT}" y1="{y(value):.1f}" x2="{plot_right}" y2="{y(value):.1f}" '
                    f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 4" class="{name.lower()}"/>')
        body.append(_text(plot_right + 6, y(value) + 4, f"{name} {number(value, unit)}", fill=colour))
    path = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, value in enumerate(values))
    body.append(f'<polyline points="{path}" fill="none" stroke="{SERIES}" stroke-width="2.5" class="series"/>')
    for index, (period, value) in enumerate(points):
        body.append(f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="4" fill="{SERIES}">'
                    f'<title>{safe(period)}: {safe(number(value, unit))}</title></circle>')
    # Period labels: the first, the last and as many between as fit without overlapping.
    every = max(1, len(points) // 6)
    for index, (period, _) in enumerate(points):
        if index % every == 0 or index == len(points) - 1:
            body.append(_text(x(index), plot_bottom + 18, period, "middle", "axis"))
    description = (f"{len(points)} value{'s' if len(points) != 1 else ''} from {points[0][0]} to {points[-1][0]}, "
                   f"latest {number(values[-1], unit)}"
                   + (f"; baseline {number(baseline, unit)}" if baseline is not None else "")
                   + (f"; target {number(target, unit)}" if target is not None else ""))
    return _svg(WIDTH, LINE_HEIGHT, title, description, body, "indicator-chart")


def benchmark_chart(title: str, bars: Sequence[tuple[str, float, bool]], unit: str = "",
                    target: float | None = None) -> Markup:
    """Peers' latest values as horizontal bars, in the order given; the bars marked
    True (the initiative being looked at) are drawn in the highlight colour.

    >>> svg = benchmark_chart("Jobs", [("Initiative A", 5, False), ("Chiang Mai & co", 9, True)], "jobs")
    >>> svg.count("<rect"), "Chiang Mai &amp; co" in svg, svg.count('fill="#b3541e"')
    (2, True, 1)
    >>> benchmark_chart("Jobs", [])
    Markup('')
    """
    if not bars:
        return Markup("")
    values = [value for _, value, _ in bars] + ([target] if target is not None else [])
    low, high = _range(values + [0])
    height = MARGIN_TOP + len(bars) * BAR_HEIGHT + MARGIN_BOTTOM
    left, right = LABEL_WIDTH, WIDTH - MARGIN_RIGHT
    x = _scale(low, high, left, right)
    zero = x(max(low, 0) if low >= 0 else min(0, high))
    body = []
    for index, (label, value, highlighted) in enumerate(bars):
        top = MARGIN_TOP + index * BAR_HEIGHT
        start, end = sorted((zero, x(value)))
        colour = HIGHLIGHT if highlighted else SERIES
        body.append(_text(left - 8, top + BAR_HEIGHT / 2 + 4, shortened(label), "end",
                          "peer" + (" subject" if highlighted else "")))
        body.append(f'<rect x="{start:.1f}" y="{top + 4}" width="{max(end - start, 1):.1f}" height="{BAR_HEIGHT - 8}" '
                    f'fill="{colour}"><title>{safe(label)}: {safe(number(value, unit))}</title></rect>')
        body.append(_text(end + 4, top + BAR_HEIGHT / 2 + 4, number(value, unit)))
    bottom = MARGIN_TOP + len(bars) * BAR_HEIGHT
    if target is not None:
        body.append(f'<line x1="{x(target):.1f}" y1="{MARGIN_TOP}" x2="{x(target):.1f}" y2="{bottom}" stroke="{TARGET}" '
                    f'stroke-width="2" stroke-dasharray="6 4" class="target"/>')
        body.append(_text(x(target), bottom + 18, f"Target {number(target, unit)}", "middle", fill=TARGET))
    body.append(f'<line x1="{zero:.1f}" y1="{MARGIN_TOP}" x2="{zero:.1f}" y2="{bottom}" stroke="#999" stroke-width="1"/>')
    description = f"{len(bars)} initiative{'s' if len(bars) != 1 else ''} compared; " + "; ".join(
        f"{label} {number(value, unit)}" for label, value, _ in bars)
    return _svg(WIDTH, height, title, description, body, "benchmark-chart")


def pipeline_chart(counts: Sequence[tuple[str, int]]) -> Markup:
    """How many initiatives are at each status, as one bar cut into segments (a
    segment per status, in the order given, wide by its count, labelled).

    >>> svg = pipeline_chart([("proposal", 2), ("running", 1), ("closed", 0)])
    >>> svg.count("<rect"), "proposal: 2" in svg, "3 initiatives" in svg
    (2, True, True)
    >>> pipeline_chart([("proposal", 0)])
    Markup('')
    """
    total = sum(count for _, count in counts)
    if not total:
        return Markup("")
    height, bar = 72, 32
    x = MARGIN_TOP
    usable = WIDTH - 2 * MARGIN_TOP
    body = []
    for index, (status, count) in enumerate(counts):
        if not count:
            continue
        width = usable * count / total
        colour = PIPELINE[index % len(PIPELINE)]
        body.append(f'<rect x="{x:.1f}" y="8" width="{width:.1f}" height="{bar}" fill="{colour}" class="status-{safe(status)}">'
                    f'<title>{safe(status)}: {count}</title></rect>')
        body.append(_text(x + width / 2, 8 + bar + 18, f"{status}: {count}", "middle"))
        x += width
    description = f"{total} initiative{'s' if total != 1 else ''}: " + ", ".join(
        f"{count} {status}" for status, count in counts)
    return _svg(WIDTH, height, "Initiatives by status", description, body, "pipeline-chart")
