"""Advisor acceptance figures on a file of profiles (issue 9).

    python -m benchmarks.advisor_profiles [FILE ...] [--index DIR] [--semantic] [--details]
                                          [--examples [--threshold T] [--margin M]]

Runs every profile of each FILE (default: tests/data/advisor_heldout.yaml) through
`Casebase.suggest` and prints: profiles passing all their expectations, per-rule
fired/expected counts, false fires on profiles written to contradict a rule, the
accuracy of the attributes read from the description, and the advisor's latency.
The expectation keys are documented at the top of tests/data/advisor_heldout.yaml.

It needs a built index: `casebase --index /tmp/some-index index --no-semantic` (or
without --no-semantic, and --semantic here, to include the model). A benchmark, not
a test: figures go into reports, never into assertions.

Attributes read from the description come from the answer's `inferred` entry when the
advisor provides one; otherwise the script measures today's literal reading, the
evidence phrases of kb/rules.yaml (the value a condition would take from the text),
and says so in the table. `--examples` measures instead a plain reading by meaning,
each description sentence against the example sentences of kb/attribute_examples.yaml,
as a reference for what that data supports.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer.advisor.profile import Profile
from indexer.advisor.readings import LIST_ATTRIBUTES
from indexer.advisor.rules import ACTIVITY_KEYS, find_phrase, fold
from indexer.search.encoder import SentenceTransformerEncoder
from indexer.advisor.suggest import Advisor
from indexer.service import Casebase
from indexer.settings import Settings

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "advisor_heldout.yaml"
EXAMPLES_FILE = "kb/attribute_examples.yaml"
READING_REASON = re.compile(r"^explains rule ([\w-]+)")


@dataclass
class Outcome:
    """One profile's answer checked against its expectations."""

    name: str
    language: str
    failures: list[str] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)
    readings: set[str] = field(default_factory=set)
    inferred: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0


def load_profiles(path: Path) -> list[dict]:
    """The `profiles` list of a YAML file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["profiles"]


def fired_rules(answer: dict) -> tuple[set[str], set[str]]:
    """(warnings and encouragements, readings) that fired, whatever the answer's shape:
    readings from an explicit `readings` list, a warning of kind reading, or the
    "explains rule <id>" reason of a recommended note.

    >>> warnings, readings = fired_rules({
    ...     "warnings": [{"rule": "a", "kind": "warning"}, {"rule": "b", "kind": "reading"}],
    ...     "notes": [{"why": ["explains rule c: pressure is doing-well", "close to it"]}]})
    >>> sorted(warnings), sorted(readings)
    (['a'], ['b', 'c'])
    """
    warnings: set[str] = set()
    readings: set[str] = set()
    for warning in answer.get("warnings", []):
        rule = warning.get("rule") or warning.get("id")
        (readings if warning.get("kind") == "reading" else warnings).add(rule)
    for reading in answer.get("readings", []) or []:
        readings.add(reading if isinstance(reading, str) else reading.get("rule") or reading.get("id"))
    for note in answer.get("notes", []):
        for why in note.get("why", []):
            match = READING_REASON.match(why)
            if match:
                readings.add(match.group(1))
    return warnings, readings


def answer_inferred(answer: dict) -> dict[str, object] | None:
    """Attribute -> value the advisor says it read from the description, if it says so."""
    raw = answer.get("inferred")
    if raw is None:
        return None
    if isinstance(raw, dict):
        return {key: value.get("value") if isinstance(value, dict) else value for key, value in raw.items()}
    inferred: dict[str, object] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        if entry["attribute"] in LIST_ATTRIBUTES:  # a list attribute: one entry per value
            inferred.setdefault(entry["attribute"], []).append(entry.get("value"))
        else:
            inferred[entry["attribute"]] = entry.get("value")
    return inferred


def phrase_inferred(rules, profile: Profile) -> dict[str, object]:
    """Today's literal reading: for each attribute the profile leaves unknown, the single
    value that the matching evidence phrases of the rules agree on (as the rules
    themselves would read it)."""
    description = fold(profile.description)
    candidates: dict[str, list[set[str]]] = {}
    for rule in rules:
        for when, evidence in rule.alternatives():
            for key, phrases in evidence.items():
                if key in ACTIVITY_KEYS or profile.get(key) is not None:
                    continue
                if any(find_phrase(phrase, description) for phrase in phrases):
                    candidates.setdefault(key, []).append(set(when[key]))
    inferred: dict[str, object] = {}
    for key, value_sets in candidates.items():
        common = set.intersection(*value_sets)
        if len(common) == 1:
            inferred[key] = common.pop()
    return inferred


def split_sentences(text: str) -> list[str]:
    """The sentences of a description (also cut at semicolons, where facilitators join
    two statements).

    >>> split_sentences("Sales fell. Owners distrust each other; the mayor wants to help!")
    ['Sales fell.', 'Owners distrust each other;', 'the mayor wants to help!']
    """
    return [part.strip() for part in re.split(r"(?<=[.!?;])\s+", " ".join(text.split())) if part.strip()]


class ExampleReader:
    """A reference reading by meaning: each description sentence against the example
    sentences of kb/attribute_examples.yaml, with the bundled model.

    A value is read when some sentence is at least `threshold` similar to one of its
    examples, more similar to them than to the value's contrast sentences, and ahead of
    every other value of the attribute by `margin` (list attributes: every value over the
    threshold). Measures the data, not the advisor's own inference."""

    def __init__(self, encoder, examples: dict, threshold: float = 0.5, margin: float = 0.03):
        self.encoder, self.threshold, self.margin = encoder, threshold, margin
        self.attributes: dict[str, tuple[bool, list[tuple[str, object, object]]]] = {}
        for attribute, spec in examples["attributes"].items():
            values = []
            for value, entry in spec["values"].items():
                positive = encoder.encode([e["text"] for e in entry["examples"]])
                contrast = encoder.encode([e["text"] for e in entry.get("contrast", [])]) \
                    if entry.get("contrast") else None
                values.append((value, positive, contrast))
            self.attributes[attribute] = (bool(spec.get("list")), values)

    def read(self, description: str) -> dict[str, object]:
        """Attribute -> value (or list of values) read from the description."""
        sentences = split_sentences(description)
        if not sentences:
            return {}
        vectors = self.encoder.encode(sentences)
        inferred: dict[str, object] = {}
        for attribute, (is_list, values) in self.attributes.items():
            scores = {}
            for value, positive, contrast in values:
                best = (vectors @ positive.T).max(axis=1)
                if contrast is not None:
                    best = best * (best > (vectors @ contrast.T).max(axis=1))
                scores[value] = float(best.max())
            ranked = sorted(scores.items(), key=lambda item: -item[1])
            if is_list:
                chosen = [value for value, score in ranked if score >= self.threshold]
                if chosen:
                    inferred[attribute] = chosen
            elif ranked[0][1] >= self.threshold and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= self.margin):
                inferred[attribute] = ranked[0][0]
        return inferred


def check(entry: dict, answer: dict, inferred: dict[str, object], seconds: float) -> Outcome:
    """Compare one answer with the profile's expectations."""
    outcome = Outcome(entry["name"], entry.get("language", "en"), seconds=seconds, inferred=inferred)
    outcome.fired, outcome.readings = fired_rules(answer)
    top = [case["id"] for case in answer.get("cases", [])[:3]]
    first = entry.get("expect_first_case")
    if first and (not top or top[0] != first):
        outcome.failures.append(f"first case {top[:1]} is not {first}")
    among = entry.get("expect_among_top3")
    if among and not set(among) & set(top):
        outcome.failures.append(f"top 3 {top} has none of {among}")
    for rule in entry.get("expect_warnings", []):
        if rule not in outcome.fired:
            outcome.failures.append(f"missing warning {rule}")
    for rule in entry.get("forbid_warnings", []):
        if rule in outcome.fired:
            outcome.failures.append(f"forbidden warning {rule}")
    for rule in entry.get("expect_readings", []):
        if rule not in outcome.readings:
            outcome.failures.append(f"missing reading {rule}")
    for rule in entry.get("forbid_readings", []):
        if rule in outcome.readings:
            outcome.failures.append(f"forbidden reading {rule}")
    if entry.get("expect_nothing") and (outcome.fired or outcome.readings):
        outcome.failures.append(f"expected nothing, fired {sorted(outcome.fired | outcome.readings)}")
    # A sector the description names is a stated fact, not a judgement made up.
    made_up = sorted(attribute for attribute in inferred if attribute != "sectors")
    if entry.get("expect_no_inference") and made_up:
        outcome.failures.append(f"expected nothing read, read {made_up}")
    return outcome


def inference_marks(entry: dict, inferred: dict[str, object]) -> list[tuple[str, str]]:
    """(attribute, right|wrong|unread|false-read) per expected or forbidden reading.

    >>> entry = {"expect_inferred": {"pressure": "doing-well", "stage": ["growth", "maturity"],
    ...                              "activities": ["training", "testing"]},
    ...          "expect_not_inferred": {"enright": "policy-driven"}}
    >>> inference_marks(entry, {"pressure": "under-pressure", "stage": "growth", "activities": ["testing"],
    ...                         "enright": "policy-driven"})
    [('pressure', 'wrong'), ('stage', 'right'), ('activities', 'unread'), ('activities', 'right'), ('enright', 'false-read')]
    """
    marks = []
    for attribute, expected in (entry.get("expect_inferred") or {}).items():
        got = inferred.get(attribute)
        if attribute == "activities":
            got_list = set(got or [])
            for activity in expected:
                marks.append(("activities", "right" if activity in got_list else "unread"))
            continue
        accepted = set(expected) if isinstance(expected, list) else {expected}
        marks.append((attribute, "unread" if got in (None, "", []) else "right" if got in accepted else "wrong"))
    for attribute, value in (entry.get("expect_not_inferred") or {}).items():
        if inferred.get(attribute) == value:
            marks.append((attribute, "false-read"))
    return marks


def run_file(service: Casebase, path: Path,
             reader: ExampleReader | None = None) -> tuple[list[Outcome], list[dict], str]:
    """Every profile of one file through the advisor. With a `reader`, the attributes
    are read by it instead of taken from the answer (a reference for the data)."""
    entries = load_profiles(path)
    outcomes, source = [], "answer"
    assert service.content.vocabulary is not None
    for entry in entries:
        started = time.perf_counter()
        answer = service.suggest(entry["profile"]).to_dict()
        seconds = time.perf_counter() - started
        profile = Profile.from_mapping(entry["profile"], service.content.vocabulary)
        inferred = answer_inferred(answer)
        if reader is not None:
            source = (f"nearest example sentences of {EXAMPLES_FILE} (threshold {reader.threshold},"
                      f" margin {reader.margin})")
            given = set(profile.values) | {"sectors", "activities"} & set(entry["profile"])
            inferred = {key: value for key, value in reader.read(profile.description).items() if key not in given}
        elif inferred is None:
            source = "evidence phrases (no `inferred` in the answer)"
            inferred = phrase_inferred(service.content.rules, profile)
        outcomes.append(check(entry, answer, inferred, seconds))
    return outcomes, entries, source


def report(path: Path, outcomes: list[Outcome], entries: list[dict], source: str, known_rules: set[str],
           details: bool) -> str:
    """The tables for one file, as text."""
    lines = [f"== {path}", ""]
    passed = [o for o in outcomes if not o.failures]
    lines.append(f"profiles passing all expectations: {len(passed)}/{len(outcomes)}"
                 f" ({100 * len(passed) / max(len(outcomes), 1):.0f}%)")
    for language in sorted({o.language for o in outcomes}):
        group = [o for o in outcomes if o.language == language]
        lines.append(f"  {language}: {sum(not o.failures for o in group)}/{len(group)}")
    lines.append("")
    rules = sorted({r for e in entries for key in ("expect_warnings", "expect_readings", "contradicts",
                                                  "forbid_warnings", "forbid_readings") for r in e.get(key, [])}
                   | known_rules)
    lines.append(f"{'rule':36} {'in rules':>8} {'fired/expected':>14} {'false fires/contradicting':>25}"
                 f" {'fires, all':>10}")
    for rule in rules:
        expected = [o for o, e in zip(outcomes, entries)
                    if rule in e.get("expect_warnings", []) + e.get("expect_readings", [])]
        hits = sum(rule in o.fired | o.readings for o in expected)
        contradicting = [o for o, e in zip(outcomes, entries) if rule in e.get("contradicts", [])]
        false_fires = sum(rule in o.fired | o.readings for o in contradicting)
        total = sum(rule in o.fired | o.readings for o in outcomes)
        lines.append(f"{rule:36} {'yes' if rule in known_rules else 'no':>8} {f'{hits}/{len(expected)}':>14}"
                     f" {f'{false_fires}/{len(contradicting)}':>25} {total:>10}")
    lines.append("")
    marks: dict[str, Counter] = {}
    for outcome, entry in zip(outcomes, entries):
        for attribute, mark in inference_marks(entry, outcome.inferred):
            marks.setdefault(attribute, Counter())[mark] += 1
    lines.append(f"attributes read from the description, source: {source}")
    lines.append(f"{'attribute':24} {'right':>6} {'wrong':>6} {'unread':>7} {'accuracy':>9} {'false reads':>12}")
    total_right = total_expected = 0
    for attribute in sorted(marks):
        count = marks[attribute]
        expected = count["right"] + count["wrong"] + count["unread"]
        total_right += count["right"]
        total_expected += expected
        accuracy = f"{100 * count['right'] / expected:.0f}%" if expected else "-"
        lines.append(f"{attribute:24} {count['right']:>6} {count['wrong']:>6} {count['unread']:>7} {accuracy:>9}"
                     f" {count['false-read']:>12}")
    if total_expected:
        lines.append(f"{'all':24} {total_right:>6} {'':>6} {'':>7} {100 * total_right / total_expected:>8.0f}%")
        by_language: dict[str, Counter] = {}
        for outcome, entry in zip(outcomes, entries):
            for _, mark in inference_marks(entry, outcome.inferred):
                if mark != "false-read":
                    by_language.setdefault(outcome.language, Counter())[mark == "right"] += 1
        lines.append("by language: " + ", ".join(
            f"{language} {count[True]}/{count[True] + count[False]}"
            f" ({100 * count[True] / (count[True] + count[False]):.0f}%)"
            for language, count in sorted(by_language.items())))
    lines.append("")
    times = sorted(o.seconds * 1000 for o in outcomes)
    if times:
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        lines.append(f"suggest latency: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
                     f" over {len(times)} profiles")
    if details:
        lines.append("")
        for outcome in outcomes:
            if outcome.failures:
                lines.append(f"FAIL {outcome.name}: " + "; ".join(outcome.failures))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT_FILE])
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: CASEBASE_INDEX or instance/)")
    parser.add_argument("--content", type=Path, default=None, help="folder holding cases/ and kb/")
    parser.add_argument("--semantic", action="store_true", help="load the model (the index must be semantic)")
    parser.add_argument("--details", action="store_true", help="list each failing profile and why")
    parser.add_argument("--batch-encode", action="store_true",
                        help="encode a description's sentences in one batch (the advisor's encode_many)")
    parser.add_argument("--examples", action="store_true",
                        help=f"read attributes by nearest example sentence ({EXAMPLES_FILE}) with the model")
    parser.add_argument("--threshold", type=float, default=0.5, help="similarity needed by --examples")
    parser.add_argument("--margin", type=float, default=0.03, help="lead over the next value needed by --examples")
    args = parser.parse_args(argv)
    settings = Settings.from_env(content_dir=args.content, index_dir=args.index)
    service = Casebase.open(settings, semantic=args.semantic)
    try:
        service.warm()  # opens the index (and the model) before timing starts
        if args.batch_encode and service.encoder is not None:
            # What Casebase.advisor() does once it passes the encoder's batch call.
            service._advisor = Advisor(service.content, service.searcher, service._encode_query,
                                       encode_many=service.encoder.encode)
        service.suggest({"description": "Warm-up: the example sentences are encoded once."})
        known_rules = {rule.id for rule in service.content.rules}
        reader = None
        if args.examples:
            encoder = service.encoder or SentenceTransformerEncoder(settings.model_name)
            examples = yaml.safe_load((settings.content_dir / EXAMPLES_FILE).read_text(encoding="utf-8"))
            reader = ExampleReader(encoder, examples, args.threshold, args.margin)
        for path in args.files:
            outcomes, entries, source = run_file(service, path, reader)
            print(report(path, outcomes, entries, source, known_rules, args.details))
            print()
    finally:
        service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
