"""Documents and engine answers as plain data for JSON and templates (one shape for both).

Which fields a case list, a fact sheet or the facet overview shows is read from the
field registry (indexer/content/schema.py), never listed here, and every link is built
by webui/urls.py from the engine's kind, id and anchor. Each function takes the
registry as a parameter so a test can pass a copy with one more field.
"""

from __future__ import annotations

import re
from typing import Any

from indexer.content.documents import Document
from indexer.content.loading import VOCABULARY_FILE
from indexer.content.schema import (ATTRIBUTE, FACT, FORM, REGISTRY, FieldRegistry, FieldSpec, interpretation_marks,
                                    is_interpreted)
from indexer.content.vocabulary import UNKNOWN, Vocabulary
from indexer.documents.fields import document_facet_labels, document_value_labels
from indexer.errors import Unavailable
from indexer.service import Casebase

from . import urls
from .rendering import Renderer

# Kinds of item the facet 'kind' counts, in the order the overview lists them.
ITEM_KINDS = ("case", "note", "lesson")
DOCUMENT_KIND = "document"  # uploaded documents' passages: listed under 'kind' once the index holds one
# Document facets whose values are programme and initiative slugs, shown by their names.
PLACE_FACETS = ("programme", "initiative")
# Facets that no case field declares: the item's kind, and the topics of lessons and notes.
KIND_FACET, TOPIC_FACET = "kind", "topic"
# The vocabulary of a 'country' field's values.
COUNTRIES = "countries"
# Column names that predate the registry and are kept so CSV and JSON answers do not change
# (every other column is the field's path with '_' for '.').
_LEGACY_COLUMNS = {"initiative.lead_organisations": "lead_organisations"}


def column_name(spec: FieldSpec) -> str:
    """The key of a case field in the case list's CSV and JSON.

    >>> column_name(REGISTRY.by_path("initiative.driver")), column_name(REGISTRY.by_path("funding"))
    ('initiative_driver', 'funding')
    """
    return _LEGACY_COLUMNS.get(spec.path, spec.path.replace(".", "_"))


def csv_columns(registry: FieldRegistry = REGISTRY) -> tuple[str, ...]:
    """Every column of the case list, in order: id, title, the registry's CSV fields,
    the number of lessons, the summary and the case's page."""
    return ("id", "title", *(column_name(spec) for spec in registry.csv_columns), "lessons", "summary", "url")


def vocabulary_of(spec: FieldSpec) -> str | None:
    """The vocabulary a field's values come from (countries have their own list)."""
    return COUNTRIES if spec.kind == "country" else spec.vocabulary


def value_label(vocabulary: Vocabulary | None, name: str | None, value: str) -> str:
    """How a stored value is shown: its vocabulary label, 'Unknown', or itself.

    Without a vocabulary (a broken kb/vocabulary.yaml) values are shown as they are.
    """
    if value == UNKNOWN:
        return "Unknown"
    if vocabulary is None or name is None or name == COUNTRIES:
        return value
    return vocabulary.label(name, value)


def _field_value(case: Document, spec: FieldSpec) -> Any:
    if spec.many:
        return [str(value) for value in case.values(spec.path)]
    # Free text may be a YAML number (period: 1998) or span lines; JSON and CSV get one line of text.
    return " ".join(str(case.get(spec.path)).split())


def case_fields(case: Document, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """The structured fields of a case, flat, for JSON and CSV."""
    fields: dict[str, Any] = {"id": case.id, "title": case.title, "summary": case.summary}
    for spec in registry.csv_columns:
        fields[column_name(spec)] = _field_value(case, spec)
    fields["lessons"] = len(case.lessons)
    fields["url"] = urls.document("case", case.id)
    return fields


def fact_sheet(case: Document, vocabulary: Vocabulary | None,
               registry: FieldRegistry = REGISTRY) -> list[dict[str, Any]]:
    """Rows of label and values, each value with its label, for a facet a search link, and
    whether it is the codifier's interpretation rather than stated (the case's `interpreted`)."""
    facet_of = {spec.path: name for name, spec in registry.facet_fields.items()}
    marks = interpretation_marks(case.meta)
    rows = []
    for spec in registry.fact_sheet:
        raw = case.values(spec.path) if spec.many else [case.get(spec.path)]
        facet = facet_of.get(spec.path)
        values = []
        for value in map(str, raw):
            link = urls.facet(facet, value) if facet and value != UNKNOWN else None
            values.append({"value": value, "label": value_label(vocabulary, vocabulary_of(spec), value),
                           "link": link, "interpreted": value != UNKNOWN and is_interpreted(marks, spec.path, value)})
        rows.append({"label": spec.title,
                     "values": values or [{"value": UNKNOWN, "label": "Unknown", "link": None,
                                           "interpreted": False}]})
    return rows


def is_paragraph(spec: FieldSpec) -> bool:
    """True for free text that is a paragraph rather than a fact: a text field of the
    edit form that is no fact-sheet row (funding, monitoring, outcomes). It is shown
    under the fact sheet and edited in a text area."""
    return spec.kind == "text" and spec.has(FORM) and not spec.has(FACT)


def paragraphs(case: Document, registry: FieldRegistry = REGISTRY) -> list[dict[str, str]]:
    """The paragraphs of a case, as label and text."""
    return [{"label": spec.title, "text": _field_value(case, spec)} for spec in registry.case if is_paragraph(spec)]


def _link(document: Document) -> dict[str, str]:
    return {"id": document.id, "title": document.title, "url": urls.document(document.kind, document.id)}


def _similar(case: Document, casebase: Casebase) -> list[dict[str, Any]]:
    try:
        matches = casebase.similar(case.id, limit=4)
    except Unavailable:  # an index being rebuilt must not take the case page down
        return []
    return [{"id": m.id, "title": m.title, "score": m.score, "reason": m.reason, "url": urls.document("case", m.id)}
            for m in matches]


def case_detail(case: Document, casebase: Casebase, renderer: Renderer,
                registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """Everything a case page or GET /api/cases/<id> shows."""
    documents = casebase.content.documents
    return {
        **case_fields(case, registry),
        "fact_sheet": fact_sheet(case, casebase.content.vocabulary, registry),
        "lessons": [{"id": lesson.id, "uid": lesson.uid, "statement": lesson.statement,
                     "explanation": lesson.explanation, "topics": list(lesson.topics),
                     "applies_when": {k: list(v) for k, v in lesson.applies_when.items()},
                     "sources": list(lesson.sources)} for lesson in case.lessons],
        "sources": case.get("sources", []),
        "related_notes": [_link(documents[n]) for n in case.get("related_notes", []) or [] if n in documents],
        "similar": _similar(case, casebase),
        "body_markdown": case.body,
        "body_html": renderer.body(case),
        "modified": case.modified,
    }


def note_detail(note: Document, casebase: Casebase, renderer: Renderer) -> dict[str, Any]:
    """Everything a note page or GET /api/notes/<id> shows."""
    documents = casebase.content.documents
    backlinks = [_link(case) for case in casebase.content.cases
                 if note.id in (case.get("related_notes", []) or []) or f"[[note:{note.id}" in case.body]
    return {
        "id": note.id, "title": note.title, "summary": note.summary, "topics": note.values("topics"),
        "paper_section": str(note.get("paper_section")), "learn_order": note.meta.get("learn_order"),
        "sources": note.get("sources", []),
        "related_notes": [_link(documents[n]) for n in note.get("related_notes", []) or [] if n in documents],
        "related_cases": [_link(documents[c]) for c in note.get("related_cases", []) or [] if c in documents],
        "illustrated_by": backlinks,
        "body_markdown": note.body,
        "body_html": renderer.body(note, with_glossary=True),
        "url": urls.document("note", note.id),
        "modified": note.modified,
    }


def facet_vocabularies(registry: FieldRegistry = REGISTRY) -> dict[str, str | None]:
    """Facet name -> the vocabulary of its values, for every facet of `registry` (None for 'kind')."""
    topics = next(spec.vocabulary for spec in registry.lesson if spec.key == "topics")
    fields = registry.facet_fields
    return {facet: None if facet == KIND_FACET else topics if facet == TOPIC_FACET else vocabulary_of(fields[facet])
            for facet in registry.facets}


def facet_titles(registry: FieldRegistry = REGISTRY) -> dict[str, str]:
    """Facet name -> its heading on the search page."""
    fields = registry.facet_fields
    return {facet: fields[facet].facet_title if facet in fields else facet.capitalize() for facet in registry.facets}


def facets_overview(casebase: Casebase, registry: FieldRegistry = REGISTRY,
                    counts: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """Every facet's values with labels and the number of items that carry them, in
    the registry's facet order. `counts` are the viewer's (webui/searching.py); without
    them, what anybody may find."""
    vocabulary = loaded_vocabulary(casebase)
    counts = casebase.facet_counts() if counts is None else counts
    overview: dict[str, Any] = {}
    for facet, name in facet_vocabularies(registry).items():
        values = tuple(vocabulary.values(name)) if name is not None else (
            (*ITEM_KINDS, DOCUMENT_KIND) if DOCUMENT_KIND in counts.get(facet, {}) else ITEM_KINDS)
        overview[facet] = [{"value": value, "label": value.capitalize() if name is None else
                            value_label(vocabulary, name, value), "count": counts.get(facet, {}).get(value, 0)}
                           for value in values]
    for facet in document_facet_titles(registry):  # values of uploaded documents: those counted
        found = counts.get(facet, {})
        names = place_names(casebase) if facet in PLACE_FACETS and found else {}
        overview[facet] = [{"value": value, "label": document_value_label(facet, value, names), "count": count}
                           for value, count in found.items()]
    return overview


def document_facet_titles(registry: FieldRegistry = REGISTRY) -> dict[str, str]:
    """Heading of each facet of uploaded documents that the registry does not declare."""
    return {facet: title for facet, title in document_facet_labels().items() if facet not in registry.facets}


def place_names(casebase: Casebase) -> dict[str, dict[str, str]]:
    """Programme and initiative slugs -> names, for the documents' facets (names of
    programmes and initiatives are shown to every reader of the observatory)."""
    from indexer.observatory.models import Viewer

    observatory = casebase.observatory
    return {"programme": {item.slug: item.name for item in observatory.programmes(Viewer())},
            "initiative": {item.slug: item.name for item in observatory.initiatives(Viewer())}}


def document_value_label(facet: str, value: str, names: dict[str, dict[str, str]]) -> str:
    """How a document facet's value is shown: its label, a place's name, or itself.

    >>> document_value_label("document_kind", "fact-finding", {}), document_value_label("year", "2027", {})
    ('Fact-finding report', '2027')
    >>> document_value_label("initiative", "alpha", {"initiative": {"alpha": "Alpha Furniture"}})
    'Alpha Furniture'
    """
    known = document_value_labels().get(facet, {}) or names.get(facet, {})
    return known.get(value, value)


def loaded_vocabulary(casebase: Casebase) -> Vocabulary:
    """The content's vocabulary. Without one (a broken kb/vocabulary.yaml) nothing that
    offers or compares controlled values can answer, so the content problem is raised
    as Unavailable (503) for the page or API answer that needs it."""
    vocabulary = casebase.content.vocabulary
    if vocabulary is None:
        raise Unavailable(f"the content has errors: {content_problem(casebase)}")
    return vocabulary


def content_problem(casebase: Casebase) -> str:
    """What stops the content from being shown, in one line: the vocabulary's first
    error when there is one, else the first error of any file."""
    errors = casebase.content.errors
    vocabulary_errors = [problem for problem in errors if problem.path.endswith(VOCABULARY_FILE)]
    chosen = (vocabulary_errors or errors)[:1]
    return str(chosen[0]) if chosen else f"{VOCABULARY_FILE} could not be loaded"


# -- engine answers with links -------------------------------------------------------------

def _with_urls(items: list[dict[str, Any]]) -> None:
    for item in items:
        item["url"] = urls.linked(item)


# The search modes in plain words (the select shows these; the URL keeps the short names).
MODE_LABELS = {"hybrid": "Words and meaning (best for most questions)",
               "keyword": "Exact words only",
               "semantic": "Meaning only (finds other wordings)"}
def plain_snippet(text: str) -> str:
    """A snippet without Markdown table markup: cells become a list separated by ' · '.

    >>> plain_snippet("| Region | Firms | |---|---| | Sinos | 400 |")
    'Region · Firms · Sinos · 400'
    """
    cells = [cell.strip() for cell in text.split("|")]
    if len(cells) < 3:
        return text
    kept = [cell for cell in cells if cell and not re.fullmatch(r"[\s:-]+", cell)]
    return " · ".join(" ".join(cell.split()) for cell in kept)


def hit_context(hit: dict[str, Any], content) -> dict[str, Any] | None:
    """Where a lesson or case hit comes from: its case's title, country and sectors
    (vocabulary labels), so a result places itself."""
    if hit["kind"] not in ("lesson", "case"):
        return None
    case = content.documents.get(hit["doc_id"])
    if case is None or case.kind != "case":
        return None
    vocabulary = content.vocabulary
    country = str(case.get("location.country") or "")
    sectors = [value_label(vocabulary, "sectors", str(value)) for value in case.values("sectors")]
    return {"case": case.title, "case_url": urls.document("case", case.id),
            "country": "" if country == UNKNOWN else country, "sectors": sectors}


def search_answer(response, content=None) -> dict[str, Any]:
    """A search response as JSON, each hit and other match with the `url` of its page.
    Given the content (the HTML page), each hit also says where it comes from
    (`context`) and table markup is taken out of its snippet."""
    answer = response.to_dict()
    _with_urls(answer["results"])
    for hit in answer["results"]:
        _with_urls(hit["other_matches"])
        if content is not None:
            hit["context"] = hit_context(hit, content)
            if "|" in hit["snippet_html"]:
                hit["snippet_html"] = plain_snippet(hit["snippet_html"])
    return answer


def zero_result_help(answer: dict[str, Any], search_request, content, groups: list[dict]) -> dict[str, Any]:
    """What a page with no results offers instead: the filters to drop (with the links
    that drop them) and glossary terms whose words share a word with the query."""
    words = {word.casefold() for word in re.findall(r"\w{3,}", search_request.query)}
    terms = []
    for term in content.glossary:
        names = [term.term, *term.aliases]
        text = " ".join([*names, term.definition]).casefold()
        if words and any(word in text for word in words):
            terms.append({"term": term.term, "url": urls.document("note", term.note) if term.note else urls.glossary()})
    drop = [{"facet": group["title"], "label": value["label"], "url": value["url"]}
            for group in groups for value in group["values"] if value["active"]]
    return {"drop_filters": drop, "glossary": terms[:6]}


def suggestion_answer(suggestion) -> dict[str, Any]:
    """An advisor's suggestion as JSON, each case, lesson and note with the `url` of its page."""
    answer = suggestion.to_dict()
    for name in ("cases", "lessons", "notes"):
        _with_urls(answer[name])
    return answer


def advisor_fields(controls: list[dict[str, Any]], data: dict[str, Any],
                   answer: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The advisor form's controls, each with what fills it and why (issue 9's confirmation step).

    `status` is 'given' (the user chose it: it wins), 'inferred' (read from the description:
    pre-selected, with the supporting sentences and confidences, for the user to confirm
    or change), 'undecided' (a warning would need it) or 'unknown'; `selected` are the
    values the select shows chosen, so submitting the form confirms what was read.

    >>> controls = [{"name": "pressure"}, {"name": "activities", "multiple": True}, {"name": "stage"}]
    >>> answer = {"inferred": [{"attribute": "pressure", "value": "doing-well", "label": "Pressure: doing well",
    ...                         "sentence": "Orders are full.", "confidence": 1.0, "method": "phrase"}],
    ...           "undecided": [{"attribute": "stage", "title": "A mature or declining cluster"}]}
    >>> [(c["name"], c["status"], c["selected"]) for c in advisor_fields(controls, {"activities": ["training"]}, answer)]
    [('pressure', 'inferred', ['doing-well']), ('activities', 'given', ['training']), ('stage', 'undecided', [])]
    """
    inferred: dict[str, list[dict[str, Any]]] = {}
    for item in (answer or {}).get("inferred", []):
        inferred.setdefault(item["attribute"], []).append(item)
    deciding: dict[str, list[str]] = {}
    for item in (answer or {}).get("undecided", []):
        titles = deciding.setdefault(item["attribute"], [])
        if item["title"] not in titles:
            titles.append(item["title"])
    fields = []
    for control in controls:
        name = control["name"]
        given = data.get(name)
        entry = dict(control, readings=[], decides=[])
        if given:
            entry.update(status="given", selected=list(given) if isinstance(given, list) else [given])
        elif name in inferred:
            entry.update(status="inferred", selected=[item["value"] for item in inferred[name]],
                         readings=inferred[name])
        else:
            entry.update(status="undecided" if name in deciding else "unknown", selected=[],
                         decides=deciding.get(name, []))
        fields.append(entry)
    return fields


def confirmed_profile(data: dict[str, Any], answer: dict[str, Any] | None,
                      registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """The profile the advice used, given values and what was read together: the query of
    a link that keeps the read values as confirmed ones (given values win).

    >>> confirmed_profile({"description": "d", "pressure": "under-pressure"},
    ...                   {"inferred": [{"attribute": "pressure", "value": "doing-well"},
    ...                                 {"attribute": "activities", "value": "training"},
    ...                                 {"attribute": "activities", "value": "testing"}]})
    {'description': 'd', 'pressure': 'under-pressure', 'activities': ['training', 'testing']}
    """
    profile = dict(data)
    lists = {spec.key for spec in registry.with_role(ATTRIBUTE) if spec.many}
    read: dict[str, list[str]] = {}
    for item in (answer or {}).get("inferred", []):
        read.setdefault(item["attribute"], []).append(item["value"])
    for attribute, values in read.items():
        if attribute not in profile:
            profile[attribute] = values if attribute in lists else values[0]
    return profile
