"""HTML pages. Each also answers ?format=json with the data it renders.

What the search facets and the advisor's form offer is derived from the field
registry; links are built by webui/urls.py. The blueprint also hands every template
the URL builder and the edit form's controls (see `template_helpers`).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, g, jsonify, render_template, request

from indexer.errors import InvalidInput
from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry
from indexer.content.vocabulary import Vocabulary
from indexer.search.searcher import MODES

from . import advising, browsing, params, presenters, reading, searching, urls
from .errors import BadParameter
from .form_controls import form_controls, lesson_controls
from .services import casebase, document_or_404, renderer

bp = Blueprint("pages", __name__)

MAX_FACET_VALUES = 12  # values shown per facet on the search page
RECENT_DOCUMENTS = 6
KEY_CASES = 6
# Query parameters that belong to one page view, not to the search itself.
_VIEW_PARAMETERS = ("page", "format")


@bp.app_context_processor
def template_helpers() -> dict:
    """What every template may use: the URL builder, and the edit form's controls
    (webui/editor.py renders edit.html; the controls come from the registry)."""
    return {"urls": urls, "form_controls": _form_controls, "lesson_controls": _lesson_controls}


def _form_controls(kind: str) -> list[dict]:
    _vocabulary()  # the controls offer vocabulary values
    return form_controls(kind, casebase().content)


def _lesson_controls() -> dict:
    return lesson_controls(_vocabulary())


def _vocabulary() -> Vocabulary:
    return presenters.loaded_vocabulary(casebase())


def _json_requested() -> bool:
    return request.args.get("format") == "json"


@bp.get("/")
def home():
    """Search box, the three ways in, what changed lately, how much there is."""
    content = casebase().content
    recent = sorted(content.documents.values(), key=lambda d: (-d.modified, d.id))[:RECENT_DOCUMENTS]
    data = {
        "counts": {"cases": len(content.cases), "notes": len(content.notes), "lessons": len(content.lessons),
                   "glossary_terms": len(content.glossary)},
        "recent": [{"id": d.id, "kind": d.kind, "title": d.title, "url": urls.document(d.kind, d.id)}
                   for d in recent],
    }
    if _json_requested():
        return jsonify(data)
    return render_template("home.html", **data)


@bp.get("/search")
def search():
    """Search with facets, snippets, "did you mean" and pagination; state in the URL.
    Without words it lists what the filters select (everything when none)."""
    page_size = current_app.config["PAGE_SIZE"]
    search_request = searching.search_request(request.args, page_size=page_size)
    answer = _answer(search_request)
    if _json_requested():
        return jsonify(answer)
    page = search_request.offset // page_size + 1
    pages = ((answer["total"] - 1) // page_size + 1) if answer["total"] else 0
    # The vocabulary alone: a fresh worker answers searches before its content has loaded.
    groups = facet_groups(answer, search_request, casebase().vocabulary)
    return render_template(
        "search.html", request_=search_request, response=answer, page=page, pages=pages, modes=MODES,
        mode_labels=presenters.MODE_LABELS, facet_groups=groups, chips=active_chips(groups),
        clear_url=urls.search([("q", search_request.query)] if search_request.query else []),
        page_url=_page_url,
        suggestion_url=_replace_url("q", answer["suggestion"]) if answer["suggestion"] else None,
        way_on=presenters.zero_result_help(answer, search_request, casebase().content, groups)
        if not answer["total"] else None,
    )


def _answer(search_request) -> dict:
    """The search's answer as data: ranked hits for words, the browse list without.
    Each facet's counts leave out that facet's own selection, so its other values stay
    on the page for OR (Datasette's facets)."""
    content = casebase().content
    if not search_request.query:
        answer = browsing.browse(content, search_request.kinds, search_request.filters,
                                 search_request.limit, search_request.offset)
        if "document" in search_request.kinds or set(search_request.filters) & set(searching.document_facets()):
            # Browsing lists the content's items; uploaded documents have their own list.
            answer["notices"].append("Uploaded documents are listed on the Documents page; type words to search "
                                     "their text here.")
        return answer
    response, gloss = searching.search_any_language(search_request)
    if gloss.changed:  # Portuguese or Spanish words: the English the content is written in was searched
        search_request = replace(search_request, query=gloss.english)
    answer = presenters.search_answer(response, content)
    if not gloss.changed and (answer["suggestion"] or not answer["total"]):
        answer["suggestion"] = casebase().lexicon.correction(search_request.query) or answer["suggestion"]
    if gloss.changed:
        answer["query"] = gloss.original
        answer["searched_as"] = gloss.english
    selected = {"kind": search_request.kinds, **search_request.filters}
    for facet, values in selected.items():
        if not values:
            continue
        kinds = () if facet == presenters.KIND_FACET else search_request.kinds
        filters = {name: chosen for name, chosen in search_request.filters.items() if name != facet}
        wider = searching.search(replace(search_request, kinds=kinds, filters=filters, limit=1, offset=0))
        answer["facets"][facet] = wider.facets.get(facet, {})
        if facet in wider.interpreted:
            answer["interpreted"][facet] = wider.interpreted[facet]
        else:
            answer["interpreted"].pop(facet, None)
    return answer


def active_chips(groups: list[dict]) -> list[dict]:
    """The selected facet values as removable chips: facet title, value label, the
    link that removes it."""
    return [{"facet": group["title"], "label": value["label"], "url": value["url"]}
            for group in groups for value in group["values"] if value["active"]]


def facet_groups(answer: dict, search_request, vocabulary: Vocabulary | None,
                 registry: FieldRegistry = REGISTRY) -> list[dict]:
    """The search page's facets: each with its title and values (label, count, whether
    active, the link that toggles it), in the registry's facet order. Without a
    vocabulary values are shown as they are."""
    titles = presenters.facet_titles(registry)
    groups = []
    for facet, name in presenters.facet_vocabularies(registry).items():
        counts = answer["facets"].get(facet, {})
        active = set(search_request.kinds if facet == presenters.KIND_FACET else search_request.filters.get(facet, ()))
        if not counts and not active:
            continue
        values = []
        shown = list(counts.items())[:MAX_FACET_VALUES]
        # A selected value stays listed (and removable) even when it counts nothing now.
        shown += [(value, 0) for value in sorted(active) if value not in dict(shown)]
        marked = answer.get("interpreted", {}).get(facet, {})
        for value, count in shown:
            label = value.capitalize() if name is None else presenters.value_label(vocabulary, name, value)
            values.append({"value": value, "label": label, "count": count, "active": value in active,
                           "url": _toggle_url(facet, value), "interpreted": marked.get(value, 0)})
        groups.append({"facet": facet, "title": titles[facet], "values": values})
    return groups + document_facet_groups(answer, search_request)


def document_facet_groups(answer: dict, search_request) -> list[dict]:
    """The facets of uploaded documents (kind of document, programme, initiative, year,
    language) as the search page shows them, after the cases' facets; a programme or
    initiative is shown by its name."""
    groups = []
    names = None
    for facet, title in presenters.document_facet_titles().items():
        counts = answer["facets"].get(facet, {})
        active = set(search_request.filters.get(facet, ()))
        if not counts and not active:
            continue
        if facet in presenters.PLACE_FACETS and names is None:
            names = presenters.place_names(casebase())
        shown = list(counts.items())[:MAX_FACET_VALUES]
        shown += [(value, 0) for value in sorted(active) if value not in dict(shown)]
        values = [{"value": value, "label": presenters.document_value_label(facet, value, names or {}), "count": count,
                   "active": value in active, "url": _toggle_url(facet, value)} for value, count in shown]
        groups.append({"facet": facet, "title": title, "values": values})
    return groups


def _search_items(*dropped: str) -> list[tuple[str, str]]:
    """The current search's query parameters, without the page view's and `dropped`."""
    return [(k, v) for k, v in request.args.items(multi=True) if k not in (*_VIEW_PARAMETERS, *dropped)]


def _toggle_url(facet: str, value: str) -> str:
    items = _search_items()
    if (facet, value) in items:
        items.remove((facet, value))
    else:
        items.append((facet, value))
    return urls.search(items)


def _page_url(page: int) -> str:
    return urls.search(_search_items() + [("page", str(page))])


def _replace_url(key: str, value: str) -> str:
    return urls.search([(key, value)] + _search_items(key))


@bp.get("/cases")
def cases():
    """Every case with its key facts, and the facets to narrow the list by."""
    content = casebase().content
    _vocabulary()
    data = {"cases": reading.case_list(content)}
    if _json_requested():
        return jsonify(data)
    return render_template("cases.html", **data)


@bp.get("/notes")
def notes():
    """Every methodology note in learning-path order, with reading times."""
    content = casebase().content
    _vocabulary()
    data = {"notes": reading.note_list(content)}
    if _json_requested():
        return jsonify(data)
    return render_template("notes.html", **data)


@bp.get("/glossary")
def glossary():
    """The glossary A-Z, each term linked to the note that explains it."""
    data = {"letters": reading.glossary_letters(casebase().content)}
    if _json_requested():
        return jsonify(data)
    return render_template("glossary.html", **data)


@bp.get("/cases/<case_id>")
def case(case_id: str):
    """A case: rendered body, fact sheet, lessons, sources, related notes, similar cases."""
    vocabulary = _vocabulary()  # without it no document loads: say why rather than "no such case"
    document = document_or_404("case", case_id)
    detail = presenters.case_detail(document, casebase(), renderer())
    if _json_requested():
        return jsonify(detail)
    lessons_html = {lesson["id"]: renderer().inline(lesson["explanation"]) for lesson in detail["lessons"]}
    stated, unstated = reading.split_fact_sheet(detail["fact_sheet"])
    lesson_meta = {lesson["id"]: {"topics": reading.topic_links(lesson["topics"], vocabulary),
                                  "conditions": reading.lesson_conditions(lesson["applies_when"], vocabulary)}
                   for lesson in detail["lessons"]}
    return render_template("case.html", case=detail, lessons_html=lessons_html, lesson_meta=lesson_meta,
                           facts=stated, unstated=unstated, toc=reading.table_of_contents(document),
                           paragraphs=presenters.paragraphs(document), draft=_open_draft("case", case_id))


@bp.get("/notes/<note_id>")
def note(note_id: str):
    """A methodology note with glossary tooltips, the cases that illustrate it and its
    place on the learning path."""
    vocabulary = _vocabulary()  # without it no document loads: say why rather than "no such note"
    document = document_or_404("note", note_id)
    detail = presenters.note_detail(document, casebase(), renderer())
    if _json_requested():
        return jsonify(detail)
    return render_template("note.html", note=detail, draft=_open_draft("note", note_id),
                           toc=reading.table_of_contents(document), minutes=reading.reading_minutes(document),
                           topics=reading.topic_links(detail["topics"], vocabulary),
                           path=reading.path_neighbours(casebase().content, note_id))


def _open_draft(kind: str, doc_id: str):
    """The open draft of a document, shown to editors only."""
    user = g.get("user")
    if user is None or not user.can("editor"):
        return None
    return current_app.extensions["library"].open_draft(kind, doc_id)


def profile_form(vocabulary: Vocabulary, registry: FieldRegistry = REGISTRY) -> list[dict]:
    """The advisor form's selects, one per profile attribute of `registry`, in its order:
    name, label (the vocabulary's title where there is one), whether several values may
    be chosen, and the (value, label) options."""
    controls = []
    for spec in registry.with_role(ATTRIBUTE):
        name = presenters.vocabulary_of(spec)
        options = [(value, presenters.value_label(vocabulary, name, value)) for value in vocabulary.values(name)]
        label = vocabulary.title(name) if spec.vocabulary else spec.title
        controls.append({"name": spec.key, "label": label, "multiple": spec.many, "options": options})
    return controls


@bp.get("/advisor")
def advisor():
    """Plan a new initiative: the profile form and, when filled, the suggestions.

    An invalid value is answered 400 with the form again, the message beside its field;
    a parameter the advisor does not know is named in a notice."""
    vocabulary = _vocabulary()  # the advisor compares controlled values: none without a vocabulary
    args = request.args
    notices = advising.unknown_parameter_notices(args)
    data = advising.forget_stale_readings(params.profile_data(args), args)
    answer, error, suggestion = None, None, None
    try:
        params.single_values(args)
        if data:
            suggestion = casebase().suggest(data)
    except InvalidInput as exc:  # shown next to its field, in the form that keeps the user's values
        error = advising.field_error(exc)
    if suggestion is not None:
        answer = presenters.suggestion_answer(suggestion)
        data = dict(answer["profile"])  # the values as the vocabulary spells them
    if _json_requested():
        if error:
            raise BadParameter(error["field"], error["message"])
        return jsonify(dict(answer, notices=notices + answer["notices"]) if answer else
                       {"profile": {}, "notices": notices})
    confirmed = presenters.confirmed_profile(data, answer) if answer else None
    fields = presenters.advisor_fields(profile_form(vocabulary), data, answer)
    view = advising.page_view(answer, suggestion, casebase().advisor().labels) if answer else {}
    page = render_template("advisor.html", data=data, answer=answer, error=error, fields=fields, view=view,
                           notices=notices, read_fields=advising.read_fields(fields, data),
                           confirmed_url=urls.advisor(confirmed) if confirmed and confirmed != data else None,
                           documents=casebase().content.documents)
    return page, 400 if error else 200


@bp.get("/learn")
def learn():
    """The onboarding path in modules with reading times, and the key cases."""
    content = casebase().content
    key_cases = sorted(content.cases, key=lambda c: (-len(c.lessons), c.id))[:KEY_CASES]
    cases = [{"id": c.id, "title": c.title, "summary": c.summary, "url": urls.document("case", c.id)}
             for c in key_cases]
    modules = reading.path_modules(content)
    data = {"modules": modules, "notes": [note for module in modules for note in module["notes"]],
            "cases": cases, "glossary_terms": len(content.glossary)}
    if _json_requested():
        return jsonify(data)
    return render_template("learn.html", **data)
