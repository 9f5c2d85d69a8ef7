"""`casebase observatory`: demo once, import with a dry run that names bad rows and
writes nothing, exports as CSV, JSON and IATI of what the acting account may see."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from tests.conftest import ContentTree

from indexer.cli import main
from indexer.library.accounts import Accounts
from indexer.observatory.demo import DEMO_SLUG, MONTHS
from indexer.observatory.templates import counts, load_templates

PASSWORD = "a long enough secret"
THAI_KPIS = counts(load_templates()["thai-food-cluster"])[1]


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """A content tree, its instance database with accounts, and the demo created by the CLI."""
    root = tmp_path_factory.mktemp("observatory-cli")
    (root / "content").mkdir()
    ContentTree(root / "content").note("basics")
    base = ["--content", str(root / "content"), "--index", str(root / "instance" / "index")]
    (root / "instance").mkdir()
    accounts = Accounts(root / "instance" / "casebase.sqlite3")
    accounts.add_user("mona", "editor", PASSWORD)
    accounts.add_user("rita", "reader", PASSWORD)

    def run(*args):
        return CliRunner().invoke(main, base + list(args))

    created = run("observatory", "demo", "--as", "mona")
    return run, created


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_demo_runs_once_and_only_for_an_account_that_may_create_programmes(instance):
    run, created = instance
    assert created.exit_code == 0, created.stderr
    assert "fictional demo programme" in created.stdout and DEMO_SLUG in created.stdout
    again = run("observatory", "demo", "--as", "mona")
    assert again.exit_code == 2 and "exists already" in again.stderr
    nobody = run("observatory", "demo", "--as", "nobody")
    assert nobody.exit_code == 2 and "no account 'nobody'" in nobody.stderr
    reader = run("observatory", "demo", "--as", "rita")
    assert reader.exit_code == 2 and "Error:" in reader.stderr


def test_exports_as_csv_and_json(instance):
    run, _ = instance
    exported = run("observatory", "export", "demo-lakeside-food", "--as", "mona")
    assert exported.exit_code == 0, exported.stderr
    current = [row for row in _rows(exported.stdout) if row["current"] == "true"]
    assert len(current) == THAI_KPIS * MONTHS
    as_json = run("observatory", "export", "demo-lakeside-food", "--format", "json", "--as", "mona")
    document = json.loads(as_json.stdout)
    assert len(document["indicators"]) == THAI_KPIS
    assert all(ind["baseline_value"] is not None for ind in document["indicators"])


def test_hidden_figures_are_not_exported_to_others(instance):
    run, _ = instance
    hidden = run("observatory", "export", "demo-riverside-garments", "--as", "rita")
    assert hidden.exit_code == 2 and "demo-riverside-garments" not in hidden.stdout
    anonymous = run("observatory", "export", "demo-hillside-furniture")
    assert anonymous.exit_code == 2 and anonymous.stdout == ""


def test_a_dry_run_with_bad_rows_names_them_and_writes_nothing_then_a_clean_file_imports(instance, tmp_path):
    run, _ = instance
    before = _rows(run("observatory", "export", "demo-hillside-furniture", "--as", "mona").stdout)
    indicator = before[0]["indicator"]
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,period,value,measured_on,evidence\n"
                   f"{indicator},2030-01,5,2030-01-31,ok\n"
                   f"{indicator},2030-13,5,2030-01-31,bad month\n"
                   f"Nonexistent,2030-02,x,2030-02-28,\n", encoding="utf-8")
    for flags in (["--dry-run"], []):
        result = run("observatory", "import", "demo-hillside-furniture", str(bad), "--as", "mona", *flags)
        assert result.exit_code == 2
        assert f"{bad}: line 3, column period" in result.stderr
        assert f"{bad}: line 4, column indicator" in result.stderr and f"{bad}: line 4, column value" in result.stderr
        assert "nothing was written" in result.stderr
    assert _rows(run("observatory", "export", "demo-hillside-furniture", "--as", "mona").stdout) == before

    good = tmp_path / "good.csv"
    good.write_text(f"indicator,period,value,measured_on,evidence\n{indicator},2030-01,5,2030-01-31,minutes\n",
                    encoding="utf-8")
    dry = run("observatory", "import", "demo-hillside-furniture", str(good), "--dry-run", "--as", "mona")
    assert dry.exit_code == 0 and "1 row(s) would be recorded" in dry.stdout
    assert len(_rows(run("observatory", "export", "demo-hillside-furniture", "--as", "mona").stdout)) == len(before)
    real = run("observatory", "import", "demo-hillside-furniture", str(good), "--as", "mona")
    assert real.exit_code == 0, real.stderr
    after = _rows(run("observatory", "export", "demo-hillside-furniture", "--as", "mona").stdout)
    assert len(after) == len(before) + 1
    assert [(row["indicator"], row["value"], row["evidence"]) for row in after if row["period"] == "2030-01"] == [
        (indicator, "5", "minutes")]
    refused = run("observatory", "import", "demo-hillside-furniture", str(good), "--as", "rita")
    assert refused.exit_code == 2


def test_iati_shows_what_the_account_may_see(instance):
    run, _ = instance
    as_manager = ET.fromstring(run("observatory", "iati", DEMO_SLUG, "--as", "mona").stdout.encode())
    titles = [a.findtext("title/narrative") for a in as_manager.findall("iati-activity")]
    assert any("Riverside" in title for title in titles) and any("Hillside" in title for title in titles)
    as_reader = run("observatory", "iati", DEMO_SLUG, "--as", "rita")
    assert as_reader.exit_code == 0, as_reader.stderr
    assert "Riverside" not in as_reader.stdout and "Hillside" not in as_reader.stdout
    assert "Lakeside" in as_reader.stdout


def test_templates_are_listed_with_their_counts_and_sources(instance):
    run, _ = instance
    listed = run("observatory", "templates")
    assert listed.exit_code == 0, listed.stderr
    for template in load_templates().values():
        factors, indicators = counts(template)
        assert f"{template.id}\t{template.title}: {factors} critical success factors, {indicators} indicators" \
            in listed.stdout
    assert listed.stdout.count("  source: ") == len(load_templates())


def test_a_broken_templates_file_in_the_content_is_reported_by_line(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "scorecard_templates.yaml").write_text("templates:\n  - id: Not A Slug\n    title: T\n"
                                                             "    source: s\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--content", str(tmp_path), "observatory", "templates"])
    assert result.exit_code == 2
    assert "scorecard_templates.yaml, line 2: templates[0].id:" in result.stderr
    assert not (tmp_path / "instance").exists()       # listing opens no database
