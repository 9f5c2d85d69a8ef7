"""Fixtures for the documents' storage, facade, CLI and case tests: a programme world in
a private instance database (SQLite, or PostgreSQL for the tests that ask), the
documents facade over it with a counter of `on_change` calls, and the phrase-only
advisor reader (the method's real rules, no model).

People: `mona` (editor) manages the programme; `lina` (reader) is a member of the
named initiative, `omar` (reader) of the hidden one; `rita` only reads; `ed` is an
editor who manages nothing; `vera` is a reviewer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from indexer.advisor.examples import ExampleBank, load_lexicon
from indexer.advisor.inference import DescriptionReader
from indexer.checking import load_library
from indexer.documents.models import PLAIN, Extracted, Passage
from indexer.documents.service import Documents
from indexer.errors import InvalidInput
from indexer.library.accounts import Accounts
from indexer.library.database import Database
from indexer.library.editing import Library
from indexer.observatory.service import Observatory
from indexer.settings import DocumentLimits
from tests.conftest import REPO_ROOT

PASSWORD = "a long enough secret"
PEOPLE = (("mona", "editor"), ("lina", "reader"), ("omar", "reader"), ("rita", "reader"), ("ed", "editor"),
          ("vera", "reviewer"))
PROGRAMME = "Furniture contest round"
NAMED_SLUG, HIDDEN_SLUG, ANONYMOUS_SLUG = "alpha-furniture", "beta-shoes", "gamma-tiles"
# A document's text the method's phrases read (kb/rules.yaml's evidence phrases).
READABLE_TEXT = ("# Situation\n\nThe footwear makers of Beta town are losing market share to cheap imports.\n\n"
                 "# Cooperation\n\nMost workshops already work together when they buy leather.\n")
LIMITS = DocumentLimits(file_bytes=200_000, seconds=20)


def text_extractor(data: bytes, filename: str, limits: DocumentLimits) -> Extracted:
    """Plain UTF-8 text as D1's extraction answers it: one passage per blank-line block,
    a "# heading" line heading the blocks after it; anything else is refused like D1 does."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("file", f"{filename}: is not a PDF, Word, OpenDocument, Markdown or text file") from None
    passages, heading, headings = [], "", []
    for block in (part.strip() for part in text.split("\n\n")):
        if block.startswith("# "):
            heading = block[2:].strip()
            headings.append(heading)
        elif block:
            passages.append(Passage(number=len(passages), heading=heading, text=block))
    return Extracted(media_type=PLAIN, passages=passages, title=headings[0] if headings else "")


def failing_extractor(data: bytes, filename: str, limits: DocumentLimits) -> Extracted:
    """Extraction that refuses every file (as a broken PDF is refused)."""
    raise InvalidInput("file", f"{filename}: the PDF is damaged (its cross-reference table cannot be read)")


@functools.lru_cache(maxsize=1)
def phrase_reader():
    """The advisor's reader without a model: the bundled method's evidence phrases (built once)."""
    content = load_library(REPO_ROOT)
    from indexer.advisor.words import load_directions
    reader = DescriptionReader(ExampleBank({}), load_lexicon(REPO_ROOT), content.rules, None,
                               directions=load_directions(REPO_ROOT))
    return lambda text: reader.read(text, set(), None)


@dataclass
class World:
    database: Database
    accounts: Accounts
    observatory: Observatory
    library: Library
    documents: Documents
    storage: Path
    read_profile: object = None
    changes: list = field(default_factory=list)
    programme: str = ""
    initiatives: dict = field(default_factory=dict)  # sharing -> slug

    def viewer(self, name: str | None):
        return self.observatory.viewer(None if name is None else self.accounts.get(name))

    def facade(self, **overrides) -> Documents:
        """Another facade over the same database and folder (another extractor, limits...)."""
        arguments = dict(read_profile=self.read_profile, library=self.library,
                         on_change=lambda: self.changes.append("change"), extract=text_extractor)
        arguments.update(overrides)
        limits = arguments.pop("limits", LIMITS)
        return Documents(self.database, self.storage, limits, **arguments)


def make_world(tmp_path: Path, content_root: Path, target) -> World:
    """A migrated instance database at `target` with the people, a programme and three
    initiatives (named, hidden, anonymous), and the facade over it."""
    if isinstance(target, str):
        Database(target).upgrade()
    database = Database.open(target)
    accounts = Accounts(database)
    for name, role in PEOPLE:
        accounts.add_user(name, role, PASSWORD)
    library = Library(content_root, database)
    observatory = Observatory(database, library=library)
    storage = tmp_path / "documents"
    world = World(database, accounts, observatory, library, None, storage,  # type: ignore[arg-type]
                  read_profile=phrase_reader())
    world.documents = world.facade()
    mona = world.viewer("mona")
    world.programme = observatory.create_programme(mona, PROGRAMME).slug
    for slug, sharing, member, place in ((NAMED_SLUG, "named", "lina", "Alpha"),
                                         (HIDDEN_SLUG, "hidden", "omar", "Beta"),
                                         (ANONYMOUS_SLUG, "anonymous", "omar", "Gamma")):
        observatory.create_initiative(mona, world.programme, {
            "name": f"{slug.replace('-', ' ').title()} initiative", "slug": slug, "sharing": sharing,
            "place": place, "country": "Brazil", "sectors": ["furniture"]})
        observatory.add_member(mona, slug, member, "facilitator")
        world.initiatives[sharing] = slug
    return world


@pytest.fixture
def world(tmp_path, tree) -> World:
    """The world in a SQLite file, with a content tree for the library's drafts."""
    tree.note("basics")
    return make_world(tmp_path, tree.root, tmp_path / "instance" / "casebase.sqlite3")
