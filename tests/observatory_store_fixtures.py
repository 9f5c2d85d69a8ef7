"""Fixtures for the observatory's store tests: a Casebase over a small temporary content
tree (the real vocabulary, two cases, the method's rules), its observatory, and accounts."""

from __future__ import annotations

import pytest
from tests.conftest import valid_case

from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings

PASSWORD = "a long enough secret"
RULES = """\
rules:
  - id: inspection-kills-learning
    kind: warning
    title: External inspection instead of self-evaluation
    message: Monitoring by inspection keeps local actors from learning (Author 2001).
    note: basics
    when: {monitoring_style: external-inspection}
"""


@pytest.fixture
def casebase(tree, tmp_path):
    """A Casebase over a two-case tree with one warning rule, indexed with the hashing encoder."""
    tree.note()
    (tree.root / "kb" / "rules.yaml").write_text(RULES)
    tree.case("shoe-valley", title="Shoe valley", sectors=["footwear"], summary="Footwear makers (Author 2001).")
    tree.case("chip-city", title="Chip city", sectors=["software"], summary="Software firms (Author 2001).",
              location={"place": "Chip", "region": "unknown", "country": "Germany"},
              initiative=dict(valid_case()["initiative"], driver="public", approach="top-down"))
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    service.build_index()
    yield service
    service.close()


class People:
    """Accounts of a programme's world and their viewers: `mona` manages the programme,
    `lina` is a member of initiative A, `omar` of initiative B, `rita` only reads and
    `ed` is an editor who manages nothing."""

    def __init__(self, casebase):
        self.accounts = casebase.accounts
        self.observatory = casebase.observatory
        for name, role in (("mona", "editor"), ("lina", "reader"), ("omar", "reader"), ("rita", "reader"),
                           ("ed", "editor")):
            self.accounts.add_user(name, role, PASSWORD)

    def __getattr__(self, name: str):
        if name in ("mona", "lina", "omar", "rita", "ed"):
            return self.observatory.viewer(self.accounts.get(name))
        raise AttributeError(name)

    @property
    def anonymous(self):
        return self.observatory.viewer(None)


@pytest.fixture
def people(casebase) -> People:
    return People(casebase)


@pytest.fixture
def world(casebase, people):
    """A programme managed by mona with initiatives A (lina) and B (omar), each with one
    indicator linked to the programme's 'firms' definition."""
    observatory = casebase.observatory
    programme = observatory.create_programme(people.mona, "2027 contest round", agency="Agency")
    definition = observatory.define_indicator(people.mona, programme.slug,
                                              {"key": "firms", "name": "Member firms", "unit": "firms"})
    made = {}
    for label, member in (("a", "lina"), ("b", "omar")):
        initiative = observatory.create_initiative(people.mona, programme.slug, {
            "name": f"Initiative {label.upper()} furniture", "slug": f"init-{label}", "country": "Brazil",
            "sectors": ["furniture"], "status": "running"})
        observatory.add_member(people.mona, initiative.slug, member, "facilitator")
        indicator = observatory.add_indicator(people.mona, initiative.slug, {
            "perspective": "Customers", "factor": "Cooperation", "name": "Firms in the network",
            "baseline_value": 10, "baseline_date": "2027-01-01", "target_value": 30, "target_date": "2027-12-31",
            "definition_id": definition.id, "defined_by": "local actors"})
        made[label] = (initiative, indicator)
    return {"programme": programme, "definition": definition, **made}
