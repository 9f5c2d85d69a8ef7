"""What the advisor page and POST /api/suggest accept and refuse, and how the form's
pre-filled readings behave once the description changes.

Refusals name the field by its label and the valid values by label and key; the page
answers 400 with the form again, the message beside the field. Values are matched by
key or label in any case. The web tests run without the model: what is read comes from
the rules' evidence phrases (kb/rules.yaml).
"""

from __future__ import annotations

import re
from html import unescape

from indexer.content.schema import ATTRIBUTE, REGISTRY

SPECS = {spec.key: spec for spec in REGISTRY.with_role(ATTRIBUTE)}
# "order books are full", "cheap imports" and "distrust each other" are evidence phrases.
BOOMING = "The order books are full. The wineries distrust each other."
SQUEEZED = "Cheap imports are taking their customers. The wineries distrust each other."


def field_error(page: str, name: str) -> str:
    found = re.search(rf'<small class="error-message" id="f-{name}-error">(.*?)</small>', page, re.S)
    return unescape(found.group(1)) if found else ""


def selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)" selected>', select.group(1))


def submission(page: str) -> list[tuple[str, str]]:
    """What submitting the advisor's form as shown sends: hidden fields, the description,
    every select's chosen values."""
    form = page[page.index('class="advisor-form"'):]
    form = form[:form.index("</form>")]
    sent = [(unescape(name), unescape(value))
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)]
    sent.append(("description", unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.S).group(1))))
    for name, options in re.findall(r'<select id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        sent += [(name, value) for value in re.findall(r'<option value="([^"]*)" selected>', options)]
    return sent


def replaced(sent: list[tuple[str, str]], name: str, *values: str) -> list[tuple[str, str]]:
    return [pair for pair in sent if pair[0] != name] + [(name, value) for value in values]


def test_an_invalid_value_is_400_with_the_form_and_the_message_beside_the_field_in_labels(client, bundled_casebase):
    values = bundled_casebase.content.vocabulary.values("pressure")
    response = client.get("/advisor", query_string={"pressure": "desperate", "country": "Mexico"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = field_error(page, "pressure")
    assert message.startswith(f"'desperate' is not a value of {SPECS['pressure'].title}")
    for key, entry in values.items():
        assert f"'{entry['label']}' ({key})" in message  # the label, and the key an API user sends
    assert 'aria-invalid="true"' in page and 'aria-describedby="f-pressure-error' in page
    assert selected(page, "country") == ["Mexico"]  # the form keeps the user's other values
    api = client.post("/api/suggest", json={"pressure": "desperate"})
    assert api.status_code == 400 and api.get_json()["error"]["parameter"] == "pressure"
    assert api.get_json()["error"]["message"] == message
    as_json = client.get("/advisor", query_string={"pressure": "desperate", "format": "json"})
    assert as_json.status_code == 400 and as_json.get_json()["error"]["parameter"] == "pressure"


def test_choice_values_are_matched_by_key_or_label_in_any_case(client, bundled_casebase):
    vocabulary = bundled_casebase.content.vocabulary
    stage_label = vocabulary.values("stage")["decline"]["label"]
    pressure_label = vocabulary.values("pressure")["under-pressure"]["label"]
    sector_label = vocabulary.values("sectors")["footwear"]["label"]
    given = {"stage": "Decline", "pressure": pressure_label.upper(), "country": "brazil",
             "sectors": sector_label.lower()}
    expected = {"stage": "decline", "pressure": "under-pressure", "country": "Brazil", "sectors": ["footwear"]}
    assert stage_label.casefold() == "decline"
    answer = client.get("/advisor", query_string={**given, "format": "json"}).get_json()
    assert answer["profile"] == expected
    assert client.post("/api/suggest", json=given).get_json()["profile"] == expected
    response = client.get("/advisor", query_string=given)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert selected(page, "stage") == ["decline"] and selected(page, "pressure") == ["under-pressure"]
    assert selected(page, "sectors") == ["footwear"]


def test_a_description_of_spaces_or_punctuation_is_no_description(client):
    for blank in ("   ", "...", " ¿? —"):
        page = client.get("/advisor", query_string={"description": blank}).get_data(as_text=True)
        assert "Similar cases" not in page
        answer = client.get("/advisor", query_string={"description": blank, "country": "Mexico",
                                                      "format": "json"}).get_json()
        assert "description" not in answer["profile"] and answer["profile"]["country"] == "Mexico"
        assert all(part["attribute"] != "description" for case in answer["cases"] for part in case["explanation"])
        api = client.post("/api/suggest", json={"description": blank, "country": "Mexico"}).get_json()
        assert "description" not in api["profile"]


def test_a_single_value_field_given_twice_is_refused_naming_it(client):
    query = [("pressure", "under-pressure"), ("pressure", "doing-well")]
    response = client.get("/advisor", query_string=query)
    assert response.status_code == 400
    message = field_error(response.get_data(as_text=True), "pressure")
    assert SPECS["pressure"].title in message and "'under-pressure'" in message and "'doing-well'" in message
    as_json = client.get("/advisor", query_string=query + [("format", "json")])
    assert as_json.status_code == 400 and as_json.get_json()["error"]["parameter"] == "pressure"
    # The same value twice is not ambiguous.
    assert client.get("/advisor", query_string=[("pressure", "doing-well")] * 2).status_code == 200


def test_an_unknown_parameter_is_named_in_a_notice_and_page_parameters_are_not(client):
    page = client.get("/advisor", query_string={"country": "Mexico", "colour": "red"}).get_data(as_text=True)
    notices = [unescape(notice) for notice in re.findall(r'<p class="notice parameter-notice">(.*?)</p>', page)]
    assert len(notices) == 1 and "'colour'" in notices[0] and "ignored" in notices[0]
    answer = client.get("/advisor", query_string={"country": "Mexico", "colour": "red", "format": "json"}).get_json()
    assert any("'colour'" in notice for notice in answer["notices"])
    only = client.get("/advisor", query_string={"colour": "red"}).get_data(as_text=True)
    assert "'colour'" in unescape(only) and "Similar cases" not in only
    plain = client.get("/advisor", query_string={"country": "Mexico", "format": "json"}).get_json()
    assert not any("not a field of the advisor" in notice for notice in plain["notices"])
    api = client.post("/api/suggest", json={"country": "Mexico", "colour": "red"})
    assert api.status_code == 400 and api.get_json()["error"]["parameter"] == "colour"


def test_values_prefilled_from_an_edited_description_are_read_again(client):
    first = client.get("/advisor", query_string={"description": BOOMING}).get_data(as_text=True)
    assert selected(first, "pressure") == ["doing-well"]  # read, and pre-filled in the form
    fresh = client.get("/advisor", query_string={"description": SQUEEZED, "format": "json"}).get_json()
    read_fresh = {item["attribute"]: item["value"] for item in fresh["inferred"]}
    assert read_fresh["pressure"] == "under-pressure"
    # The user edits the description and submits the form as it stands.
    sent = replaced(submission(first), "description", SQUEEZED)
    answer = client.get("/advisor", query_string=sent + [("format", "json")]).get_json()
    assert "pressure" not in answer["given"]
    assert {item["attribute"]: item["value"] for item in answer["inferred"]}["pressure"] == "under-pressure"
    page = client.get("/advisor", query_string=sent).get_data(as_text=True)
    assert selected(page, "pressure") == ["under-pressure"]
    # A pre-filled value the user changed is the user's: it stays given.
    changed = replaced(sent, "cooperative_culture", "cooperative")
    answer = client.get("/advisor", query_string=changed + [("format", "json")]).get_json()
    assert answer["profile"]["cooperative_culture"] == "cooperative" and "cooperative_culture" in answer["given"]
    assert "pressure" not in answer["given"]


def test_prefilled_values_submitted_with_the_same_description_and_the_confirmed_link_stay_given(client):
    first = client.get("/advisor", query_string={"description": BOOMING}).get_data(as_text=True)
    # The description unchanged (a browser sends its lines with CRLF): the values are confirmed.
    sent = replaced(submission(first), "description", BOOMING.replace(". ", ".\r\n"))
    answer = client.get("/advisor", query_string=sent + [("format", "json")]).get_json()
    assert answer["profile"]["pressure"] == "doing-well" and "pressure" in answer["given"]
    # The link with the values read confirmed keeps them given, whatever the description says later.
    link = unescape(re.search(r'<a href="([^"]+)">Link to this profile with the values read confirmed',
                              first).group(1))
    confirmed = client.get(link + "&format=json").get_json()
    assert confirmed["profile"]["pressure"] == "doing-well" and "pressure" in confirmed["given"]
    opened = client.get(link).get_data(as_text=True)
    edited = replaced(submission(opened), "description", SQUEEZED)
    answer = client.get("/advisor", query_string=edited + [("format", "json")]).get_json()
    assert answer["profile"]["pressure"] == "doing-well" and "pressure" in answer["given"]
