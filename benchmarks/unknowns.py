"""How the advisor's treatment of what a case does not record shapes its ranking (issue 9).

For every profile of the given files, all cases are ranked under three treatments of an
attribute the case does not record: counted at the library's mean similarity for the
profile's value at half weight (the advisor's choice), the same at full weight, and left
out (weight 0, the score renormalised over what the case records). It prints, per
treatment, how often the profiles' case expectations hold (expect_first_case,
expect_among_top3) and how often the first case is thinly documented: compared on fewer
of the profile's attributes than the median case is for that profile. A benchmark, not a
test: it prints figures and asserts nothing.

    python -m benchmarks.unknowns tests/data/advisor_profiles.yaml tests/data/advisor_heldout.yaml
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import yaml

from indexer.advisor.profile import Profile
from indexer.service import Casebase
from indexer.settings import Settings

TREATMENTS = (("library mean, half weight (the advisor's)", 0.5), ("library mean, full weight", 1.0),
              ("left out (weight 0)", 0.0))


def measure(service: Casebase, entries: list[dict], unknown_weight: float) -> dict[str, float]:
    """Expectations met and thin first cases over `entries`, with `unknown_weight`."""
    advisor = service.advisor()
    vocabulary = advisor.content.vocabulary
    saved = advisor.unknown_case_weight
    advisor.unknown_case_weight = unknown_weight
    try:
        expected = met = thin = judged = 0
        compared_share: list[float] = []
        for entry in entries:
            profile = Profile.from_mapping(entry["profile"], vocabulary)
            answer = advisor.suggest(profile, case_limit=1000).to_dict()
            cases = answer["cases"]
            if not cases:
                continue
            top = [case["id"] for case in cases[:3]]
            if entry.get("expect_first_case"):
                expected += 1
                met += top[0] == entry["expect_first_case"]
            if entry.get("expect_among_top3"):
                expected += 1
                met += bool(set(entry["expect_among_top3"]) & set(top))
            counts = [case["compared"] for case in cases]
            if cases[0]["comparable"]:
                judged += 1
                thin += counts[0] < statistics.median(counts)
                compared_share.append(counts[0] / cases[0]["comparable"])
        return {"expected": expected, "met": met, "judged": judged, "thin": thin,
                "share": statistics.mean(compared_share) if compared_share else 0.0}
    finally:
        advisor.unknown_case_weight = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--content", type=Path, default=Path("."))
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--semantic", action="store_true", help="use the sentence model (default: keyword only)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(content_dir=args.content, index_dir=args.index)
    service = Casebase.open(settings, semantic=args.semantic)
    entries = [entry for path in args.files
               for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["profiles"]]
    print(f"{len(entries)} profiles from {len(args.files)} files")
    print(f"{'unrecorded attribute':44} {'case expectations met':>22} {'thin first case':>16} {'first compared on':>18}")
    for name, weight in TREATMENTS:
        figures = measure(service, entries, weight)
        print(f"{name:44} {figures['met']:>11} of {figures['expected']:<8} "
              f"{figures['thin']:>6} of {figures['judged']:<7} {figures['share']:>14.0%} of its")
    service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
