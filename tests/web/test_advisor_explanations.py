"""How the advisor page explains its cases: labels, not keys, in the score table and in
sentences; an attribute a case does not record said plainly; an attribute no case
records left out; a compared attribute that differs reported as compared; the nearest
sector's case shown. Expected values are read from the content and the JSON answer.
"""

from __future__ import annotations

import re
from html import unescape

from indexer.content.schema import ATTRIBUTE, REGISTRY

# Scalar attributes the advisor compares with a case's field on their own (driver and
# approach are compared together as the initiative type).
SCALARS = [spec for spec in REGISTRY.with_role(ATTRIBUTE) if spec.key in REGISTRY.attribute_paths
           and not spec.many and spec.kind != "country" and spec.key not in ("driver", "approach")]


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def label(vocabulary, spec, value: str) -> str:
    return str(vocabulary.values(spec.vocabulary)[value].get("label", value))


def in_sentence(words: str) -> str:
    """An ordinary label as it reads inside a sentence."""
    return words[0].lower() + words[1:]


def tables(page: str) -> list[list[list[str]]]:
    """Each explanation table's body rows, as the text of their cells."""
    return [[[text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
            for body in re.findall(r'<table class="explanation">.*?<tbody>(.*?)</tbody>', page, re.S)]


def recorded(content, spec) -> list[str]:
    """The values the library's cases record for `spec`."""
    return [value for case in content.cases for value in case.values(spec.path) if value != "unknown"]


def recorded_profile(content) -> dict:
    """A profile of values some case records (the first found), two activities among them."""
    profile = {}
    for spec in SCALARS:
        values = recorded(content, spec)
        if values:
            profile[spec.key] = values[0]
    activities = next(spec for spec in REGISTRY.with_role(ATTRIBUTE) if spec.key == "activities")
    profile["activities"] = sorted(set(recorded(content, activities)))[:2]
    return profile


def test_the_score_table_names_attributes_and_values_by_their_labels(client, bundled_casebase):
    content = bundled_casebase.content
    vocabulary = content.vocabulary
    # Values some case records, so that the table shows the case's value too.
    profile = recorded_profile(content)
    answer = client.get("/advisor", query_string={**profile, "format": "json"}).get_json()
    page = client.get("/advisor", query_string=profile).get_data(as_text=True)
    specs = {spec.key: spec for spec in REGISTRY.with_role(ATTRIBUTE)}
    for match, rows in zip(answer["cases"], tables(page)):
        assert len(rows) == len(match["explanation"])
        for part, cells in zip(match["explanation"], rows):
            spec = specs[part["attribute"]]
            assert cells[0] == part["label"] != part["attribute"]  # "Cooperative culture", never cooperative_culture
            assert part["label"] in (spec.title, "Planned activities")
            mine = part["query_value"] if isinstance(part["query_value"], list) else [part["query_value"]]
            assert cells[1] == ", ".join(label(vocabulary, spec, value) for value in mine)
            if not part["imputed"]:
                theirs = part["case_value"] if isinstance(part["case_value"], list) else [part["case_value"]]
                assert cells[2].removesuffix(" (interpreted)") == \
                    ", ".join(label(vocabulary, spec, value) for value in theirs)
    keys = {value for spec_key, value in profile.items() if not isinstance(value, list)} | set(profile["activities"])
    cells = {cell for rows in tables(page) for row in rows for cell in row}
    assert not keys & cells and not any(key in cell.split(", ") for cell in cells for key in keys)


def test_labels_keep_their_names_inside_sentences_and_read_as_sentences(client, bundled_casebase):
    vocabulary = bundled_casebase.content.vocabulary
    answer = client.get("/advisor", query_string={"approach": "top-down", "format": "json"}).get_json()
    page = text(client.get("/advisor", query_string={"approach": "top-down"}).get_data(as_text=True))
    labels = {item["attribute"]: item["label"] for item in answer["undecided"]}
    # Names keep their capitals; ordinary labels are lower-cased.
    assert f"needs {labels['enright']}" in page and f"needs {labels['enright'].lower()}" not in page
    assert f"needs {labels['altenburg_meyer_stamer']}" in page
    assert f"needs {labels['altenburg_meyer_stamer'].lower()}" not in page
    assert f"needs {in_sentence(labels['stage'])}" in page
    # A plan that leaves out an activity would fire a rule: said as a phrase, not as "none of:".
    engagement = vocabulary.values("activities")["stakeholder-engagement"]["label"]
    assert f"needs {in_sentence(labels['activities'])} (leaving out {in_sentence(engagement)} would fire it)" in page
    assert "none of:" not in page and "none of:" not in str(answer["undecided"])


def test_an_attribute_the_case_does_not_record_is_said_plainly_with_its_average(client, bundled_casebase):
    content = bundled_casebase.content
    # An attribute that some case records and others do not, so that it is imputed.
    spec = next(spec for spec in SCALARS if 0 < len(recorded(content, spec)) < len(content.cases))
    profile = {spec.key: recorded(content, spec)[0]}
    answer = client.get("/advisor", query_string={**profile, "format": "json"}).get_json()
    page = client.get("/advisor", query_string=profile).get_data(as_text=True)
    imputed = [(match, part) for match in answer["cases"] for part in match["explanation"] if part["imputed"]]
    assert imputed, "no case shown leaves the attribute unrecorded"
    rows = [row for rows in tables(page) for row in rows]
    for _, part in imputed:
        expected = f"not recorded: counted at the library's average {part['similarity']:.2f}, half weight"
        assert [spec.title, label(content.vocabulary, spec, profile[spec.key]), expected, str(part["weight"])] in rows
    assert not any(row[2] == "unknown" for row in rows)  # never shown as if the case said "unknown"
    assert "counts at the library's average similarity for your value, at half its weight" in text(page)


def test_an_attribute_no_case_records_is_left_out_and_said_so(client, bundled_casebase):
    content = bundled_casebase.content
    unrecorded = next(spec for spec in SCALARS if not recorded(content, spec))
    known = next(spec for spec in SCALARS if recorded(content, spec))
    value = next(iter(content.vocabulary.values(unrecorded.vocabulary)))
    base = {known.key: recorded(content, known)[0]}
    alone = client.get("/advisor", query_string={**base, "format": "json"}).get_json()
    answer = client.get("/advisor", query_string={**base, unrecorded.key: value, "format": "json"}).get_json()
    assert all(part["attribute"] != unrecorded.key for match in answer["cases"] for part in match["explanation"])
    # It cannot tell cases apart, so it changes no score.
    assert [(m["id"], m["score"]) for m in answer["cases"]] == [(m["id"], m["score"]) for m in alone["cases"]]
    assert answer["profile"][unrecorded.key] == value  # still part of the profile (the rules use it)
    notice = next(notice for notice in answer["notices"] if notice.startswith("No case in the library records"))
    assert unrecorded.title in notice and "compared without" in notice
    page = text(client.get("/advisor", query_string={**base, unrecorded.key: value}).get_data(as_text=True))
    assert notice in page


def test_a_compared_attribute_that_differs_is_reported_as_compared(client, bundled_casebase):
    content = bundled_casebase.content
    stage = next(spec for spec in SCALARS if spec.key == "stage")
    vocabulary = content.vocabulary
    for value in vocabulary.values(stage.vocabulary):
        answer = client.get("/advisor", query_string={"stage": value, "format": "json"}).get_json()
        if answer["cases"][0]["score"] == 0:
            break
    else:
        raise AssertionError("every stage resembles some case")
    differing = [match for match in answer["cases"] if not match["explanation"][0]["imputed"]]
    assert differing, "no case shown records a stage"
    for match in differing:
        part = match["explanation"][0]
        assert part["similarity"] == 0 and match["compared"] == 1
        expected = (f"differs on {in_sentence(stage.title)}: {label(vocabulary, stage, part['case_value'])} "
                    f"vs {label(vocabulary, stage, value)}")
        assert expected in match["reason"]
    assert not any("no attribute in common" in match["reason"] for match in answer["cases"])
    assert any(notice.startswith("No case in the library resembles what you gave") for notice in answer["notices"])
    page = text(client.get("/advisor", query_string={"stage": value}).get_data(as_text=True))
    assert "No case in the library resembles what you gave" in page


def test_the_nearest_sector_named_in_the_notice_is_linked_and_shown(client, bundled_casebase):
    content = bundled_casebase.content
    held = {sector for case in content.cases for sector in case.values("sectors")}
    titles = {case.title: case for case in content.cases}
    # Other attributes that cases record, so that the nearest sector's case need not rank first.
    profile = recorded_profile(content)
    for sector in content.vocabulary.values("sectors"):
        if sector in held:
            continue
        profile["sectors"] = sector
        answer = client.get("/advisor", query_string={**profile, "format": "json"}).get_json()
        notice = next((n for n in answer["notices"] if n.startswith("The library holds no case of this sector")), "")
        nearest = next((case for title, case in titles.items() if f"the nearest is {title}" in notice), None)
        if nearest is not None and nearest.id not in [match["id"] for match in answer["cases"]]:
            break
    else:
        raise AssertionError("no sector without a case whose nearest case is left out of the top cases")
    page = client.get("/advisor", query_string=profile).get_data(as_text=True)
    paragraph = next(p for p in re.findall(r'<p class="notice">(.*?)</p>', page, re.S) if "nearest is" in p)
    assert f'<a href="/cases/{nearest.id}">' in paragraph
    shown = page[page.index('id="nearest-sector-case"'):page.index('class="lessons-apply"')]
    assert f'<a href="/cases/{nearest.id}">' in shown and 'class="explanation"' in shown
