"""`casebase documents`: add (many files; a bad or too large one is named, the others
still added, exit 2), list and show as access allows, set, case and delete, each acting
as an account; tested on the group itself with click's CliRunner."""

from __future__ import annotations

import dataclasses
import re

import pytest
from click.testing import CliRunner

from indexer.cli.documents import documents
from indexer.library.accounts import Accounts
from indexer.library.database import Database
from indexer.observatory.service import Observatory
from indexer.settings import Settings
from tests import documents_fixtures as files
from tests.documents_store_fixtures import PASSWORD, PEOPLE

NAMED, HIDDEN = "alpha-furniture", "beta-shoes"


@pytest.fixture
def cli(tmp_path, tree):
    """A content tree, its instance database with the people and a programme of a named
    and a hidden initiative; returns run(*args) -> click Result."""
    tree.note("basics")
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "instance" / "index", environ={})
    database = Database.open(settings.database_path)
    accounts = Accounts(database)
    for name, role in PEOPLE:
        accounts.add_user(name, role, PASSWORD)
    observatory = Observatory(database)
    mona = observatory.viewer(accounts.get("mona"))
    programme = observatory.create_programme(mona, "Contest round").slug
    for slug, sharing, member in ((NAMED, "named", "lina"), (HIDDEN, "hidden", "omar")):
        observatory.create_initiative(mona, programme, {"name": slug.title(), "slug": slug, "sharing": sharing})
        observatory.add_member(mona, slug, member, "facilitator")
    database.dispose()

    def run(*args, settings=settings):
        return CliRunner().invoke(documents, list(args), obj=settings)

    return run, settings


def _ids(output: str) -> list[int]:
    return [int(number) for number in re.findall(r"document (\d+)", output)]


def test_add_many_files_then_list_and_show_as_access_allows(cli, tmp_path):
    run, _ = cli
    pdf = files.text_pdf(tmp_path / "report.pdf", 2)
    markdown = files.markdown_file(tmp_path / "notes.md")
    added = run("add", str(pdf), str(markdown), "--initiative", NAMED, "--kind", "fact-finding", "--as", "lina")
    assert added.exit_code == 0, added.stderr
    assert str(pdf) in added.stdout and str(markdown) in added.stdout and "2 pages" in added.stdout
    pdf_id, markdown_id = _ids(added.stdout)
    again = run("add", str(pdf), "--initiative", NAMED, "--as", "lina")
    assert again.exit_code == 0 and f"already stored as document {pdf_id}" in again.stdout
    hidden = run("add", str(markdown), "--initiative", HIDDEN, "--as", "omar")
    (hidden_id,) = _ids(hidden.stdout)
    listed = run("list", "--as", "rita")
    assert [int(line.split("\t")[0]) for line in listed.stdout.splitlines()] == [markdown_id, pdf_id]
    assert hidden_id in [int(line.split("\t")[0]) for line in run("list", "--as", "omar").stdout.splitlines()]
    shown = run("show", str(pdf_id), "--as", "rita")
    assert shown.exit_code == 0 and files.TITLE in shown.stdout and f"initiative {NAMED}" in shown.stdout
    assert "[page 1]" in shown.stdout and files.page_phrase(2) in shown.stdout
    secret = run("show", str(hidden_id), "--as", "rita")
    assert secret.exit_code == 2 and f"no document {hidden_id}" in secret.stderr and secret.stdout == ""


def test_a_bad_or_too_large_file_is_named_and_the_others_are_still_added(cli, tmp_path):
    run, settings = cli
    broken = files.broken_pdf(tmp_path / "broken.pdf")
    good = files.text_file(tmp_path / "good.txt", "The firms met in the hall of the association.")
    result = run("add", str(broken), str(good), "--as", "ed")
    assert result.exit_code == 2 and f"Error: {broken}: " in result.stderr and str(good) in result.stdout
    assert "1 of 2 file(s) were not added" in result.stderr
    small = dataclasses.replace(settings, document_limits=dataclasses.replace(settings.document_limits,
                                                                              file_bytes=10))
    too_large = run("add", str(good), "--as", "ed", settings=small)
    assert too_large.exit_code == 2 and f"{good}: " in too_large.stderr and "over the" in too_large.stderr


def test_set_case_and_delete_act_as_the_account(cli, tmp_path):
    run, _ = cli
    markdown = files.markdown_file(tmp_path / "proposal.md")
    (document_id,) = _ids(run("add", str(markdown), "--initiative", NAMED, "--kind", "proposal", "--as", "lina").stdout)
    refused = run("set", str(document_id), "--title", "Mine", "--as", "rita")
    assert refused.exit_code == 2 and "Error:" in refused.stderr
    corrected = run("set", str(document_id), "--title", "Alpha proposal", "--date", "2026-04-01", "--as", "lina")
    assert corrected.exit_code == 0, corrected.stderr
    shown = run("show", str(document_id)).stdout  # anonymous reads a named initiative's document
    assert "Alpha proposal" in shown and "date: 2026-04-01" in shown
    nothing = run("set", str(document_id), "--as", "lina")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.stderr
    case = run("case", str(document_id), "--as", "ed")
    assert case.exit_code == 0, case.stderr
    assert re.search(r"Draft \d+ of case 'alpha-proposal'", case.stdout)
    assert run("case", str(document_id), "--as", "lina").exit_code == 2  # a reader writes no drafts
    assert run("delete", str(document_id), "--as", "rita").exit_code == 2
    deleted = run("delete", str(document_id), "--as", "lina")
    assert deleted.exit_code == 0 and run("show", str(document_id), "--as", "lina").exit_code == 2


def test_an_unknown_account_is_named(cli, tmp_path):
    run, _ = cli
    result = run("add", str(files.markdown_file(tmp_path / "a.md")), "--as", "nobody")
    assert result.exit_code == 2 and "no account 'nobody'" in result.stderr


def test_an_added_document_is_searchable_when_the_command_returns_and_the_index_keeps_its_kind(cli, tmp_path):
    """The command waits for the index update its change asked for (a background thread
    of a process that exits would be lost), made the way the index was built."""
    from indexer.index.build import current_generation, read_manifest
    from indexer.search.searcher import SearchRequest
    from indexer.service import Casebase

    run, settings = cli
    built = Casebase.open(settings, semantic=False)
    built.build_index()
    built.close()
    pdf = files.text_pdf(tmp_path / "report.pdf", 2)
    added = run("add", str(pdf), "--kind", "fact-finding", "--as", "mona")
    assert added.exit_code == 0, added.stderr
    (document_id,) = _ids(added.stdout)
    assert read_manifest(current_generation(settings.index_dir)).get("semantic") is False
    reader = Casebase.open(settings, semantic=False)
    try:
        answer = reader.search(SearchRequest(files.page_phrase(2), mode="keyword", kinds=("document",)))
        assert [hit.doc_id for hit in answer.results] == [str(document_id)]
        assert answer.results[0].section == "Page 2"
    finally:
        reader.close()
