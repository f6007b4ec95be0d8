"""Validation of request parameters and bodies, with errors that name the field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mismatch_core.backend.errors import ApiError
from mismatch_core.model import KNOWN_CURRENCIES, Resume

MAX_TEXT_CHARS = 100_000


MAX_ID = 2**63 - 1

_JSON_TYPES = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"),
               (list, "an array"), (dict, "an object"))


def json_type(value: object) -> str:
    """Return the JSON name of a parsed value's type, such as "an array" or "null"."""
    if value is None:
        return "null"
    # bool before int, because bool is a subclass of int in Python.
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def parse_id(name: str, raw: str) -> int:
    """Return a path id as an int: 400 if it is not a whole number, 404 if no row can have it."""
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number, got {raw!r}", name) from None
    if not 0 <= value <= MAX_ID:
        raise ApiError(
            404, f"no record with {name} {value}; ids are integers from 0 to {MAX_ID}", name
        )
    return value


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    """Return the ``limit`` query parameter as an int in [1, maximum]."""
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"limit must be a whole number, got {raw!r}", "limit") from None
    if not 1 <= value <= maximum:
        raise ApiError(400, f"limit must be between 1 and {maximum}, got {value}", "limit")
    return value


def _string(body: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError(422, f"field '{name}' is required", name)
        return ""
    if not isinstance(value, str):
        raise ApiError(422, f"field '{name}' must be a string, got {json_type(value)}", name)
    if len(value) > MAX_TEXT_CHARS:
        raise ApiError(422, f"field '{name}' is longer than {MAX_TEXT_CHARS} characters", name)
    return value


def _number(body: Mapping[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError(422, f"field '{name}' must be a number, got {json_type(value)}", name)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or number < 0:
        raise ApiError(422, f"field '{name}' must be a finite number of 0 or more", name)
    return number


def parse_match_request(body: object) -> Resume:
    """Build the ad-hoc résumé of a ``POST /match`` body, rejecting wrong or missing fields."""
    if not isinstance(body, dict):
        raise ApiError(
            400, f"the body must be a JSON object with at least 'text', got {json_type(body)}",
            "body",
        )

    text = _string(body, "text", required=True)
    if not text.strip():
        raise ApiError(422, "field 'text' is empty; send the résumé text", "text")
    skills = body.get("skills", [])
    if not isinstance(skills, list):
        raise ApiError(
            422, f"field 'skills' must be an array of strings, got {json_type(skills)}", "skills"
        )
    wrong = next((item for item in skills if not isinstance(item, str)), None)
    if wrong is not None or None in skills:
        raise ApiError(422, "field 'skills' must be an array of strings, got an item that is "
                       f"{json_type(wrong)}", "skills")
    currency = body.get("currency")
    if currency is not None and (not isinstance(currency, str) or currency not in KNOWN_CURRENCIES):
        raise ApiError(
            422, f"field 'currency' must be one of {sorted(KNOWN_CURRENCIES)}, got {currency!r}",
            "currency",
        )
    location = body.get("location")
    if location is not None and not isinstance(location, str):
        raise ApiError(422, "field 'location' must be a string", "location")

    return Resume(
        id=0,
        title=_string(body, "title", required=False),
        text=text,
        skills=tuple(skills),
        experience_years=_number(body, "experience_years"),
        location=location,
        desired_salary=_number(body, "desired_salary"),
        currency=currency,
    )
