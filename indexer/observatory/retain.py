"""Retain: the first draft of a case from a closing initiative.

The library's `case_from_profile` writes every case field from the initiative's
profile (so a field added to the registry appears here without an edit); this module
adds what the observatory knows and a profile does not: the place and period, the
indicators with baseline, latest value and target as the case's outcomes, the
monitoring actually done, the evaluations' findings as candidate lessons, and a
source naming the initiative's record. An editor completes the draft and a reviewer
publishes it through the usual review flow.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

import yaml

from indexer.content.frontmatter import parse_text
from indexer.content.vocabulary import Vocabulary
from indexer.library.retaining import case_from_profile

from .csvio import number_text
from .dashboard import in_order, scorecard_indicators
from .models import Evaluation, Indicator, Initiative, Measurement, Scorecard

MAX_STATEMENT_CHARS = 200


def _amount(value: float, unit: str) -> str:
    """A value with its unit.

    >>> _amount(12.0, "firms"), _amount(3.5, "%"), _amount(7, "")
    ('12 firms', '3.5%', '7')
    """
    text = number_text(float(value))
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


def outcome_line(indicator: Indicator, measurements: Iterable[Measurement]) -> str:
    """One indicator as an outcome: baseline, latest value and target, with dates."""
    parts = [indicator.name + ":"]
    if indicator.baseline_value is not None:
        when = f" ({indicator.baseline_date.isoformat()})" if indicator.baseline_date else ""
        parts.append(f"baseline {_amount(indicator.baseline_value, indicator.unit)}{when},")
    values = in_order(measurements)
    if values:
        parts.append(f"latest {_amount(values[-1].value, indicator.unit)} ({values[-1].period}),")
    else:
        parts.append("not measured,")
    if indicator.target_value is not None:
        when = f" by {indicator.target_date.isoformat()}" if indicator.target_date else ""
        parts.append(f"target {_amount(indicator.target_value, indicator.unit)}{when}")
    else:
        parts.append("no target set")
    return " ".join(parts)


def first_sentence(text: str) -> str:
    """The first sentence of `text`, shortened to a lesson statement's length.

    >>> first_sentence("Banks came late. They wanted plans.")
    'Banks came late.'
    """
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    sentence = match.group(1) if match else flat
    return sentence if len(sentence) <= MAX_STATEMENT_CHARS else sentence[:MAX_STATEMENT_CHARS - 3].rstrip() + "..."


def _lessons(evaluations: list[Evaluation], citation: str) -> list[dict]:
    lessons, used = [], set()
    for evaluation in sorted(evaluations, key=lambda e: (e.held_on, e.id)):
        if not evaluation.findings.strip():
            continue
        lesson_id = base = f"finding-{evaluation.held_on.isoformat()}"
        number = 2
        while lesson_id in used:
            lesson_id, number = f"{base}-{number}", number + 1
        used.add(lesson_id)
        who = ", ".join(evaluation.participants) or "participants not recorded"
        lessons.append({
            "id": lesson_id,
            "statement": first_sentence(evaluation.findings),
            "explanation": (f"Candidate lesson from the {evaluation.kind.replace('-', ' ')} of "
                            f"{evaluation.held_on.isoformat()} ({who}): {' '.join(evaluation.findings.split())} "
                            f"({citation})."),
            "topics": ["monitoring"],
            "sources": [citation],
        })
    return lessons


def case_text(initiative: Initiative, scorecard: Scorecard | None, measurements: Mapping[int, list[Measurement]],
              evaluations: list[Evaluation], author: str, year: int, doc_id: str | None = None,
              programme_name: str = "", record_url: str | None = None,
              vocabulary: Vocabulary | None = None) -> str:
    """The draft case text of `initiative` (id `doc_id`, default its slug), written by
    `author` in `year`; `record_url` (built by the web layer) links back to its record.
    With `vocabulary`, a country or sector the vocabulary does not know is kept in the
    text instead of the fields, so the draft still validates and nothing is lost."""
    profile = {**initiative.profile, "description": initiative.description}
    unlisted: list[str] = []
    if initiative.country and not profile.get("country"):
        found = vocabulary.country(initiative.country) if vocabulary else {"name": initiative.country}
        if found:
            profile["country"] = found["name"]
        else:
            unlisted.append(f"country as recorded: {initiative.country}")
    if initiative.sectors and not profile.get("sectors"):
        known = [s for s in initiative.sectors if vocabulary is None or vocabulary.is_valid("sectors", s)]
        profile["sectors"] = known
        unlisted += [f"sector as recorded: {s}" for s in initiative.sectors if s not in known]
    doc_id = doc_id or initiative.slug
    front = parse_text(case_from_profile(doc_id, initiative.name, profile, author, year)).data
    citation = f"{author} {year}"
    record = f"Observatory record of the initiative '{initiative.name}' ({initiative.slug})"
    if programme_name:
        record += f" in the programme '{programme_name}'"
    front["sources"].append({"author": author, "year": year, "title": record})
    if initiative.place:
        front["location"]["place"] = initiative.place
    if initiative.start_date:
        start = initiative.start_date.year
        front["period"] = f"{start}-{year}" if start < year else str(start)
    indicators = scorecard_indicators(scorecard)
    if indicators:
        front["outcomes"] = "; ".join(outcome_line(ind, measurements.get(ind.id, [])) for ind in indicators)
    held = sorted(e.held_on.isoformat() for e in evaluations)
    if indicators or held:
        front["monitoring"] = (f"Participatory scorecard of {len(indicators)} indicators"
                               + (f"; evaluations held on {', '.join(held)}" if held else "; no evaluation recorded"))
    front["lessons"] = _lessons(evaluations, citation)
    return ("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100) + "---\n\n"
            + _body(initiative, indicators, measurements, evaluations, record, record_url, unlisted))


def _body(initiative: Initiative, indicators: list[Indicator], measurements: Mapping[int, list[Measurement]],
          evaluations: list[Evaluation], record: str, record_url: str | None, unlisted: list[str]) -> str:
    lines = ["## Context", "", initiative.description or "To be written from the initiative's proposal.", ""]
    if unlisted:
        lines += ["Not in the vocabulary yet (choose the nearest value or add it): " + "; ".join(unlisted) + ".", ""]
    lines += [
             "## What was done", "", "To be written by the initiative's facilitators and members.", ""]
    if indicators:
        lines += ["## Indicators", ""] + [f"- {outcome_line(ind, measurements.get(ind.id, []))}"
                                         for ind in indicators] + [""]
    with_actions = [e for e in sorted(evaluations, key=lambda e: (e.held_on, e.id)) if e.findings or e.actions]
    if with_actions:
        lines += ["## Evaluations", ""]
        for evaluation in with_actions:
            lines.append(f"- {evaluation.held_on.isoformat()}, {evaluation.kind.replace('-', ' ')}: "
                         + (" ".join(evaluation.findings.split()) or "no findings recorded"))
            lines += [f"  - Action ({action.status}): {' '.join(action.text.split())}" for action in evaluation.actions]
        lines += ["", "The lessons above are the evaluations' findings as candidates: rewrite each as one "
                  "actionable line before publishing, or remove it.", ""]
    lines += ["## Record", "", f"{record}" + (f": <{record_url}>" if record_url else "") + ".", ""]
    return "\n".join(lines)
