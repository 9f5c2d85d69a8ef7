"""Checks of the values people type into the observatory, each failing with an
InvalidInput that names the field (pure functions; the store calls them before writing).

>>> parse_date("measured_on", "2027-03-31")
datetime.date(2027, 3, 31)
>>> check_period("period", "2027-Q2"), check_period("period", "2027-03"), check_period("period", "2027")
('2027-Q2', '2027-03', '2027')
>>> check_number("value", "12.5")
12.5
>>> suggest_slug("Furniture cluster, São Bento (2027)")
'furniture-cluster-sao-bento-2027'
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from typing import Any, Iterable, Mapping

from indexer.errors import InvalidInput

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")
MAX_NAME = 200
MAX_TEXT = 20000
MAX_LIST = 50
MAX_VALUE = 1e15  # larger magnitudes are typing mistakes, and lose precision in exports


def parse_date(field: str, value: Any, required: bool = True) -> date | None:
    """An ISO date (a `date` or "YYYY-MM-DD"); None when empty and not required."""
    if value in (None, ""):
        if required:
            raise InvalidInput(field, "is required (a date as YYYY-MM-DD)")
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise InvalidInput(field, f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, f"'{value}' is not a day of the calendar (YYYY-MM-DD)") from None


def iso(value: date | None) -> str | None:
    """The stored form of a date."""
    return value.isoformat() if value is not None else None


def check_period(field: str, value: Any) -> str:
    """A reporting period: a year "2027", a quarter "2027-Q1" or a month "2027-03"."""
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else None
    if text is None or not PERIOD.match(text):
        raise InvalidInput(field, f"'{value}' is not a period; write a year (2027), a quarter (2027-Q1) "
                                  "or a month (2027-03)")
    return text


def period_end(period: str) -> date:
    """The last day of a period (for ordering against dates).

    >>> period_end("2027-Q1"), period_end("2027-02"), period_end("2027")
    (datetime.date(2027, 3, 31), datetime.date(2027, 2, 28), datetime.date(2027, 12, 31))
    """
    match = PERIOD.match(period)
    if match is None:
        raise InvalidInput("period", f"'{period}' is not a period")
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else 3 * int(match["quarter"]) if match["quarter"] else 12
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def check_number(field: str, value: Any, required: bool = True) -> float | None:
    """A finite number (int, float or its text); None when empty and not required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(field, "is required (a number)")
        return None
    if isinstance(value, bool):
        raise InvalidInput(field, "must be a number, not true/false")
    try:
        # A comma is refused rather than guessed: "1,000" could be a thousand or one.
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise InvalidInput(field, f"'{value}' is not a number") from None
    if not math.isfinite(number):
        raise InvalidInput(field, f"'{value}' is not a finite number")
    if abs(number) > MAX_VALUE:
        raise InvalidInput(field, f"'{value}' is larger than {MAX_VALUE:g}")
    return number


def check_text(field: str, value: Any, required: bool = False, limit: int = MAX_NAME) -> str:
    """Stripped text of at most `limit` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    value = value.strip()
    if required and not value:
        raise InvalidInput(field, "is required")
    if len(value) > limit:
        raise InvalidInput(field, f"is longer than {limit} characters")
    if any(unicodedata.category(character) == "Cc" and character not in "\n\t" for character in value):
        raise InvalidInput(field, "contains control characters")
    return value


def check_choice(field: str, value: Any, choices: Iterable[str]) -> str:
    """One of `choices`."""
    choices = tuple(choices)
    if value not in choices:
        raise InvalidInput(field, f"'{value}' is not one of {', '.join(choices)}")
    return value


def check_list(field: str, value: Any, choices: Iterable[str] | None = None) -> list[str]:
    """A list of distinct short texts (a single text counts as a list of one), each one
    of `choices` when given."""
    if value in (None, ""):
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise InvalidInput(field, "must be a list")
    if len(items) > MAX_LIST:
        raise InvalidInput(field, f"has more than {MAX_LIST} entries")
    checked = [check_text(f"{field}[{index}]", item, required=True) for index, item in enumerate(items)]
    if choices is not None:
        allowed = tuple(choices)
        for index, item in enumerate(checked):
            check_choice(f"{field}[{index}]", item, allowed)
    return list(dict.fromkeys(checked))


def check_slug(field: str, value: Any) -> str:
    """A readable id: lower-case letters, digits and dashes, at most 64."""
    if not isinstance(value, str) or not SLUG.match(value):
        raise InvalidInput(field, f"'{value}' is not a slug: 1-64 lower-case letters, digits and dashes, "
                                  "starting with a letter or digit")
    return value


def suggest_slug(name: str) -> str:
    """A slug made from a name (accents dropped, other characters become dashes)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:60].strip("-")
    return slug or "initiative"


def check_keys(data: Any, allowed: Iterable[str], what: str) -> Mapping:
    """`data` as a mapping whose keys are all in `allowed` (else InvalidInput naming the key)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(what, "must be a mapping of field: value")
    allowed = tuple(allowed)
    for key in data:
        if key not in allowed:
            raise InvalidInput(str(key), f"is not a field of {what} that can be set here; fields: "
                                         + ", ".join(allowed))
    return data


def check_row_id(field: str, value: Any) -> int:
    """A positive 64-bit id."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 2 ** 63 - 1:
        raise InvalidInput(field, f"'{value}' is not an id")
    return value
