"""Security of the web front end: no stored or reflected XSS, hardening headers,
strict ids, request size limit, and the per-revision render cache.

A small content tree is built in a temporary folder whose case, note, glossary and
rule carry XSS payloads in the Markdown bodies and in free-text front-matter fields;
queries and advisor descriptions carry them too. Every page that shows them is parsed
with html.parser (which decodes entities, as a browser does) and must contain no
active HTML: no script or embedding elements, no event-handler attributes, no
javascript:/data: URLs; while the harmless text around each payload stays visible.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from markupsafe import escape

from webui.security import CONTENT_SECURITY_POLICY

from tests.web.support import REPO_ROOT, make_app, open_indexed


def _shared_helpers():
    """tests/conftest.py's content helpers (valid_case, valid_note, render, ContentTree),
    loaded under their own module name so they do not clash with this folder's conftest."""
    spec = importlib.util.spec_from_file_location("casebase_test_helpers", REPO_ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


helpers = _shared_helpers()

CASE_ID = "xss-case"
NOTE_ID = "xss-note"
OTHER_ID = "plain-town"

# (name, Markdown/HTML source). Each is written into the bodies between two visible
# markers "vis-<n>-before" and "vis-<n>-after" that must survive as text.
BODY_PAYLOADS = [
    ("script", "<script>alert('s1')</script>"),
    ("script-upper", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("img-onerror", "<img src=x onerror=alert('s2')>"),
    ("svg-onload", "<svg onload=alert('s3')><circle r=1 /></svg>"),
    ("md-javascript-link", "[click-md](javascript:alert('s4'))"),
    ("md-javascript-link-spaces", "[click-sp](  JavaScript:alert('s4b'))"),
    ("md-data-link", "[click-data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("md-reference-link", "[click-ref][evil]\n\n[evil]: javascript:alert('s5')\n"),
    ("md-image", "![pic](javascript:alert('s6'))"),
    ("md-autolink", "<javascript:alert('s7')>"),
    ("a-mixed-case", '<a href="JaVaScRiPt:alert(\'s8\')">click-mixed</a>'),
    ("a-entity-scheme", '<a href="&#106;&#97;vascript:alert(\'s9\')">click-entity</a>'),
    ("a-tab-in-scheme", '<a href="jav&#x09;ascript:alert(\'s10\')">click-tab</a>'),
    ("a-vbscript", '<a href="vbscript:msgbox(1)">click-vb</a>'),
    ("a-data", '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">click-data2</a>'),
    ("iframe", '<iframe src="https://evil.example/" srcdoc="<script>alert(1)</script>"></iframe>'),
    ("style-tag", "<style>body { background: url(javascript:alert('s11')) }</style>"),
    ("style-attr", '<p style="background:url(javascript:alert(1))">styled-text</p>'),
    ("event-attrs", '<p onclick="alert(\'s12\')" onmouseover=alert(1)>event-text</p>'),
    ("details-toggle", "<details open ontoggle=alert('s13')><summary>sum</summary></details>"),
    ("input-focus", "<input autofocus onfocus=alert('s14')>"),
    ("attribute-breakout", '<a href="/ok" title=""><script>alert(\'s15\')</script>">breakout-text</a>'),
    ("quote-breakout-text", "\"><script>alert('s16')</script>"),
    ("entity-text", "&lt;script&gt;alert('s17')&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;"),
    ("object", '<object data="javascript:alert(1)" type="text/html"></object>'),
    ("embed", '<embed src="javascript:alert(1)">'),
    ("form", '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("base", '<base href="javascript:/">'),
    ("math-mutation", "<math><mtext><table><mglyph><style><img src=x onerror=alert('s18')></style></mglyph>"
                      "</table></mtext></math>"),
    ("casebase-link-label", f"[[case:{CASE_ID}|<script>alert('s19')</script>label-one]]"),
    ("casebase-link-img", f"[[note:{NOTE_ID}|<img src=x onerror=alert('s20')>label-two]]"),
    ("casebase-link-js", f"[[case:{OTHER_ID}|x](javascript:alert('s21')) [y]]"),
    ("table-cell", '<table><tr><td align="x> coopetition <script>alert(\'s22\')</script>">cell</td></tr></table>'),
    ("heading", "## Heading <img src=x onerror=alert('s23')> visible\n"),
    # Last: an unclosed raw-HTML block makes Markdown pass the rest of the body through as HTML.
    ("noscript-mutation", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
]

# Payloads for text fields (front matter, glossary, rules, queries, descriptions).
FIELD_PAYLOAD = "<script>alert('f1')</script><img src=x onerror=alert('f2')>"
ATTR_PAYLOAD = "\"><svg onload=alert('f3')>"
LINK_PAYLOAD = "[f-link](javascript:alert('f4')) <a href=\"data:text/html,x\">f-data</a>"
IFRAME_PAYLOAD = "<iframe src=javascript:alert('f5')></iframe><object data=x></object><embed src=x>"
# A glossary term whose text becomes the glossary page's anchor id (and a tooltip's link).
GLOSSARY_TERM_PAYLOAD = "zz \"' onmouseover=alert('g1') <b>x</b>"


def _body() -> str:
    lines = ["## Context", "", "Plain text about footwear cooperation and coopetition (Author 2001).", ""]
    for index, (_, payload) in enumerate(BODY_PAYLOADS):
        lines += [f"vis-{index}-before", "", payload, "", f"vis-{index}-after", ""]
    return "\n".join(lines)


def _write_tree(root: Path) -> None:
    tree = helpers.ContentTree(root)
    evil_source = {"author": f"Author {FIELD_PAYLOAD}", "year": 2001, "title": f"Title {ATTR_PAYLOAD}",
                   "via": f"via {IFRAME_PAYLOAD}"}
    tree.case(
        CASE_ID, body=_body(),
        title=f"Case title {FIELD_PAYLOAD}",
        summary=f"Case summary {ATTR_PAYLOAD} (Author 2001).",
        location={"place": f"Place {IFRAME_PAYLOAD}", "region": "unknown", "country": "Brazil"},
        period=f"1990s {FIELD_PAYLOAD}",
        initiative={"name": f"Initiative {ATTR_PAYLOAD}", "driver": "private", "approach": "bottom-up",
                    "lead_organisations": [f"Org {FIELD_PAYLOAD}"]},
        funding=f"Funding {IFRAME_PAYLOAD}",
        monitoring=f"Monitoring {LINK_PAYLOAD}",
        outcomes=f"Outcomes {FIELD_PAYLOAD} {ATTR_PAYLOAD}",
        related_notes=[NOTE_ID],
        sources=[evil_source],
        lessons=[{
            "id": "evil-lesson",
            "statement": f"Lesson statement {FIELD_PAYLOAD} {ATTR_PAYLOAD}",
            "explanation": f"Lesson explanation {FIELD_PAYLOAD} {LINK_PAYLOAD} {IFRAME_PAYLOAD} (Author 2001).",
            "topics": ["implementation"],
            "applies_when": {"approach": "bottom-up"},
            "sources": [f"Author 2001 {FIELD_PAYLOAD}"],
        }],
    )
    tree.case(OTHER_ID, body="## Context\n\nA plain footwear town (Author 2001).\n")
    tree.note(NOTE_ID, body=_body(), title=f"Note title {FIELD_PAYLOAD}",
              summary=f"Note summary {ATTR_PAYLOAD} (Author 2001).", learn_order=1,
              sources=[evil_source], related_cases=[CASE_ID])
    glossary = {"terms": [{"term": "coopetition", "aliases": ["co-opetition"],
                           "definition": f"Rivals cooperate {FIELD_PAYLOAD} {ATTR_PAYLOAD} (Author 2001).",
                           "note": NOTE_ID, "source": "Author 2001"},
                          {"term": GLOSSARY_TERM_PAYLOAD, "aliases": [f"alias {FIELD_PAYLOAD}"],
                           "definition": f"Evil term {IFRAME_PAYLOAD} (Author 2001).", "source": "Author 2001"}]}
    (root / "kb" / "glossary.yaml").write_text(yaml.safe_dump(glossary), encoding="utf-8")
    rules = {"rules": [{"id": "evil-rule", "kind": "warning", "note": NOTE_ID,
                        "message": f"Rule message {FIELD_PAYLOAD} {ATTR_PAYLOAD}",
                        "when": {"pressure": "under-pressure"}}]}
    (root / "kb" / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")


@pytest.fixture(scope="module")
def xss_casebase(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss-content")
    _write_tree(root)
    casebase = open_indexed(root)
    errors = [p for p in casebase.content.problems if p.severity == "error"]
    assert not errors, errors  # every payload file must be valid, or it would not be shown at all
    assert {CASE_ID, NOTE_ID, OTHER_ID} <= set(casebase.content.documents)
    assert casebase.content.glossary and casebase.content.rules
    yield casebase
    casebase.close()


@pytest.fixture
def app(xss_casebase):
    """The app over the payload content; conftest.py's `client` fixture uses this one."""
    return make_app(xss_casebase)


# -- the checker -----------------------------------------------------------------------

FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
                  "img", "base", "meta", "link", "input", "textarea", "select", "button", "form", "details",
                  "noscript", "template", "video", "audio", "source", "marquee"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "poster", "background",
                  "content"}
BAD_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.I)
# The page chrome (whole pages only, never a rendered fragment) legitimately uses some of
# the forbidden tags: same-origin scripts and stylesheets under /static/, meta tags that
# are not http-equiv, forms posting to local paths, its own labelled controls.
CHROME_CONTROL_IDS = re.compile(r"^(quick-q|q|mode|home-q|error-q|glossary-filter|f-[a-z_]+)$")


def _chrome(tag: str, attrs: dict[str, str | None]) -> bool:
    names = set(attrs)
    if tag == "script":
        return (attrs.get("src") or "").startswith("/static/") and names <= {"src", "defer", "type"}
    if tag == "link":
        return (attrs.get("href") or "").startswith("/static/") and names <= {"rel", "href", "type", "sizes"}
    if tag == "meta":
        return names <= {"charset", "name", "content"}
    if tag == "details":  # collapsible panels (facets, "how this score was computed")
        return names <= {"class", "open"}
    if tag == "form":
        action = attrs.get("action") or ""
        return action.startswith("/") and not action.startswith("//") and names <= {
            "action", "method", "role", "class"}
    if tag in ("input", "select", "textarea", "button"):
        return bool(CHROME_CONTROL_IDS.match(attrs.get("id") or "")) or attrs.get("type") in ("submit", "hidden") \
            or (tag == "button" and "mark-read" in (attrs.get("class") or ""))
    return False


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def active_html(html_text: str, page: bool = True) -> list[str]:
    """Everything in `html_text` a browser would treat as active or embedding markup;
    `page=False` for a rendered fragment, where not even the chrome's tags may appear."""
    parser = _Tags()
    parser.feed(html_text)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        for name, value in attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                found.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value is not None:
                compact = re.sub(r"[\x00-\x20]", "", value)
                if BAD_SCHEME.match(compact):
                    found.append(f"<{tag} {name}={value!r}>")
        if tag in FORBIDDEN_TAGS and not (page and _chrome(tag, attrs)):
            found.append(f"<{tag} {attrs}>")
    return found


def assert_inert(html_text: str, where: str, page: bool = True) -> None:
    found = active_html(html_text, page)
    assert not found, f"{where}: active HTML survived: {found}"
    # Belt and braces on the raw text, independent of the parser: escaped text has no "<".
    lowered = html_text.lower()
    chrome_scripts = re.findall(r'<script src="/static/[a-z0-9.-]+"( defer)?></script>', html_text) if page else []
    assert lowered.count("<script") == len(chrome_scripts), where
    for raw in ("<iframe", "<object", "<embed", "<svg", "<img", "<style", "<math", "<base", "<form action=\"j"):
        assert raw not in lowered, f"{where}: {raw!r} in page"


def test_the_checker_catches_what_it_should():
    evil = ['<script>x</script>', '<img src=x onerror=alert(1)>', '<a href=" JaVaScRiPt:alert(1)">x</a>',
            '<a href="&#106;avascript:alert(1)">x</a>', '<a href="data:text/html,x">x</a>', '<iframe></iframe>',
            '<svg onload=x>', '<object></object>', '<embed src=x>', '<p onclick="x">x</p>', '<style></style>',
            '<form action="javascript:x"></form>', '<p style="x">x</p>']
    for fragment in evil:
        assert active_html(f"<p>{fragment}</p>"), fragment
        assert active_html(f"<p>{fragment}</p>", page=False), fragment
    for fragment in ('<form action="/search"></form>', '<input type="hidden">', '<details></details>',
                     '<script src="/static/app.js"></script>'):
        assert active_html(fragment, page=False) and not active_html(fragment), fragment
    harmless = '<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1) <a href="/cases/x">x</a></p>'
    assert active_html(harmless) == [] and active_html(harmless, page=False) == []


# -- stored XSS: bodies and front matter -------------------------------------------------

def _pages(client) -> dict[str, str]:
    urls = ["/", f"/cases/{CASE_ID}", f"/notes/{NOTE_ID}", "/learn", f"/cases/{OTHER_ID}",
            "/search?q=footwear+cooperation", "/search?q=case+title", "/search?q=lesson+statement",
            "/search?q=heading+visible", "/search?q=rivals+cooperate+coopetition", "/search?kind=case",
            "/search?q=funding&kind=case", "/advisor?description=footwear+cooperation&pressure=under-pressure"
            "&approach=bottom-up&driver=private&country=Brazil&sectors=furniture",
            "/glossary", "/cases", "/notes", "/search?country=Brazil", f"/search?q={quote(GLOSSARY_TERM_PAYLOAD)}"]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/html", url
        pages[url] = response.get_data(as_text=True)
    return pages


def test_no_payload_survives_as_active_html_on_any_page(client):
    for url, page in _pages(client).items():
        assert_inert(page, url)


def test_payload_pages_actually_show_the_payload_documents(client):
    """Guard against a vacuous pass: the pages checked above do contain the payloads (escaped)."""
    pages = _pages(client)
    escaped = "Case title &lt;script&gt;alert(&#39;f1&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(&#39;f2&#39;)&gt;"
    assert escaped in pages["/"]
    assert escaped in pages["/search?q=case+title"]
    assert "&lt;script&gt;" in pages["/learn"] and "Rivals cooperate" in pages["/learn"]
    assert "Lesson statement &lt;script&gt;" in pages["/search?q=lesson+statement"]
    advice = [page for url, page in pages.items() if url.startswith("/advisor")][0]
    assert "Rule message &lt;script&gt;" in advice and "Lesson statement &lt;script&gt;" in advice
    assert f"/cases/{CASE_ID}" in advice and f"/notes/{NOTE_ID}" in advice


@pytest.mark.parametrize("url", [f"/cases/{CASE_ID}", f"/notes/{NOTE_ID}"])
def test_body_text_around_every_payload_stays_visible(client, url):
    page = client.get(url).get_data(as_text=True)
    for index, (name, _) in enumerate(BODY_PAYLOADS):
        assert f"vis-{index}-before" in page and f"vis-{index}-after" in page, name
    # Link texts stay, only their dangerous targets go.
    for text in ("click-md", "click-sp", "click-data", "click-ref", "click-mixed", "click-entity", "click-tab",
                 "click-vb", "click-data2", "event-text", "styled-text", "breakout-text", "label-one", "label-two",
                 "cell", "Heading"):
        assert text in page, (url, text)
    # Escaped text stays escaped text: it is shown, not turned into a tag.
    assert "&lt;script&gt;alert(&#39;s17&#39;)&lt;/script&gt;" in page or \
           "&lt;script&gt;alert('s17')&lt;/script&gt;" in page
    # Casebase links still resolve to safe local links.
    assert f'href="/cases/{CASE_ID}"' in page


def test_case_page_front_matter_is_escaped_text(client):
    page = client.get(f"/cases/{CASE_ID}").get_data(as_text=True)
    for text in ("Case title &lt;script&gt;", "Case summary &#34;&gt;&lt;svg onload=alert(&#39;f3&#39;)&gt;",
                 "Place &lt;iframe", "Initiative &#34;&gt;&lt;svg", "Funding &lt;iframe",
                 "Outcomes &lt;script&gt;", "Author &lt;script&gt;", "Title &#34;&gt;&lt;svg",
                 "via &lt;iframe", "Lesson statement &lt;script&gt;", "Author 2001 &lt;script&gt;",
                 "Monitoring [f-link](javascript:alert(&#39;f4&#39;))"):
        assert text in page, text
    # The lesson explanation is Markdown: sanitised, its harmless text kept.
    lesson = page.split('id="lesson-evil-lesson"', 1)[1].split("</section>", 1)[0]
    assert "Lesson explanation" in lesson and "f-link" in lesson and "f-data" in lesson
    assert_inert(lesson, "lesson", page=False)


def test_browse_pages_show_the_payload_documents_escaped(client):
    """/cases, /notes and /glossary list the payload documents and terms as text."""
    pages = _pages(client)
    assert "Case title &lt;script&gt;" in pages["/cases"]
    assert "Note title &lt;script&gt;" in pages["/notes"]
    glossary = pages["/glossary"]
    assert "Rivals cooperate &lt;script&gt;" in glossary and "alias &lt;script&gt;" in glossary
    assert "Evil term &lt;iframe" in glossary and "zz &#34;&#39; onmouseover=alert(&#39;g1&#39;) &lt;b&gt;" in glossary


def test_glossary_anchor_ids_are_slugs_whatever_the_term(client):
    """The filter's entries and the A-Z are addressed by ids made of [a-z0-9-] only,
    so a term cannot break out of the id attribute; a tooltip links to the same id."""
    glossary = client.get("/glossary").get_data(as_text=True)
    ids = re.findall(r'<div class="entry" id="([^"]*)"', glossary)
    assert len(ids) == 2 and all(re.fullmatch(r"term-[a-z0-9-]+", anchor) for anchor in ids), ids
    assert 'data-filter-target="glossary-list"' in glossary and 'id="glossary-list"' in glossary
    note = client.get(f"/notes/{NOTE_ID}").get_data(as_text=True)
    linked = re.findall(r'href="/glossary#([^"]*)"', note)
    assert linked and set(linked) <= set(ids)


def test_note_page_glossary_tooltip_is_escaped(client):
    page = client.get(f"/notes/{NOTE_ID}").get_data(as_text=True)
    assert 'class="term" tabindex="0"' in page  # the glossary term was marked up
    assert "Rivals cooperate &lt;script&gt;" in page
    assert "Note title &lt;script&gt;" in page and "Note summary &#34;&gt;&lt;svg" in page


# -- JSON variants ------------------------------------------------------------------------

def _html_fields(value, path=""):
    """Every string under a key ending in '_html' of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_html") and isinstance(item, str):
                yield f"{path}.{key}", item
            else:
                yield from _html_fields(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _html_fields(item, f"{path}[{index}]")


@pytest.mark.parametrize("url", [
    "/?format=json", f"/cases/{CASE_ID}?format=json", f"/notes/{NOTE_ID}?format=json", "/learn?format=json",
    "/search?q=footwear+cooperation&format=json", "/search?q=heading+visible&format=json",
    f"/api/search?q={quote(FIELD_PAYLOAD)}+case+title", f"/api/cases/{CASE_ID}", f"/api/notes/{NOTE_ID}",
    "/api/cases", "/advisor?description=footwear&pressure=under-pressure&format=json",
    "/glossary?format=json", "/cases?format=json", "/notes?format=json",
])
def test_json_variants_are_json_and_their_html_fields_are_inert(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    fields = list(_html_fields(data))
    if url.startswith(("/cases/", "/notes/", "/api/cases/", "/api/notes/")) or "q=" in url:
        assert fields, f"{url}: no HTML field to check"
    for path, fragment in fields:
        assert_inert(fragment, f"{url} {path}", page=False)


def test_json_keeps_the_raw_text_for_clients_to_escape(client):
    data = client.get(f"/api/cases/{CASE_ID}").get_json()
    assert data["title"] == f"Case title {FIELD_PAYLOAD}"  # raw in JSON; the client must escape
    assert "<script>" not in data["body_html"] and "vis-0-before" in data["body_html"]


def test_suggest_api_echoes_payloads_only_as_json(client):
    response = client.post("/api/suggest", json={"description": FIELD_PAYLOAD + " footwear",
                                                 "pressure": "under-pressure"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for path, fragment in _html_fields(response.get_json()):
        assert_inert(fragment, path, page=False)


def test_csv_export_is_an_attachment(client):
    response = client.get("/api/cases?format=csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- reflected XSS: queries, descriptions, parameters, ids ---------------------------------

REFLECTED = [
    "<script>alert('r1')</script>",
    "\"><script>alert('r2')</script>",
    "'><img src=x onerror=alert('r3')>",
    "</textarea><svg onload=alert('r4')>",
    "</title><iframe src=javascript:alert('r5')>",
    "javascript:alert('r6')",
    "<a href=\"data:text/html,x\">r7</a>",
    "\" onfocus=\"alert('r8')\" autofocus=\"",
]


@pytest.mark.parametrize("payload", REFLECTED)
def test_search_query_is_echoed_escaped(client, payload):
    for query, url in ((payload, f"/search?q={quote(payload)}"),
                       (payload + " footwear", f"/search?q={quote(payload + ' footwear')}&kind=case"),
                       (payload, f"/search?q={quote(payload)}&country={quote(payload)}&mode=keyword")):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert_inert(page, url)
        echoed = str(escape(query.strip()))
        assert f'value="{echoed}"' in page, url  # echoed into the search box, as text
        assert f"<strong>{echoed}</strong>" in page, url  # and in "N results for ..."


@pytest.mark.parametrize("payload", REFLECTED)
def test_advisor_description_is_echoed_escaped(client, payload):
    url = f"/advisor?description={quote(payload + ' footwear')}&pressure=under-pressure"
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_inert(page, url)
    textarea = page.split('<textarea id="f-description"', 1)[1].split("</textarea>", 1)[0]
    assert textarea.endswith(">" + str(escape(payload + " footwear")))


@pytest.mark.parametrize("url", [
    f"/advisor?approach={quote(REFLECTED[0])}",
    f"/advisor?country={quote(REFLECTED[2])}",
    f"/advisor?sectors={quote(REFLECTED[3])}",
    f"/search?q=x&mode={quote(REFLECTED[1])}",
    f"/search?q=x&kind={quote(REFLECTED[2])}",
    f"/search?q=x&page={quote(REFLECTED[0])}",
    f"/cases/{quote(REFLECTED[2])}",
    f"/notes/{quote(REFLECTED[0])}",
    f"/{quote(REFLECTED[3])}",
])
def test_error_messages_echo_parameters_escaped(client, url):
    response = client.get(url)
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert_inert(page, url)
    assert "Content-Security-Policy" in response.headers


def test_bad_parameters_are_named_and_escaped(client):
    response = client.get(f"/advisor?approach={quote(REFLECTED[0])}")
    page = response.get_data(as_text=True)  # named by its label beside the field, the value escaped
    assert response.status_code == 400 and 'id="f-approach-error"' in page
    assert "is not a value of Approach" in page and "&lt;script&gt;" in page
    response = client.get(f"/search?q=x&mode={quote(REFLECTED[1])}")
    assert response.status_code == 400 and "mode:" in response.get_data(as_text=True)


# -- headers ---------------------------------------------------------------------------------

HTML_URLS = ["/", "/search", "/search?q=footwear", f"/cases/{CASE_ID}", f"/notes/{NOTE_ID}", "/advisor",
             "/advisor?description=footwear", "/learn", "/no-such-page", "/cases/no-such-case",
             "/search?q=x&mode=bad", "/glossary", "/cases", "/notes"]


def _csp(header: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", HTML_URLS)
def test_every_html_response_carries_the_hardening_headers(client, url):
    response = client.get(url)
    assert response.mimetype == "text/html", url
    headers = response.headers
    policy = _csp(headers["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no hosts
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy.get("base-uri") == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert headers["X-Frame-Options"] == "DENY"


def test_the_policy_is_the_one_documented_in_security_py(client):
    assert client.get("/").headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_pages_use_no_inline_script_or_style_the_policy_would_block(client):
    for url in ("/", "/learn", "/advisor", f"/cases/{CASE_ID}", f"/notes/{NOTE_ID}", "/search?q=footwear",
                "/glossary", "/cases", "/notes"):
        page = client.get(url).get_data(as_text=True)
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
        assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts), url
        assert "<style" not in page and " style=" not in page, url


def test_json_and_static_responses_are_nosniff_too(client):
    for url in ("/api/health", "/api/openapi.json", "/static/app.js", "/static/style.css", "/api/cases/nope"):
        response = client.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url


# -- ids -----------------------------------------------------------------------------------

BAD_IDS = ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..", "UPPER", "Xss-Case", "a%00b", "a_b", "a.b", "-a", "a-",
           "a--b", "a%20b", "%C3%A9t%C3%A9", "xss-case%0A", "xss-case%00", "a" + "-a" * 25, "%252e%252e"]


@pytest.fixture
def lookups(xss_casebase, monkeypatch):
    """Record every document look-up and every file the app opens while a request runs."""
    seen: dict[str, list] = {"documents": [], "files": []}
    original = xss_casebase.document

    def document(doc_id):
        seen["documents"].append(doc_id)
        return original(doc_id)

    monkeypatch.setattr(xss_casebase, "document", document)
    import builtins
    import io
    import os

    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def spy(real):
        def opener(file, *args, **kwargs):
            seen["files"].append(str(file))
            return real(file, *args, **kwargs)
        return opener

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    return seen


@pytest.mark.parametrize("prefix", ["/cases/", "/notes/", "/api/cases/", "/api/notes/"])
def test_ids_outside_the_pattern_are_404_without_any_lookup(client, lookups, prefix):
    client.get("/")  # warm up templates so template loading does not count as a file access
    client.get(f"{prefix}no-such-thing")
    client.get("/api/cases/no-such-thing")
    assert "no-such-thing" in lookups["documents"]  # the spy works: a well-formed id is looked up
    lookups["documents"].clear()
    lookups["files"].clear()
    for bad in BAD_IDS:
        response = client.get(prefix + bad)
        assert response.status_code == 404, (prefix, bad)
        body = response.get_data(as_text=True)
        assert "root:" not in body
    assert lookups["documents"] == [], lookups["documents"]
    touched = [f for f in lookups["files"] if not f.endswith(".html")]
    assert touched == [], touched


def test_valid_ids_that_name_the_wrong_kind_are_404(client):
    assert client.get(f"/notes/{CASE_ID}").status_code == 404
    assert client.get(f"/cases/{NOTE_ID}").status_code == 404
    assert client.get(f"/api/notes/{CASE_ID}").status_code == 404
    assert client.get(f"/cases/{CASE_ID}").status_code == 200


def test_the_id_pattern_itself():
    from webui.security import valid_id

    assert valid_id("sinos-valley") and valid_id("a1") and valid_id("a" + "-a" * 20)
    for bad in ("../etc/passwd", "UPPER", "a\x00b", "a_b", "-a", "a-", "a--b", "", "a/b", "a" + "-a" * 21,
                "sinos-valley\n", "é"):
        assert not valid_id(bad), repr(bad)


# -- request size ------------------------------------------------------------------------------

def test_request_bodies_over_the_limit_are_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 64 * 1024
    big = json.dumps({"description": "footwear " * (limit // 9 + 10)}).encode()
    assert len(big) > limit
    response = client.post("/api/suggest", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["status"] == 413
    # A body within the limit is read and answered.
    small = json.dumps({"description": "footwear"}).encode()
    assert client.post("/api/suggest", data=small, content_type="application/json").status_code == 200


def test_oversized_chunked_body_is_413_without_reading_past_the_largest_limit(app, client):
    """A body sent without Content-Length (chunked) is read by webui/security.py's
    middleware at most up to the largest limit any route accepts (MAX_BUFFERED_BODY),
    then answered 413 by the route's own limit, never handed on cut off (issue 17, 8)."""
    limit = app.config["MAX_BUFFERED_BODY"]
    body = json.dumps({"description": "x" * (2 * limit)}).encode()

    class Counting(io.BytesIO):
        consumed = 0

        def read(self, size=-1):
            data = super().read(size)
            Counting.consumed += len(data)
            return data

        def readinto(self, buffer):
            count = super().readinto(buffer)
            Counting.consumed += count
            return count

    response = client.post("/api/suggest", input_stream=Counting(body), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert 0 < Counting.consumed <= limit + 1


# -- render cache ------------------------------------------------------------------------------

@pytest.fixture
def conversions(monkeypatch):
    """Every Markdown source the renderer converts."""
    import webui.rendering

    sources: list[str] = []
    real = webui.rendering.markdown.markdown

    def counting(text, *args, **kwargs):
        sources.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(webui.rendering.markdown, "markdown", counting)
    return sources


def test_a_document_body_is_rendered_once_per_revision(app, conversions):
    import dataclasses

    renderer = app.extensions["renderer"]
    document = app.extensions["casebase"].content.documents[OTHER_ID]
    first = renderer.body(document)
    second = renderer.body(document)
    assert first == second and "plain footwear town" in first
    assert len(conversions) == 1
    changed = dataclasses.replace(document, body=document.body + "\nA new paragraph (Author 2001).\n",
                                  content_hash=document.content_hash + "x")
    third = renderer.body(changed)
    assert len(conversions) == 2 and "A new paragraph" in third
    assert renderer.body(changed) == third and len(conversions) == 2
    # The old revision is still cached; glossary marking is a separate entry.
    renderer.body(document)
    assert len(conversions) == 2
    renderer.body(document, with_glossary=True)
    assert len(conversions) == 3


def test_page_views_reuse_the_rendered_body_until_the_file_changes(tmp_path, monkeypatch):
    import webui.rendering

    tree = helpers.ContentTree(tmp_path)
    path = tree.case(OTHER_ID, body="## Context\n\nFirst revision marker-one (Author 2001).\n")
    casebase = open_indexed(tmp_path, index_dir=tmp_path / "index")
    try:
        app = make_app(casebase)
        client = app.test_client()
        bodies: list[str] = []
        real = webui.rendering.markdown.markdown

        def counting(text, *args, **kwargs):
            if "## Context" in text:  # the document body, not a lesson explanation
                bodies.append(text)
            return real(text, *args, **kwargs)

        monkeypatch.setattr(webui.rendering.markdown, "markdown", counting)
        for _ in range(3):
            page = client.get(f"/cases/{OTHER_ID}").get_data(as_text=True)
            assert "marker-one" in page
        client.get(f"/cases/{OTHER_ID}?format=json")
        client.get(f"/api/cases/{OTHER_ID}")
        assert len(bodies) == 1
        path.write_text(path.read_text(encoding="utf-8").replace("marker-one", "marker-two"), encoding="utf-8")
        casebase.build_index()
        page = client.get(f"/cases/{OTHER_ID}").get_data(as_text=True)
        assert "marker-two" in page and "marker-one" not in page
        client.get(f"/cases/{OTHER_ID}")
        assert len(bodies) == 2
    finally:
        casebase.close()
