"""Domain model: companies, jobs and résumés as immutable records.

Amounts are in the posting's own currency (ISO 4217 code such as ``RUB``), experience
is in years, and ``None`` means "not stated" rather than zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

KNOWN_CURRENCIES = frozenset({"RUB", "USD", "EUR", "KZT", "BYN", "UAH", "GBP"})


def _check_amount(owner: str, name: str, value: float | None) -> None:
    if value is None:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{owner}.{name} must be a number or None, got {value!r}")
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(f"{owner}.{name} must be a finite non-negative number, got {value!r}")


def _check_currency(owner: str, currency: str | None) -> None:
    if currency is not None and currency not in KNOWN_CURRENCIES:
        raise ValueError(
            f"{owner}.currency {currency!r} is not a known ISO 4217 code; "
            f"use one of {sorted(KNOWN_CURRENCIES)} or None"
        )


@dataclass(frozen=True, slots=True)
class Company:
    """An employer."""

    id: int
    name: str
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A job posting.

    ``skills`` lists the skills the posting names, as written. The matcher maps them to
    canonical names and adds the skills it finds in the title and description.
    """

    id: int
    title: str
    description: str = ""
    company_id: int | None = None
    created_at: datetime | None = None
    location: str | None = None
    remote: bool = False
    salary_min: float | None = None
    salary_max: float | None = None
    currency: str | None = None
    experience_years: float | None = None
    skills: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("salary_min", "salary_max", "experience_years"):
            _check_amount("Job", name, getattr(self, name))
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            raise ValueError(
                f"Job {self.id}: salary_min {self.salary_min} is above salary_max {self.salary_max}"
            )
        _check_currency("Job", self.currency)
        if not isinstance(self.skills, tuple):
            object.__setattr__(self, "skills", tuple(self.skills))

    @property
    def salary_ceiling(self) -> float | None:
        """Highest salary the posting offers: ``salary_max``, else ``salary_min``, else None."""
        if self.salary_max is not None:
            return self.salary_max
        return self.salary_min


@dataclass(frozen=True, slots=True)
class Resume:
    """A candidate's résumé."""

    id: int
    title: str
    text: str = ""
    skills: tuple[str, ...] = field(default_factory=tuple)
    experience_years: float | None = None
    location: str | None = None
    desired_salary: float | None = None
    currency: str | None = None

    def __post_init__(self) -> None:
        for name in ("experience_years", "desired_salary"):
            _check_amount("Resume", name, getattr(self, name))
        _check_currency("Resume", self.currency)
        if not isinstance(self.skills, tuple):
            object.__setattr__(self, "skills", tuple(self.skills))
