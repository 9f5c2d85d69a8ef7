"""Observatory benchmark: the dashboard and the initiative page at programme scale.

Generates a programme of INITIATIVES initiatives x INDICATORS indicators x PERIODS
monthly periods (200 x 20 x 24 = 96,000 measurements by default) in a temporary
SQLite instance database (the content is only read, for the advisor's warnings), then
times what the pages ask the facade for:

- the dashboard: `Observatory.dashboard` as the programme manager and as a reader;
- the initiative page: initiative + scorecard + every indicator's measurements +
  evaluations + advice, as a member of that initiative.

The programme, its definitions and the accounts are made through the facade; the bulk
rows (initiatives, indicators, measurements, evaluations) are inserted directly in
one transaction, since 96,000 single recordings would time the set-up, not the
pages. A benchmark, not a test: it prints a table and asserts nothing.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Callable

INITIATIVES, INDICATORS, PERIODS = 200, 20, 24
PERSPECTIVES = ("Financial", "Customer", "Internal process", "Innovation and growth")
FACTORS_PER_PERSPECTIVE = 5          # one indicator each: 4 x 5 = 20 per initiative
PROFILES = tuple(MappingProxyType(profile) for profile in (
    {"driver": "private", "approach": "bottom-up", "stage": "growth", "monitoring_style": "participatory"},
    {"driver": "public", "approach": "top-down", "stage": "emergence", "monitoring_style": "external-inspection"},
    {"driver": "mixed", "approach": "bottom-up", "pressure": "under-pressure", "funding_level": "large"},
    {"driver": "public", "approach": "bottom-up", "cooperative_culture": "non-cooperative"},
))
SHARING = ("named", "named", "anonymous", "hidden")
PASSWORD = "benchmark password"


@dataclass
class Timing:
    """Latencies of one page's facade calls, in milliseconds."""

    label: str
    runs: int
    p50: float
    p95: float
    first: float


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _time(label: str, call: Callable[[], object], runs: int) -> Timing:
    started = time.perf_counter()
    call()
    first = (time.perf_counter() - started) * 1000
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(label, runs, _percentile(samples, 0.5), _percentile(samples, 0.95), first)


def _months(count: int, last: date) -> list[tuple[str, str]]:
    """(period, measured_on) of `count` months ending with the month of `last`, oldest first."""
    year, month, found = last.year, last.month, []
    for _ in range(count):
        found.append((f"{year}-{month:02d}", f"{year}-{month:02d}-28"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(found))


def populate(casebase, initiatives: int, indicators: int, periods: int, seed: int = 11) -> dict:
    """The benchmark's programme; returns the slugs and viewers it made."""
    from sqlalchemy import insert, select

    from indexer.observatory import tables as t

    accounts, observatory = casebase.accounts, casebase.observatory
    accounts.add_user("bench-manager", "editor", PASSWORD)
    accounts.add_user("bench-member", "reader", PASSWORD)
    accounts.add_user("bench-reader", "reader", PASSWORD)
    manager = observatory.viewer(accounts.get("bench-manager"))
    programme = observatory.create_programme(manager, "Benchmark programme (synthetic)", slug="bench-programme")
    definitions = [observatory.define_indicator(manager, programme.slug, {"key": f"shared-{n}", "name": f"Shared {n}"})
                   for n in range(5)]
    rng, now = random.Random(seed), time.time()
    months = _months(periods, date(2027, 12, 1))
    with casebase.database.transaction() as db:
        db.execute(insert(t.initiatives), [{
            "programme_id": programme.id, "slug": f"bench-{n:04d}", "name": f"Synthetic initiative {n}",
            "country": "Brazil", "sectors": json.dumps(["furniture"]), "status": "running",
            "start_date": "2026-01-01", "facilitators": "[]", "profile": json.dumps(dict(PROFILES[n % len(PROFILES)])),
            "description": "A synthetic initiative of the benchmark.", "sharing": SHARING[n % len(SHARING)],
            "created": now, "updated": now} for n in range(initiatives)])
        ids = db.execute(select(t.initiatives.c.id).where(t.initiatives.c.programme_id == programme.id)
                         .order_by(t.initiatives.c.id)).scalars().all()
        db.execute(insert(t.indicators), [{
            "initiative_id": initiative_id, "perspective": PERSPECTIVES[k % len(PERSPECTIVES)],
            "factor": f"Factor {k // len(PERSPECTIVES)}", "name": f"Indicator {k}", "unit": "firms",
            "direction": "higher", "baseline_value": 10.0, "baseline_date": "2026-01-01", "target_value": 40.0,
            "target_date": "2027-12-31", "defined_by": "synthetic",
            "definition_id": definitions[k].id if k < len(definitions) else None, "position": 0}
            for initiative_id in ids for k in range(indicators)])
        indicator_ids = db.execute(select(t.indicators.c.id)
                                   .where(t.indicators.c.initiative_id.in_(ids))).scalars().all()
        for start in range(0, len(indicator_ids), 500):
            db.execute(insert(t.measurements), [{
                "indicator_id": indicator_id, "period": period, "value": round(10 + step * rng.uniform(0.5, 1.5), 2),
                "measured_on": measured_on, "evidence": "", "recorded_by": "bench-member", "recorded_at": now,
                "is_current": True}
                for indicator_id in indicator_ids[start:start + 500]
                for step, (period, measured_on) in enumerate(months)])
        for initiative_id in ids:
            evaluation_id = db.execute(insert(t.evaluations).values(
                initiative_id=initiative_id, held_on=months[-3][1], kind="self-evaluation",
                participants=json.dumps(["firms"]), findings="Synthetic finding.", recorded_by="bench-member",
                recorded_at=now)).inserted_primary_key[0]
            db.execute(insert(t.actions).values(evaluation_id=evaluation_id, text="Synthetic action",
                                                due=months[-1][1], status="open", updated=now))
    subject = f"bench-{0:04d}"
    observatory.add_member(manager, subject, "bench-member", "facilitator")
    return {"programme": programme.slug, "subject": subject, "manager": manager,
            "member": observatory.viewer(accounts.get("bench-member")),
            "reader": observatory.viewer(accounts.get("bench-reader")), "definition": definitions[0].id,
            "measurements": len(indicator_ids) * periods}


def initiative_page(observatory, viewer, slug: str) -> None:
    """What the initiative page asks the facade for."""
    observatory.initiative(viewer, slug)
    card = observatory.scorecard(viewer, slug)
    for perspective in card.perspectives:
        for factor in perspective.factors:
            for indicator in factor.indicators:
                observatory.measurements(viewer, indicator.id)
    observatory.evaluations(viewer, slug)
    observatory.advice(viewer, slug)


def run_observatory(content_dir: Path, initiatives: int = INITIATIVES, indicators: int = INDICATORS,
                    periods: int = PERIODS, runs: int = 20, semantic: bool = True,
                    echo: Callable[[str], None] = print) -> dict:
    """Generate the programme in a temporary instance and time the pages' facade calls.
    The advisor (warnings, advice) needs an index of the content: it is built in the
    temporary folder, with the embedding model unless `semantic` is False (then with
    the hashing encoder, which is quicker to build and cheaper per query)."""
    from indexer.search.encoder import HashingEncoder
    from indexer.service import Casebase
    from indexer.settings import Settings

    with tempfile.TemporaryDirectory(prefix="casebase-observatory-bench-") as folder:
        settings = Settings.from_env(content_dir=content_dir, index_dir=Path(folder) / "index", environ={})
        casebase = Casebase.open(settings, encoder=None if semantic else HashingEncoder())
        try:
            echo("indexing the content for the advisor ...")
            casebase.build_index()
            echo(f"generating {initiatives} initiatives x {indicators} indicators x {periods} periods ...")
            started = time.perf_counter()
            made = populate(casebase, initiatives, indicators, periods)
            generated = time.perf_counter() - started
            observatory, slug = casebase.observatory, made["programme"]
            today = date(2027, 12, 5)
            timings = [
                _time("dashboard (manager)", lambda: observatory.dashboard(made["manager"], slug, today), runs),
                _time("dashboard (reader)", lambda: observatory.dashboard(made["reader"], slug, today), runs),
                _time("initiative page (member)",
                      lambda: initiative_page(observatory, made["member"], made["subject"]), runs),
                _time("benchmark (member, subject)", lambda: observatory.benchmark(
                    made["member"], slug, made["definition"], subject_slug=made["subject"]), runs),
            ]
        finally:
            casebase.close()
    return {"initiatives": initiatives, "indicators": indicators, "periods": periods, "semantic": semantic,
            "measurements": made["measurements"], "generate_s": generated, "timings": timings}


def report(results: dict, echo: Callable[[str], None] = print) -> None:
    """Print the benchmark's table."""
    echo(f"Observatory: {results['initiatives']} initiatives x {results['indicators']} indicators x "
         f"{results['periods']} periods = {results['measurements']:,} measurements "
         f"(generated in {results['generate_s']:.1f} s, SQLite; advisor "
         f"{'with the embedding model' if results['semantic'] else 'with the hashing encoder'})")
    echo("| page | runs | first ms | p50 ms | p95 ms |")
    echo("|---|---:|---:|---:|---:|")
    for timing in results["timings"]:
        echo(f"| {timing.label} | {timing.runs} | {timing.first:.0f} | {timing.p50:.0f} | {timing.p95:.0f} |")
    echo("first = the first call (advisor warnings not yet cached); p50/p95 over the runs after it.")


if __name__ == "__main__":
    report(run_observatory(Path(__file__).resolve().parent.parent))
