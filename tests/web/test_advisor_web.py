"""The advisor page's confirmation step (issue 9): values read from the description are
pre-selected in the form beside the sentence they were read from and a confidence, the
user's own values win, what could not be judged is said, and the confirmed profile is a link.

The web tests run without the model, so what is read here is read by the rules' phrases
(kb/rules.yaml evidence); the page shows readings by meaning the same way.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

# "order books are full" and "distrust each other" are evidence phrases of kb/rules.yaml.
DESCRIPTION = "The order books are full. The wineries distrust each other."


def selected_values(page: str, name: str) -> list[str]:
    """The values the page's select `name` shows chosen."""
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)" selected>', select.group(1))


def status_note(page: str, name: str) -> str:
    """The text beside the select `name` that says how it was filled ('' when none)."""
    note = re.search(rf'<small [^>]*id="f-{name}-status"[^>]*>(.*?)</small>', page, re.S)
    return unescape(re.sub(r"<[^>]+>", "", note.group(1))) if note else ""


def test_values_read_from_the_description_are_preselected_with_their_sentence(client):
    answer = client.get("/advisor", query_string={"description": DESCRIPTION, "format": "json"}).get_json()
    read = {item["attribute"]: item for item in answer["inferred"]}
    assert read["pressure"]["value"] == "doing-well" and read["cooperative_culture"]["value"] == "non-cooperative"
    page = client.get("/advisor", query_string={"description": DESCRIPTION}).get_data(as_text=True)
    assert selected_values(page, "pressure") == ["doing-well"]
    assert selected_values(page, "cooperative_culture") == ["non-cooperative"]
    note = status_note(page, "pressure")
    assert "Read from your description" in note and "The order books are full." in note
    assert f"confidence {read['pressure']['confidence']:.2f}" in note
    assert 'aria-describedby="f-pressure-status"' in page  # read out with the field
    assert selected_values(page, "stage") == []  # nothing read: still "Unknown"


def test_a_given_value_wins_and_is_not_marked_as_read(client):
    page = client.get("/advisor", query_string={"description": DESCRIPTION, "pressure": "under-pressure"}
                      ).get_data(as_text=True)
    assert selected_values(page, "pressure") == ["under-pressure"]
    assert status_note(page, "pressure") == ""
    assert selected_values(page, "cooperative_culture") == ["non-cooperative"]


def test_the_confirmed_profile_is_a_link_that_gives_the_same_advice_with_nothing_left_to_read(client):
    page = client.get("/advisor", query_string={"description": DESCRIPTION}).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Link to this profile with the values read confirmed', page)
    assert link, "no confirmed-profile link"
    query = parse_qs(urlsplit(unescape(link.group(1))).query)
    assert query["pressure"] == ["doing-well"] and query["cooperative_culture"] == ["non-cooperative"]
    first = client.get("/advisor", query_string={"description": DESCRIPTION, "format": "json"}).get_json()
    confirmed = client.get(unescape(link.group(1)) + "&format=json").get_json()
    assert set(confirmed["given"]) >= {"pressure", "cooperative_culture"}
    assert {item["attribute"] for item in confirmed["inferred"]}.isdisjoint({"pressure", "cooperative_culture"})
    assert [w["rule"] for w in confirmed["warnings"]] == [w["rule"] for w in first["warnings"]]
    assert [c["id"] for c in confirmed["cases"]] == [c["id"] for c in first["cases"]]
    confirmed_page = client.get(unescape(link.group(1))).get_data(as_text=True)
    assert "Link to this profile with the values read confirmed" not in confirmed_page  # nothing more to confirm


def test_the_warnings_section_is_always_there_and_says_what_could_not_be_judged(client):
    answer = client.get("/advisor", query_string={"country": "Mexico", "format": "json"}).get_json()
    assert answer["warnings"] == [] and answer["undecided"]
    page = client.get("/advisor", query_string={"country": "Mexico"}).get_data(as_text=True)
    assert "What the method says about this situation" in page and "No warning of the method fires" in page
    assert "Could not be judged" in page
    first = answer["undecided"][0]
    assert unescape(f"{first['title']}: needs {first['label'].lower()}") in unescape(page)
    # The field that would decide a rule says so beside it.
    note = status_note(page, first["attribute"])
    assert note.startswith("Undecided:") and first["title"] in note


def test_an_empty_form_shows_no_marks(client):
    page = client.get("/advisor").get_data(as_text=True)
    assert "Read from your description" not in page and 'data-status="undecided"' not in page
    assert "What the method says" not in page


def test_the_fact_sheet_marks_interpreted_values_and_only_those(client):
    # cases/dortmund.md marks its stage and the 'ict' sector as interpretations; logistics is stated.
    data = client.get("/cases/dortmund?format=json").get_json()
    marked = {value["value"] for row in data["fact_sheet"] for value in row["values"] if value["interpreted"]}
    assert marked == {"emergence", "ict"}
    page = client.get("/cases/dortmund").get_data(as_text=True)
    sheet = page[page.index('class="fact-sheet"'):page.index("</dl>", page.index('class="fact-sheet"'))]
    assert sheet.count('<small class="interpreted">(interpreted)</small>') == 2
    assert re.search(r'sector=ict">[^<]+</a> <small class="interpreted">', sheet)
    assert not re.search(r'sector=logistics">[^<]+</a> <small class="interpreted">', sheet)
    assert "the codifier's reading of the source" in page
    plain = client.get("/cases/minas-gerais-cresceminas").get_data(as_text=True)
    assert 'class="interpreted"' not in plain and "the codifier's reading" not in plain


def test_search_facets_count_interpreted_values_on_the_page_and_in_json(client):
    # cases/dortmund.md marks its stage (emergence) and the 'ict' sector as interpretations.
    data = client.get("/search?q=dortmund&kind=case&format=json").get_json()
    assert data["interpreted"]["stage"]["emergence"] >= 1 and data["interpreted"]["sector"]["ict"] >= 1
    assert all(0 < count <= data["facets"][facet][value]
               for facet, values in data["interpreted"].items() for value, count in values.items())
    page = client.get("/search?q=dortmund&kind=case").get_data(as_text=True)
    assert re.search(r'stage=emergence"[^>]*>[^<]*<span class="count">\d+</span> <small class="interpreted"', page)
    assert not re.search(r'sector=logistics"[^>]*>[^<]*<span class="count">\d+</span> <small class="interpreted"',
                         page)
    # With a sector chosen, the sector facet still counts (and marks) its other values.
    chosen = client.get("/search?q=dortmund&kind=case&sector=logistics&format=json").get_json()
    assert chosen["interpreted"]["sector"] == data["interpreted"]["sector"]
    browsed = client.get("/search?kind=case&format=json").get_json()
    assert browsed["interpreted"]["stage"]["emergence"] >= 1
    assert "interpreted" not in browsed["facets"]


def test_the_fact_sheet_lists_lead_organisations_with_their_interpretation_mark(client):
    # cases/scotland-scottish-enterprise.md marks one of its two lead organisations, The Monitor
    # Company, as an interpretation; Scottish Enterprise is stated.
    data = client.get("/cases/scotland-scottish-enterprise?format=json").get_json()
    row = next(row for row in data["fact_sheet"] if row["label"] == "Lead organisations")
    marks = {value["value"]: value["interpreted"] for value in row["values"]}
    assert marks == {"Scottish Enterprise": False, "The Monitor Company (identification of promising clusters)": True}
    assert all(value["link"] is None for value in row["values"])
    page = client.get("/cases/scotland-scottish-enterprise").get_data(as_text=True)
    sheet = page[page.index('class="fact-sheet"'):page.index("</dl>", page.index('class="fact-sheet"'))]
    cell = re.search(r"<dt>Lead organisations</dt>\s*<dd>(.*?)</dd>", sheet, re.S)
    assert cell, "no lead organisations row"
    assert cell.group(1) == ('Scottish Enterprise, The Monitor Company (identification of promising clusters)'
                             ' <small class="interpreted">(interpreted)</small>')
