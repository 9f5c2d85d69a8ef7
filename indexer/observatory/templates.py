"""Starting scorecards from the paper (kb/scorecard_templates.yaml), read and checked.

A template is data, not code: the Thai food cluster's critical success factors with
their KPIs, Scottish Enterprise's balanced-scorecard factors and the DTI framework's
drivers and outcomes. An initiative copies one and adapts it. A broken file is
reported with the file, the line and the key, because the people who correct it edit
YAML by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from indexer.content.frontmatter import FrontMatterError, read_yaml_file
from indexer.errors import InvalidInput

from .models import MAX_INDICATORS_PER_FACTOR, ScorecardTemplate

TEMPLATES_FILE = "kb/scorecard_templates.yaml"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / TEMPLATES_FILE


class TemplateError(InvalidInput):
    """The templates file cannot be used; names the file, the line and the key."""

    def __init__(self, path: Path, line: int | None, key: str, message: str):
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(key or "templates", message)
        self.args = (f"{where}: {key or 'templates'}: {message}",)
        self.path, self.line, self.key = path, line, key


def key_text(keys: tuple) -> str:
    """A key path as it reads in a message.

    >>> key_text(("templates", 0, "perspectives", 2, "name"))
    'templates[0].perspectives[2].name'
    """
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def _nearest_line(lines: dict[tuple, int], keys: tuple) -> int | None:
    """The line of `keys`, or of its nearest parent that has one (a missing key has no line)."""
    for end in range(len(keys), 0, -1):
        if keys[:end] in lines:
            return lines[keys[:end]]
    return None


def load_templates(path: Path | None = None) -> dict[str, ScorecardTemplate]:
    """The templates by id, in file order; TemplateError naming file, line and key when
    the file is not a valid templates file."""
    path = path or DEFAULT_PATH
    try:
        data, lines = read_yaml_file(path)
    except FileNotFoundError:
        raise TemplateError(path, None, "", "the templates file is missing") from None
    except FrontMatterError as error:
        raise TemplateError(path, error.line, "", error.message) from None
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        raise TemplateError(path, _nearest_line(lines, ("templates",)), "templates",
                            "the file must hold a mapping with a list under 'templates'")
    unknown = sorted(set(data) - {"version", "templates"})
    if unknown:
        raise TemplateError(path, lines.get((unknown[0],)), unknown[0], "unknown key; expected version and templates")
    templates: dict[str, ScorecardTemplate] = {}
    for index, raw in enumerate(data["templates"]):
        template = _template(path, lines, index, raw)
        if template.id in templates:
            raise TemplateError(path, lines.get(("templates", index, "id")), key_text(("templates", index, "id")),
                                f"template id '{template.id}' is used twice")
        templates[template.id] = template
    return templates


def _template(path: Path, lines: dict[tuple, int], index: int, raw: Any) -> ScorecardTemplate:
    base = ("templates", index)
    try:
        template = ScorecardTemplate.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        keys = base + tuple(first["loc"])
        raise TemplateError(path, _nearest_line(lines, keys), key_text(keys), first["msg"]) from None
    if not template.source.strip():
        keys = base + ("source",)
        raise TemplateError(path, _nearest_line(lines, keys), key_text(keys), "every template names its source")
    seen: set[str] = set()
    for p_index, perspective in enumerate(template.perspectives):
        for f_index, factor in enumerate(perspective.factors):
            keys = base + ("perspectives", p_index, "factors", f_index)
            if factor.name.casefold() in seen:
                raise TemplateError(path, _nearest_line(lines, keys + ("name",)), key_text(keys + ("name",)),
                                    f"factor '{factor.name}' appears twice in template '{template.id}'")
            seen.add(factor.name.casefold())
            if len(factor.indicators) > MAX_INDICATORS_PER_FACTOR:
                raise TemplateError(path, _nearest_line(lines, keys + ("indicators",)),
                                    key_text(keys + ("indicators",)),
                                    f"a factor has at most {MAX_INDICATORS_PER_FACTOR} indicators, "
                                    f"'{factor.name}' has {len(factor.indicators)}")
    return template


def counts(template: ScorecardTemplate) -> tuple[int, int]:
    """(critical success factors, indicators) of a template."""
    factors = [factor for perspective in template.perspectives for factor in perspective.factors]
    return len(factors), sum(len(factor.indicators) for factor in factors)
