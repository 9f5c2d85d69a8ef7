"""Browsing without words (issue 13): fact-sheet links, breadcrumbs and /cases land on
lists; facets are disjunctive (a facet's other values stay for OR); chips remove one
filter; "clear all" keeps the words. Expected counts are derived from the content."""

from __future__ import annotations

import re

from indexer.content.vocabulary import UNKNOWN


def _country_counts(content) -> dict[str, int]:
    counts: dict[str, int] = {}
    for case in content.cases:
        country = str(case.get("location.country"))
        counts[country] = counts.get(country, 0) + 1 + len(case.lessons)
    return counts


def test_a_search_without_words_lists_what_a_filter_selects(client, bundled_casebase):
    content = bundled_casebase.content
    brazil = _country_counts(content)["Brazil"]
    data = client.get("/search?country=Brazil&format=json&limit=100").get_json()
    assert data["total"] == brazil > 0  # every Brazilian case and each of its lessons
    assert {hit["kind"] for hit in data["results"]} <= {"case", "lesson"}


def test_the_kind_breadcrumb_lists_every_case_sorted_by_title(client, bundled_casebase):
    cases = bundled_casebase.content.cases
    data = client.get("/search?kind=case&format=json").get_json()
    assert data["total"] == len(cases)
    titles = [hit["title"] for hit in data["results"]]
    assert titles == sorted(titles, key=str.casefold)


def test_no_words_and_no_filters_lists_everything(client, bundled_casebase):
    content = bundled_casebase.content
    data = client.get("/search?format=json").get_json()
    assert data["total"] == len(content.cases) + len(content.notes) + len(content.lessons)


def test_every_fact_sheet_link_lands_on_a_list_holding_the_case(client, bundled_casebase):
    case = next(c for c in bundled_casebase.content.cases if c.id == "sinos-valley")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    sheet = page[page.index('class="fact-sheet"'):page.index("</section>", page.index('class="fact-sheet"'))]
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/search\?[^"]+)"', sheet)]
    assert links
    for link in links:
        data = client.get(link + "&format=json&limit=100").get_json()
        assert data["total"] > 0, link
        assert case.id in {hit["doc_id"] for hit in data["results"]}, link


def test_a_selected_facet_keeps_its_other_values_for_or(client, bundled_casebase):
    counts = _country_counts(bundled_casebase.content)
    counts.pop(UNKNOWN, None)
    two = sorted(counts, key=lambda c: -counts[c])[:2]
    one = client.get(f"/search?country={two[0]}&format=json").get_json()
    assert one["facets"]["country"].get(two[1]) == counts[two[1]]  # still offered, with its own count
    both = client.get(f"/search?country={two[0]}&country={two[1]}&format=json").get_json()
    assert both["total"] == counts[two[0]] + counts[two[1]]


def test_word_search_facets_also_keep_other_values(client):
    wide = client.get("/search?q=trust&format=json").get_json()
    countries = [c for c in wide["facets"]["country"] if c != UNKNOWN]
    assert len(countries) >= 2
    narrow = client.get(f"/search?q=trust&country={countries[0]}&format=json").get_json()
    assert narrow["facets"]["country"] == wide["facets"]["country"]
    assert narrow["total"] == wide["facets"]["country"][countries[0]]


def test_chips_remove_one_filter_and_clear_all_keeps_the_words(client):
    page = client.get("/search?q=trust&country=Brazil&kind=lesson").get_data(as_text=True)
    chips = re.findall(r'<a class="chip" href="([^"]+)"', page)
    assert len(chips) == 2
    assert any("country" not in chip and "kind=lesson" in chip for chip in chips)
    assert 'class="chip clear" href="/search?q=trust"' in page


def test_zero_results_offer_dropping_a_filter_and_glossary_terms(client):
    # Notes carry no country, so notes in Brazil are none, whatever the words.
    url = "/search?q=value+chain&mode=keyword&kind=note&country=Brazil"
    assert client.get(url + "&format=json").get_json()["total"] == 0
    page = client.get(url).get_data(as_text=True)
    assert 'drop the filter <a href="/search?q=value+chain&amp;mode=keyword&amp;kind=note">Country: Brazil</a>' in page
    assert '<a href="/notes/global-governance">global value chain</a>' in page


def test_a_lesson_hit_names_its_case_country_and_sector(client, bundled_casebase):
    content = bundled_casebase.content
    lesson = content.lessons[0]
    case = content.documents[lesson.case_id]
    page = client.get("/search", query_string={"q": lesson.statement, "kind": "lesson"}).get_data(as_text=True)
    context = re.search(r'<p class="context">From <a href="/cases/([^"]+)">([^<]+)</a>([^<]*)</p>', page)
    assert context, "no lesson context"
    hit_case = content.documents[context.group(1)]
    assert str(hit_case.get("location.country")) in context.group(3) or hit_case.get("location.country") == UNKNOWN
    assert case.title  # the lesson's own case is a real case


def test_cases_and_notes_pages_list_everything(client, bundled_casebase):
    content = bundled_casebase.content
    cases = client.get("/cases?format=json").get_json()["cases"]
    assert {c["id"] for c in cases} == {c.id for c in content.cases}
    assert all(fact["url"].startswith("/search?") for c in cases for fact in c["facts"])
    notes = client.get("/notes?format=json").get_json()["notes"]
    assert {n["id"] for n in notes} == {n.id for n in content.notes}
    page = client.get("/cases/sinos-valley").get_data(as_text=True)
    assert '<a href="/cases">Cases</a>' in page


def test_snippets_show_no_markdown_table_pipes(client, bundled_casebase):
    tables = [d for d in bundled_casebase.content.documents.values() if "\n|" in d.body]
    assert tables, "the content has a Markdown table"
    words = re.findall(r"\|\s*([A-Za-z]{5,})\s*\|", tables[0].body)[:2]
    data = client.get("/search", query_string={"q": " ".join(words)}).get_data(as_text=True)
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', data, re.S)
    assert snippets and not any("|" in snippet for snippet in snippets)


def test_one_search_landmark_per_page(client):
    for url in ("/", "/search?q=trust", "/cases", "/learn", "/glossary", "/cases/sinos-valley"):
        page = client.get(url).get_data(as_text=True)
        assert page.count('role="search"') == 1, url
