"""Start a case from a document: a draft that validates as a case, with the document's
title, its initiative's place, country and sectors, each attribute the advisor reads
from the text marked as read from the document and quoted with the passage it came
from, and the document cited as a source."""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.checking import check_candidate, load_library
from indexer.content.frontmatter import parse_text
from indexer.content.schema import REGISTRY
from indexer.documents.case_draft import quotation, reading_text, where_read
from indexer.errors import NotFound, Refused
from tests.documents_store_fixtures import HIDDEN_SLUG, NAMED_SLUG, READABLE_TEXT, phrase_reader, world  # noqa: F401


def _value_at(data: dict, path: str):
    for key in path.split("."):
        data = data[key]
    return data


def _document(world, text: str = READABLE_TEXT, who: str = "omar", initiative: str = HIDDEN_SLUG, **metadata):
    return world.documents.add(world.viewer(who), "proposal.md", text.encode("utf-8"), kind="proposal",
                               initiative=initiative, **metadata).document


def test_the_draft_is_a_valid_case_prefilled_from_the_document_and_its_initiative(world, tree):
    record = _document(world, author="Beta footwear association", date=dt.date(2026, 6, 30))
    initiative = world.observatory.initiative(world.viewer("mona"), HIDDEN_SLUG)
    draft = world.documents.start_case(world.viewer("mona"), record.id, "Mona Manager")
    assert draft.kind == "case" and draft.author == "mona"
    problems = [p for p in check_candidate(load_library(tree.root), "case", draft.doc_id, draft.text)
                if p.severity == "error"]
    assert problems == []
    data = parse_text(draft.text).data
    assert data["title"] == record.title and data["initiative"]["name"] == initiative.name
    assert data["location"]["place"] == initiative.place and data["location"]["country"] == initiative.country
    assert data["sectors"][:len(initiative.sectors)] == initiative.sectors
    (source,) = data["sources"]
    assert (source["author"], source["year"]) == ("Beta footwear association", 2026)
    assert f"uploaded document {record.id}" in source["title"] and "2026-06-30" in source["title"]


def test_each_attribute_read_is_marked_and_quoted_with_its_passage(world):
    record = _document(world)
    passages = world.documents.passages(world.viewer("omar"), record.id)
    reading = phrase_reader()(reading_text(passages))
    case_fields = [item for item in reading.inferred if item.attribute in REGISTRY.attribute_paths]
    assert case_fields, "the fixture's text states attributes the method's phrases read"
    draft = world.documents.start_case(world.viewer("mona"), record.id, "Mona Manager")
    data = parse_text(draft.text).data
    body = draft.text.split("## Read from the document", 1)[1].split("## What was done", 1)[0]
    for item in case_fields:
        path = REGISTRY.attribute_paths[item.attribute]
        listed = item.attribute in REGISTRY.list_attributes
        value = _value_at(data, path)
        assert (item.value in value) if listed else (value == item.value)
        assert (f"{path}={item.value}" if listed else path) in data["interpreted"]
        line = next(line for line in body.splitlines() if f": {item.value}, read from" in line)
        assert where_read(item.sentence, passages) in line and quotation(item.sentence) in line
    assert "section 'Situation'" in body  # the heading the pressure phrase stands under


def test_values_the_initiative_records_win_over_the_reading(world):
    world.observatory.update_initiative(world.viewer("mona"), HIDDEN_SLUG, {"profile": {"pressure": "doing-well"}})
    record = _document(world)
    data = parse_text(world.documents.start_case(world.viewer("mona"), record.id, "Mona").text).data
    assert data["situation"]["pressure"] == "doing-well"
    assert "situation.pressure" not in data.get("interpreted", [])


def test_quoted_passages_cannot_inject_links_or_markup(world):
    text = ("# Situation\n\nSee [[case:nowhere]] and <script>alert(1)</script>: the firms are losing market share "
            "to cheap imports.\n")
    record = _document(world, text)
    draft = world.documents.start_case(world.viewer("mona"), record.id, "Mona")  # the library found no broken link
    assert "[[case:nowhere]]" not in draft.text and "<script>" not in draft.text


def test_who_may_start_a_case(world):
    record = _document(world)
    with pytest.raises(NotFound):  # a reader outside the hidden initiative does not see it
        world.documents.start_case(world.viewer("rita"), record.id, "Rita")
    with pytest.raises(Refused, match="editor or reviewer"):  # its member sees it but writes no drafts
        world.documents.start_case(world.viewer("omar"), record.id, "Omar")
    assert world.library.drafts() == []


def test_two_cases_from_one_document_take_free_ids(world):
    record = _document(world, initiative=NAMED_SLUG, who="lina")
    first = world.documents.start_case(world.viewer("ed"), record.id, "Ed")
    second = world.documents.start_case(world.viewer("vera"), record.id, "Vera")
    assert first.doc_id != second.doc_id and second.doc_id.startswith(first.doc_id)


def test_without_a_reader_or_a_library(world):
    record = _document(world)
    draft = world.facade(read_profile=None).start_case(world.viewer("mona"), record.id, "Mona")
    assert "No attribute was read" in draft.text and not parse_text(draft.text).data["interpreted"]
    with pytest.raises(Refused, match="no library"):
        world.facade(library=None).start_case(world.viewer("mona"), record.id, "Mona")
