"""Adding a field to (a copy of) the field registry is enough for the web layer to show it.

The copy has one more case field, `situation.export_orientation`, with a vocabulary of
its own, playing every role. The edit form, the case list, the fact sheet, the search
facets, the advisor's form and the OpenAPI document must all offer it, although no
module of webui/ names it; and the bundled registry must not.

kb/vocabulary.yaml's lists are named in indexer/content/vocabulary.py, so the new
list is added by a Vocabulary that knows one more (the content layer's concern, not
the web layer's).
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import jsonschema_rs
import pytest
from flask import render_template
from schemathesis.specs.openapi.definitions import OPENAPI_31
from werkzeug.datastructures import MultiDict

from indexer.content.frontmatter import parse_text
from indexer.content.schema import REGISTRY, FieldSpec
from indexer.content.vocabulary import Vocabulary
from indexer.search.searcher import SearchRequest
from webui import forms, openapi, pages, params, presenters
from webui.form_controls import controls_names, form_controls

NEW = "export_orientation"
PATH = f"situation.{NEW}"
CONTROL = f"situation_{NEW}"
VALUES = {"export-led": {"label": "Led by exports"}, "home-market": {"label": "Serves the home market"}}
TITLE = "Export orientation of the firms"
ROLES = frozenset({"facet", "attribute", "condition", "fact", "form", "csv"})
CASE_ID = "zamora-frogs"


class WithExportOrientation(Vocabulary):
    """The bundled vocabulary and one more list."""

    def values(self, name: str) -> dict[str, dict]:
        return dict(VALUES) if name == NEW else super().values(name)

    def title(self, name: str) -> str:
        return TITLE if name == NEW else super().title(name)


@pytest.fixture
def registry():
    return REGISTRY.with_field(FieldSpec(PATH, "term", vocabulary=NEW, label="Export orientation", roles=ROLES))


@pytest.fixture
def content(bundled_casebase):
    """The bundled content with the longer vocabulary; one case states the new field."""
    bundled = bundled_casebase.content
    case = bundled.documents[CASE_ID]
    exporting = dataclasses.replace(case, meta={**case.meta, "situation": {**case.meta["situation"], NEW: "export-led"}})
    return dataclasses.replace(bundled, vocabulary=WithExportOrientation(bundled.vocabulary.raw),
                               documents={**bundled.documents, CASE_ID: exporting})


def test_the_edit_form_offers_and_saves_the_new_field(app, content, registry):
    groups = form_controls("case", content, registry)
    situation = next(group for group in groups if group["legend"] == "Situation")
    control = next(item for item in situation["controls"] if item["name"] == CONTROL)
    assert control["label"] == "Export orientation" and control["widget"] == "select"
    assert control["options"] == [(value, entry["label"]) for value, entry in VALUES.items()]
    assert CONTROL not in controls_names(form_controls("case", content))

    text = content.documents[CASE_ID].path.read_text(encoding="utf-8")
    values = forms.text_to_form("case", text, registry)
    assert values[CONTROL] == "unknown"  # the file on disk does not state it
    submitted = MultiDict({**{key: value for key, value in values.items() if isinstance(value, str)},
                           CONTROL: "home-market"})
    saved = parse_text(forms.form_to_text("case", CASE_ID, submitted, registry)).data
    assert saved["situation"][NEW] == "home-market"
    assert NEW not in parse_text(forms.form_to_text("case", CASE_ID, submitted)).data["situation"]

    with app.test_request_context():
        page = render_template("edit.html", kind="case", doc_id=CASE_ID, values=values, base="x", errors={},
                               is_new=False, form_controls=lambda kind: form_controls(kind, content, registry))
    assert f'<label for="f-{CONTROL}">Export orientation</label>' in page
    assert '<option value="home-market" >Serves the home market</option>' in page


def test_the_case_list_and_fact_sheet_show_the_new_field(app, content, registry):
    case = content.documents[CASE_ID]
    assert CONTROL in presenters.csv_columns(registry) and CONTROL not in presenters.csv_columns()
    with app.test_request_context():
        assert presenters.case_fields(case, registry)[CONTROL] == "export-led"
        row = next(row for row in presenters.fact_sheet(case, content.vocabulary, registry)
                   if row["label"] == "Export orientation")
        assert CONTROL not in presenters.case_fields(case)
    assert row["values"] == [{"value": "export-led", "label": "Led by exports", "link": f"/search?{NEW}=export-led",
                              "interpreted": False}]


def test_search_filters_and_facets_include_the_new_field(app, bundled_casebase, content, registry):
    request = params.search_request(MultiDict([("q", "frog"), (NEW, "export-led")]), registry=registry)
    assert request.filters == {NEW: ("export-led",)}
    assert params.search_request(MultiDict([("q", "frog"), (NEW, "export-led")])).filters == {}

    casebase = SimpleNamespace(content=content, facet_counts=bundled_casebase.facet_counts)
    overview = presenters.facets_overview(casebase, registry)
    assert overview[NEW] == [{"value": value, "label": entry["label"], "count": 0} for value, entry in VALUES.items()]
    assert NEW not in presenters.facets_overview(casebase)

    answer = {"facets": {"kind": {"case": 1}, NEW: {"export-led": 1}}}
    with app.test_request_context(f"/search?q=frog&{NEW}=export-led"):
        groups = pages.facet_groups(answer, SearchRequest("frog", filters={NEW: ("export-led",)}),
                                    content.vocabulary, registry)
    group = next(group for group in groups if group["facet"] == NEW)
    assert group["title"] == "Export orientation"
    assert group["values"] == [{"value": "export-led", "label": "Led by exports", "count": 1, "active": True,
                                "url": "/search?q=frog", "interpreted": 0}]


def test_the_advisor_form_and_profile_take_the_new_attribute(app, content, registry):
    controls = pages.profile_form(content.vocabulary, registry)
    control = next(item for item in controls if item["name"] == NEW)
    assert control["label"] == TITLE and not control["multiple"]
    assert control["options"] == [(value, entry["label"]) for value, entry in VALUES.items()]
    assert NEW not in {item["name"] for item in pages.profile_form(content.vocabulary)}
    assert params.profile_data(MultiDict({NEW: "export-led"}), registry) == {NEW: "export-led"}
    assert params.profile_data(MultiDict({NEW: "export-led"})) == {}
    with app.test_request_context():
        page = render_template("advisor.html", data={NEW: "export-led"}, answer=None, error=None,
                               controls=controls, documents=content.documents)
    assert f'<label for="f-{NEW}">{TITLE}</label>' in page
    assert '<option value="export-led" selected>Led by exports</option>' in page


def test_the_openapi_document_describes_the_new_field(content, registry):
    document = openapi.openapi_document(content, registry)
    jsonschema_rs.validate(OPENAPI_31, document)
    schemas = document["components"]["schemas"]
    profile = schemas["Profile"]["properties"][NEW]
    assert profile["anyOf"][0]["enum"] == [*VALUES, "unknown"]
    assert schemas["CaseFields"]["properties"][CONTROL]["enum"] == [*VALUES, "unknown"]
    assert NEW in schemas["Facets"]["properties"] and NEW in schemas["SearchResponse"]["properties"]["facets"]["required"]
    assert schemas["Suggestion"]["properties"]["profile"]["properties"][NEW]["enum"] == list(VALUES)
    filters = {parameter["name"] for parameter in document["paths"]["/api/search"]["get"]["parameters"]}
    assert NEW in filters

    bundled = openapi.openapi_document(content)["components"]["schemas"]
    assert NEW not in bundled["Profile"]["properties"] and CONTROL not in bundled["CaseFields"]["properties"]
