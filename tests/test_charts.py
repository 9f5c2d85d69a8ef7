"""The observatory's SVG charts: well-formed, escaped, accessible, and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings, strategies as st

from webui import charts

SVG = "{http://www.w3.org/2000/svg}"
LABELS = st.text(min_size=1, max_size=40)
VALUES = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def parsed(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def assert_accessible(root: ET.Element) -> None:
    """role=img, named by its <title> and described by its <desc>; no script, no style."""
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None and title.text and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    for node in root.iter():
        assert not node.tag.endswith("script") and "style" not in node.attrib


@settings(max_examples=60, deadline=None)
@given(labels=st.lists(LABELS, min_size=1, max_size=8), values=st.lists(VALUES, min_size=8, max_size=8),
       title=LABELS.map(lambda text: "Chart " + text))
def test_any_labels_and_values_give_well_formed_escaped_svg(labels, values, title):
    points = list(zip(labels, values))
    for markup in (charts.indicator_chart(title, points, "%", baseline=values[0], target=values[-1]),
                   charts.benchmark_chart(title, [(label, value, index == 0) for index, (label, value) in enumerate(points)]),
                   charts.pipeline_chart([(label, index + 1) for index, label in enumerate(labels)])):
        root = parsed(markup)  # raises on anything unescaped
        assert_accessible(root)
        shown = " ".join(texts(root)) + " ".join(t.text or "" for t in root.iter(f"{SVG}title"))
        assert all(re.sub(r"[\x00-\x1f]", "", label) in re.sub(r"[\x00-\x1f]", "", shown) for label in labels)


def test_markup_in_a_label_is_text_not_markup():
    root = parsed(charts.benchmark_chart("<script>alert(1)</script>", [('<img src=x onerror="a()">', 3, True)]))
    assert not list(root.iter("img")) and not list(root.iter(f"{SVG}script"))
    assert '<img src=x onerror="a()">' in texts(root)


def _circle_ys(root):
    return [float(circle.get("cy")) for circle in root.iter(f"{SVG}circle")]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(VALUES, min_size=2, max_size=12))
def test_a_higher_value_is_drawn_higher_on_the_indicator_chart(values):
    root = parsed(charts.indicator_chart("x", [(f"p{i}", v) for i, v in enumerate(values)]))
    ys = _circle_ys(root)
    assert len(ys) == len(values)
    spread = max(values) - min(values)
    for (a, ya), (b, yb) in zip(zip(values, ys), zip(values[1:], ys[1:])):
        if a < b:
            assert yb <= ya  # SVG's y grows downwards; drawn to a tenth of a pixel
            if b - a > spread / 100:
                assert yb < ya
        elif a == b:
            assert ya == yb


def test_baseline_and_target_lines_sit_where_their_values_are():
    root = parsed(charts.indicator_chart("Loans", [("2027", 10), ("2028", 20)], baseline=10, target=20))
    ys = _circle_ys(root)
    lines = {line.get("class"): float(line.get("y1")) for line in root.iter(f"{SVG}line") if line.get("class")}
    assert lines["baseline"] == ys[0] and lines["target"] == ys[1]
    assert "Baseline 10" in texts(root) and "Target 20" in texts(root)


def test_bar_lengths_are_proportional_to_the_values():
    root = parsed(charts.benchmark_chart("Jobs", [("A", 10, False), ("B", 30, False), ("C", 20, True)]))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[1] > widths[2] > widths[0]
    assert abs(widths[1] / widths[0] - 3) < 0.01
    fills = [rect.get("fill") for rect in root.iter(f"{SVG}rect")]
    assert fills.count(charts.HIGHLIGHT) == 1 and fills[2] == charts.HIGHLIGHT


def test_pipeline_segments_are_as_wide_as_their_share_and_skip_empty_statuses():
    root = parsed(charts.pipeline_chart([("proposal", 1), ("fact-finding", 0), ("running", 3)]))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert len(widths) == 2 and abs(widths[1] / widths[0] - 3) < 0.01
    assert re.search(r"4 initiatives", root.find(f"{SVG}desc").text)


def test_two_charts_on_one_page_have_different_ids():
    first = parsed(charts.indicator_chart("Loans", [("2027", 1)]))
    second = parsed(charts.indicator_chart("Exports", [("2027", 1)]))
    assert first.find(f"{SVG}title").get("id") != second.find(f"{SVG}title").get("id")
