"""HTML pages. Each also answers ?format=json with the data it renders."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, render_template, request

from indexer.advisor.profile import SCALAR_ATTRIBUTES, ProfileError
from indexer.search.searcher import FACETS

from . import params, presenters
from .errors import BadParameter
from .services import casebase, document_or_404, renderer

bp = Blueprint("pages", __name__)

FACET_TITLES = {
    "kind": "Kind", "country": "Country", "sector": "Sector", "markusen": "Markusen type",
    "altenburg_meyer_stamer": "Altenburg / Meyer-Stamer type", "enright": "Enright type",
    "driver": "Driven by", "approach": "Approach", "pressure": "Pressure", "stage": "Stage", "topic": "Topic",
}
FACET_VOCABULARY = {
    "sector": "sectors", "markusen": "typology.markusen", "altenburg_meyer_stamer": "typology.altenburg_meyer_stamer",
    "enright": "typology.enright", "driver": "driver", "approach": "approach", "pressure": "pressure",
    "stage": "stage", "topic": "topics",
}


def _json_requested() -> bool:
    return request.args.get("format") == "json"


@bp.get("/")
def home():
    """Search box, the three ways in, what changed lately, how much there is."""
    content = casebase().content
    recent = sorted(content.documents.values(), key=lambda d: (-d.modified, d.id))[:6]
    data = {
        "counts": {"cases": len(content.cases), "notes": len(content.notes), "lessons": len(content.lessons),
                   "glossary_terms": len(content.glossary)},
        "recent": [{"id": d.id, "kind": d.kind, "title": d.title, "url": f"/{d.kind}s/{d.id}"} for d in recent],
    }
    if _json_requested():
        return jsonify(data)
    return render_template("home.html", **data)


@bp.get("/search")
def search():
    """Search with facets, snippets, "did you mean" and pagination; state in the URL."""
    page_size = current_app.config["PAGE_SIZE"]
    search_request = params.search_request(request.args, page_size=page_size)
    response = None
    if search_request.query or search_request.filters or search_request.kinds:
        response = casebase().search(search_request)
    if _json_requested():
        return jsonify(response.to_dict() if response else {"query": "", "results": [], "total": 0})
    page = search_request.offset // page_size + 1
    pages = ((response.total - 1) // page_size + 1) if response and response.total else 0
    return render_template(
        "search.html", request_=search_request, response=response, page=page, pages=pages,
        facet_groups=_facet_groups(response, search_request), page_url=_page_url,
        suggestion_url=_replace_url("q", response.suggestion) if response and response.suggestion else None,
    )


def _facet_groups(response, search_request) -> list[dict]:
    if response is None:
        return []
    vocabulary = casebase().content.vocabulary
    groups = []
    for facet in FACETS:
        counts = response.facets.get(facet, {})
        active = set(search_request.kinds if facet == "kind" else search_request.filters.get(facet, ()))
        if not counts and not active:
            continue
        values = []
        for value, count in list(counts.items())[:12]:
            name = FACET_VOCABULARY.get(facet)
            label = vocabulary.label(name, value) if name else value.capitalize() if facet == "kind" else value
            values.append({"value": value, "label": label, "count": count, "active": value in active,
                           "url": _toggle_url(facet, value)})
        groups.append({"facet": facet, "title": FACET_TITLES[facet], "values": values})
    return groups


def _toggle_url(facet: str, value: str) -> str:
    items = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "format")]
    if (facet, value) in items:
        items.remove((facet, value))
    else:
        items.append((facet, value))
    return "/search?" + urlencode(items)


def _page_url(page: int) -> str:
    items = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "format")]
    return "/search?" + urlencode(items + [("page", str(page))])


def _replace_url(key: str, value: str) -> str:
    items = [(k, v) for k, v in request.args.items(multi=True) if k not in (key, "page", "format")]
    return "/search?" + urlencode([(key, value)] + items)


@bp.get("/cases/<case_id>")
def case(case_id: str):
    """A case: rendered body, fact sheet, lessons, sources, related notes, similar cases."""
    document = document_or_404("case", case_id)
    detail = presenters.case_detail(document, casebase(), renderer())
    if _json_requested():
        return jsonify(detail)
    lessons_html = {lesson["id"]: renderer().inline(lesson["explanation"]) for lesson in detail["lessons"]}
    return render_template("case.html", case=detail, lessons_html=lessons_html, draft=_open_draft("case", case_id))


@bp.get("/notes/<note_id>")
def note(note_id: str):
    """A methodology note with glossary tooltips and the cases that illustrate it."""
    document = document_or_404("note", note_id)
    detail = presenters.note_detail(document, casebase(), renderer())
    if _json_requested():
        return jsonify(detail)
    return render_template("note.html", note=detail, draft=_open_draft("note", note_id))


def _open_draft(kind: str, doc_id: str):
    """The open draft of a document, shown to editors only."""
    user = g.get("user")
    if user is None or not user.can("editor"):
        return None
    return current_app.extensions["library"].open_draft(kind, doc_id)


@bp.get("/advisor")
def advisor():
    """Plan a new initiative: the profile form and, when filled, the suggestions."""
    data = params.profile_data(request.args)
    answer, error = None, None
    if data:
        try:
            answer = casebase().suggest(data)
        except ProfileError as exc:  # shown next to the form, which keeps the user's values
            error = {"field": exc.field, "message": exc.message}
    if _json_requested():
        if error:
            raise BadParameter(error["field"], error["message"])
        return jsonify(answer.to_dict() if answer else {"profile": {}})
    vocabulary = casebase().content.vocabulary
    choices = {name: [(value, vocabulary.label(vocabulary_name, value))
                      for value in vocabulary.values(vocabulary_name)]
               for name, vocabulary_name in SCALAR_ATTRIBUTES.items()}
    choices["sectors"] = [(v, vocabulary.label("sectors", v)) for v in vocabulary.values("sectors")]
    choices["activities"] = [(v, vocabulary.label("activities", v)) for v in vocabulary.values("activities")]
    choices["country"] = [(name, name) for name in vocabulary.values("countries")]
    titles = {name: vocabulary.title(vocabulary_name) for name, vocabulary_name in SCALAR_ATTRIBUTES.items()}
    return render_template("advisor.html", data=data, answer=answer, error=error, choices=choices,
                           titles=titles, documents=casebase().content.documents)


@bp.get("/learn")
def learn():
    """The onboarding path: notes in reading order, key cases, the glossary."""
    content = casebase().content
    notes = [{"id": n.id, "title": n.title, "summary": n.summary, "url": f"/notes/{n.id}",
              "order": n.meta.get("learn_order")} for n in content.notes]
    key_cases = sorted(content.cases, key=lambda c: (-len(c.lessons), c.id))[:6]
    cases = [{"id": c.id, "title": c.title, "summary": c.summary, "url": f"/cases/{c.id}"} for c in key_cases]
    glossary = [{"term": t.term, "aliases": list(t.aliases), "definition": t.definition,
                 "note": t.note, "url": f"/notes/{t.note}" if t.note else None}
                for t in sorted(content.glossary, key=lambda t: t.term.casefold())]
    data = {"notes": notes, "cases": cases, "glossary": glossary}
    if _json_requested():
        return jsonify(data)
    return render_template("learn.html", **data)
