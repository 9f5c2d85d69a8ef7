"""From document to case: the first draft of a case from an uploaded document.

The library's `case_from_profile` writes every case field (so a field added to the
registry appears here without an edit); this module fills what the document and the
initiative it is attached to say: the title, place, country and sectors, and the
profile attributes the advisor's reader finds in the document's text. Each attribute
read is marked as the codifier's interpretation (the case's `interpreted` list) and
quoted, with the page or section it came from, in a "Read from the document" section;
the document is the case's source. An editor completes the draft (summary, what was
done, lessons) and a reviewer publishes it through the usual review flow.

Fields left for the editor: `summary` says the draft awaits one; `period`, `funding`,
`monitoring`, `outcomes` and every attribute not read are "unknown"; `lessons` is empty.
The draft validates as a case (the library refuses one with errors), so a country or
sector the vocabulary does not know stays in the text instead of the fields.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import yaml

from indexer.content.frontmatter import parse_text
from indexer.content.loading import VOCABULARY_FILE
from indexer.content.schema import REGISTRY, FieldRegistry
from indexer.content.vocabulary import Vocabulary, VocabularyError
from indexer.documents.models import DOCUMENT_KIND_LABELS, DocumentRecord, Passage
from indexer.library.retaining import case_from_profile
from indexer.observatory.exchange import free_case_id
from indexer.observatory.models import Initiative, Programme

if TYPE_CHECKING:
    from indexer.advisor.inference import Reading
    from indexer.library.drafts import Draft

log = logging.getLogger(__name__)
# The reader reads the document's first characters: a long report states its situation
# early (summary, context), and reading 200 pages would take the model minutes.
MAX_READ_CHARS = 30_000
MAX_QUOTE_CHARS = 300
MAX_SLUG_CHARS = 48
# How each reading method is named in a draft's notes (indexer/advisor/readings.py).
METHOD_WORDS = {"phrase": "by phrase", "meaning": "by meaning", "amount": "by the sum of money named"}


def case_slug(title: str, document_id: int) -> str:
    """A case id from the document's title (its id when the title has no letters or digits).

    >>> case_slug("Proposal: Vale dos Sinos footwear, 2027!", 4), case_slug("§§§", 9)
    ('proposal-vale-dos-sinos-footwear-2027', 'document-9')
    """
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:MAX_SLUG_CHARS].strip("-")
    return slug or f"document-{document_id}"


def quotation(text: str) -> str:
    """A passage's words as a marked quotation: one line, shortened, and nothing in it
    that Markdown or the link syntax would act on (a document is never rendered as HTML).

    >>> quotation("Firms *compete*\\n for [[case:x]] <b>orders</b>.")
    '"Firms \\\\*compete\\\\* for \\\\[\\\\[case:x\\\\]\\\\] &lt;b&gt;orders&lt;/b&gt;."'
    """
    flat = " ".join(text.split())
    if len(flat) > MAX_QUOTE_CHARS:
        flat = flat[:MAX_QUOTE_CHARS - 3].rstrip() + "..."
    flat = re.sub(r"([\\`*_\[\]#|])", r"\\\1", flat).replace("<", "&lt;").replace(">", "&gt;")
    return '"' + flat.replace('"', "'") + '"'


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def where_read(sentence: str, passages: list[Passage]) -> str:
    """Where in the document a sentence stands: "page N", "section 'Heading'" or "passage N".

    >>> where_read("Sales fell.", [Passage(number=0, page=1, text="Intro."), Passage(number=1, page=2, text="Sales  fell.")])
    'page 2'
    >>> where_read("Other.", [Passage(number=0, heading="Context", text="Other.")])
    "section 'Context'"
    """
    wanted = _folded(sentence)
    for passage in passages:
        if wanted and wanted in _folded(passage.text):
            if passage.page is not None:
                return f"page {passage.page}"
            if passage.heading:
                return f"section '{' '.join(passage.heading.split())}'"
            return f"passage {passage.number + 1}"
    return "the document's text"


def reading_text(passages: list[Passage]) -> str:
    """The text the reader is given: the passages in order, up to MAX_READ_CHARS."""
    pieces, used = [], 0
    for passage in passages:
        if used >= MAX_READ_CHARS:
            break
        piece = passage.text[:MAX_READ_CHARS - used]
        pieces.append(piece)
        used += len(piece)
    return "\n\n".join(pieces)


def load_vocabulary(content_dir: Path) -> Vocabulary | None:
    """The content's vocabulary (None when it has none or it cannot be read: then the
    initiative's country and sectors are kept in the text, not the fields)."""
    path = Path(content_dir) / VOCABULARY_FILE
    if not path.is_file():
        return None
    try:
        return Vocabulary.load(path)
    except VocabularyError as exc:
        log.warning("vocabulary %s cannot be loaded: %s", path, exc)
        return None


def citation_of(record: DocumentRecord) -> tuple[str, int | str]:
    """(author, year) of the document as a source: its author or organisation (else
    "Uploaded document N") and its year (else n.d.)."""
    return record.author or f"Uploaded document {record.id}", record.date.year if record.date else "n.d."


def case_text(record: DocumentRecord, passages: list[Passage], initiative: Initiative | None,
              programme: Programme | None, reading: "Reading | None", drafted_by: str, doc_id: str,
              vocabulary: Vocabulary | None, registry: FieldRegistry = REGISTRY,
              today: dt.date | None = None) -> str:
    """The draft case text of the document (id `doc_id`), started by `drafted_by`."""
    source_author, source_year = citation_of(record)
    citation = f"{source_author} {source_year}"
    profile: dict = {}
    unlisted: list[str] = []
    if initiative is not None:
        profile.update({key: value for key, value in initiative.profile.items() if value not in (None, "", [])})
        if initiative.country and not profile.get("country"):
            found = vocabulary.country(initiative.country) if vocabulary else None
            if found:
                profile["country"] = found["name"]
            else:
                unlisted.append(f"country as recorded: {initiative.country}")
        known = [s for s in initiative.sectors if vocabulary is not None and vocabulary.is_valid("sectors", s)]
        unlisted += [f"sector as recorded: {s}" for s in initiative.sectors if s not in known]
        if known and not profile.get("sectors"):
            profile["sectors"] = known
    stated = {key: (list(value) if isinstance(value, list) else value) for key, value in profile.items()}
    read_lines, marks, other_lines = _read(reading, passages, profile, stated, registry, citation)
    front = parse_text(case_from_profile(doc_id, record.title, profile, drafted_by,
                                         (today or dt.date.today()).year, registry)).data
    kind = "document" if record.kind == "other" else DOCUMENT_KIND_LABELS.get(record.kind, record.kind).lower()
    front["summary"] = (f"A draft started from the uploaded {kind} '{record.title}' ({citation}); an editor "
                        f"writes this summary from the document.")
    if initiative is not None:
        front["initiative"]["name"] = initiative.name
        if initiative.place:
            front["location"]["place"] = initiative.place
        front["period"] = f"since {initiative.start_date.year}" if initiative.start_date else "unknown"
    else:
        front["initiative"]["name"] = "unknown"
        front["period"] = "unknown"
    title = record.title + (f", {record.date.isoformat()}" if record.date else "")
    front["sources"] = [{"author": source_author, "year": source_year,
                         "title": f"{title} ({kind}; uploaded document {record.id})"}]
    front["lessons"] = []
    if marks:
        front["interpreted"] = marks
    head = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100) + "---\n\n"
    return head + _body(record, initiative, programme, drafted_by, read_lines, other_lines, unlisted, reading)


def _read(reading: "Reading | None", passages: list[Passage], profile: dict, stated: dict,
          registry: FieldRegistry, citation: str) -> tuple[list[str], list[str], list[str]]:
    """Put what was read into `profile` (values the initiative states win) and return the
    section's lines for case fields, the interpretation marks, and lines for attributes
    no case field holds."""
    lines, marks, others = [], [], []
    if reading is None:
        return lines, marks, others
    paths = registry.attribute_paths
    labels = {spec.key: spec.title for spec in registry.case + registry.profile_only}
    for item in reading.inferred:
        attribute, value = item.attribute, item.value
        listed = attribute in registry.list_attributes
        if (listed and value in (stated.get(attribute) or [])) or (not listed and stated.get(attribute)):
            continue  # the initiative's record states it
        if listed:
            if value in profile.setdefault(attribute, []):
                continue
            profile[attribute].append(value)
        else:
            profile[attribute] = value
        line = (f"- {labels.get(attribute, attribute)}: {value}, read from {where_read(item.sentence, passages)} "
                f"({METHOD_WORDS.get(item.method, 'by meaning')}): {quotation(item.sentence)} ({citation})")
        if attribute in paths:
            marks.append(f"{paths[attribute]}={value}" if listed else paths[attribute])
            lines.append(line)
        else:
            others.append(line)
    return lines, marks, others


def _body(record: DocumentRecord, initiative: Initiative | None, programme: Programme | None, drafted_by: str,
          read_lines: list[str], other_lines: list[str], unlisted: list[str], reading: "Reading | None") -> str:
    context = initiative.description if initiative is not None and initiative.description else \
        "To be written from the document."
    lines = ["## Context", "", context, ""]
    if unlisted:
        lines += ["Not in the vocabulary yet (choose the nearest value or add it): " + "; ".join(unlisted) + ".", ""]
    lines += ["## Read from the document", ""]
    if reading is None:
        lines += ["No attribute was read: the advisor's reader is not available here.", ""]
    elif not read_lines and not other_lines:
        lines += ["The advisor's reader found no attribute stated in the document's text.", ""]
    else:
        how = "phrases only" if not reading.by_meaning else "phrases and meaning"
        lines += [f"What the advisor's reader ({how}) found in the document's text. Each value is marked as read "
                  "from the document (`interpreted`) until an editor checks it against the passage quoted; "
                  "remove the mark of a value the document states plainly, or the value if it is wrong.", ""]
        lines += read_lines + [""] if read_lines else []
        if other_lines:
            lines += ["Also read, for the advisor's profile (no case field holds these):", ""] + other_lines + [""]
    lines += ["## What was done", "", "To be written from the document.", "", "## Source", ""]
    where = []
    if initiative is not None:
        where.append(f"attached to the initiative '{initiative.name}' ({initiative.slug})")
    if programme is not None:
        where.append(f"in the programme '{programme.name}'")
    pages = f", {record.pages} pages" if record.pages else ""
    lines += [f"Uploaded document {record.id}: {quotation(record.title)} ({record.filename}{pages})"
              + (", " + " ".join(where) if where else "") + f"; this draft was started by {drafted_by}.", ""]
    return "\n".join(lines)


def draft_case(library, record: DocumentRecord, passages: list[Passage], initiative: Initiative | None,
               programme: Programme | None, author: str, user: str,
               read_profile: "Callable[[str], Reading] | None") -> "Draft":
    """Write the draft case of the document through the library's review flow."""
    text_read = reading_text(passages)
    reading = read_profile(text_read) if read_profile is not None and text_read.strip() else None
    if read_profile is not None and reading is None:
        from indexer.advisor.inference import Reading

        reading = Reading((), frozenset(), False)  # a document without text: nothing to read
    doc_id = free_case_id(library, case_slug(record.title, record.id))
    text = case_text(record, passages, initiative, programme, reading, author, doc_id,
                     load_vocabulary(library.content_dir))
    return library.create_draft("case", doc_id, text, author=user,
                                message=f"Draft case from the uploaded document {record.id} ('{record.title}')")
