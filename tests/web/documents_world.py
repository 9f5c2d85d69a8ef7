"""Uploaded documents on top of the observatory's test world, for the documents' page,
API and browser tests (a helper module, not a test file).

tests/web/observatory_world.py builds programme contest-2027 (managed by mara) with
alpha (named; fay is its facilitator), beta (anonymous; lou a local actor), gamma
(hidden) and zeta, and rob, a reader who belongs to nothing. Here each of four
documents carries one word found nowhere else (MARKERS), so a leak shows in any answer:
- "alpha": a 3-page PDF on alpha, uploaded by fay (the word on page 2);
- "beta": a text file on beta, uploaded by lou (anonymous: others may not see it);
- "gamma": a 2-page PDF on gamma, uploaded by mara (hidden: only its insiders);
- "public": a Markdown file attached to nothing, uploaded by ed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from tests import documents_fixtures as files
from tests.web.observatory_world import Api, build, open_app

MARKERS = {"alpha": "plinthar", "beta": "zandrel", "gamma": "quorvex", "public": "ferrovane"}
# Who uploads each document, and where it is attached.
UPLOADERS = {"alpha": "fay", "beta": "lou", "gamma": "mara", "public": "ed"}
PLACES = {"alpha": "alpha", "beta": "beta", "gamma": "gamma", "public": None}
TITLES = {"alpha": "Alpha joinery proposal", "beta": "Beta stitching minutes", "gamma": "Gamma cellar report",
          "public": "Public logistics note"}
MARKER_PAGE = {"alpha": 2, "gamma": 2}  # the PDFs' page that holds the marker


def sample_file(folder: Path, name: str) -> Path:
    """The file of document `name`, written into `folder`."""
    marker = MARKERS[name]
    if name == "alpha":
        return files.text_pdf(folder / "alpha.pdf", ["Alpha proposal, first page about furniture makers.",
                                                     f"The second page speaks of {marker} joinery for export.",
                                                     "Third page: budget and calendar."], title=TITLES[name])
    if name == "gamma":
        return files.text_pdf(folder / "gamma.pdf", ["Gamma report opening page.",
                                                     f"Page two: the {marker} cellar ledger of the wine route."],
                              title=TITLES[name])
    if name == "beta":
        return files.text_file(folder / "beta.txt", f"Minutes of the shoe makers.\n\nThey discussed {marker} "
                                                    "stitching and a joint buyer visit.\n")
    return files.markdown_file(folder / "public.md", [("Logistics", (f"A public note on {marker} logistics.",))])


@dataclass
class DocumentWorld:
    """The app, the ids of the uploaded documents by name, and the files' bytes."""

    app: Flask
    ids: dict[str, int] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)

    def api(self, user: str | None = None) -> Api:
        return Api(self.app, user)

    @property
    def casebase(self):
        return self.app.extensions["casebase"]

    def viewer(self, user: str | None):
        accounts = self.app.extensions["accounts"]
        return self.casebase.observatory.viewer(accounts.get(user) if user else None)

    def wait_for_index(self) -> None:
        """Wait until the background index update after the last upload is done."""
        assert self.casebase.updater.wait(60), "the index update did not finish in 60 s"


def build_documents(tmp_path: Path) -> DocumentWorld:
    """The observatory world and the four documents, uploaded through the facade, indexed."""
    app = open_app(tmp_path)
    build(app)
    world = DocumentWorld(app)
    folder = tmp_path / "files"
    folder.mkdir()
    facade = world.casebase.documents
    for name in MARKERS:
        path = sample_file(folder, name)
        world.data[name] = path.read_bytes()
        added = facade.add(world.viewer(UPLOADERS[name]), path.name, world.data[name], kind="proposal",
                           initiative=PLACES[name], title=TITLES[name])
        world.ids[name] = added.document.id
    world.wait_for_index()
    return world


def csrf_of(page: str) -> str:
    """The csrf_token of a page's first form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
