"""Loaders for the real input files: hh.ru vacancy exports, English résumés, O*NET and ESCO.

Every loader takes a path, reads the file as UTF-8, checks its header and validates each
record. A record that fails validation becomes a ``RowError`` naming the file, the line
where the record starts, the field and the raw value. With ``on_error="raise"`` a loader
reads the whole file first and then raises one ``DataLoadError`` listing every error, so
it never returns part of a file. With ``on_error="skip"`` it returns the valid records,
keeps the errors in ``LoadResult.errors`` and logs a warning. A missing file, a wrong
header or bytes that are not UTF-8 raise in both modes, because nothing can be read.
"""

from __future__ import annotations

import ast
import csv
import io
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, TypeVar

import ftfy

from mismatch_core.model import KNOWN_CURRENCIES, Job, Resume
from mismatch_core.skills import SkillVocabulary
from mismatch_core.text import normalize_text

__all__ = [
    "DataLoadError",
    "LoadResult",
    "OnError",
    "RowError",
    "extend_vocabulary",
    "load_esco_labels",
    "load_hh_data_vacancies",
    "load_hh_it_vacancies",
    "load_onet_skills",
    "load_real_jobs",
    "load_resumes_csv",
    "parse_currency",
    "parse_experience_band",
    "parse_stated_experience",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

OnError = Literal["raise", "skip"]
ON_ERROR_VALUES: tuple[str, ...] = ("raise", "skip")
PathArg = str | os.PathLike[str]

HH_IT_FILE = "hh_it_vacancies.csv"
HH_DATA_FILE = "hh_data_vacancies.tsv"
HH_IT_COLUMNS = ("id", "name", "key_skills", "work_format_name", "experience", "specialization_id")
HH_DATA_COLUMNS = (
    "vacancy_id",
    "name",
    "tags",
    "experience",
    "lower_salary",
    "upper_salary",
    "currency",
)
RESUME_COLUMNS = ("Category", "Resume")
ONET_COLUMNS = (
    "O*NET-SOC Code",
    "Example",
    "Commodity Code",
    "Commodity Title",
    "Hot Technology",
    "In Demand",
)

# Vocabulary categories given to the labels that extend_vocabulary adds.
ONET_CATEGORY = "tool"
ESCO_CATEGORY = "skill"

# Maximum number of errors listed in a DataLoadError message. Further errors are only counted.
MAX_ERRORS_IN_MESSAGE = 20

# Maximum number of characters of a raw value quoted in an error message.
_MAX_VALUE_CHARS = 60


# ---------------------------------------------------------------------------
# Errors and results
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """One invalid record: where it starts, which field failed, the raw value and why.

    ``line`` is the physical line where the record starts (1-based, the header is
    line 1). ``field`` is the column name, or None when the record as a whole is
    invalid (wrong number of fields, malformed quoting, an invalid header).
    """

    path: Path
    line: int
    field: str | None
    value: str
    message: str

    def __str__(self) -> str:
        location = f"{self.path.name}, line {self.line}"
        if self.field is not None:
            location += f", field {self.field!r}"
        return f"{location}: {self.message}"


class DataLoadError(ValueError):
    """Failure to load a file or folder, with every problem found in ``errors``."""

    def __init__(self, path: Path, errors: Sequence[RowError], hint: str = "") -> None:
        self.path = path
        self.errors = list(errors)
        self.hint = hint
        super().__init__(_describe_errors(path, self.errors, hint))

    def __reduce__(self) -> tuple[type[DataLoadError], tuple[Path, list[RowError], str]]:
        # Pickle with the constructor arguments, so the error can cross process boundaries.
        return (type(self), (self.path, self.errors, self.hint))


def _describe_errors(path: Path, errors: Sequence[RowError], hint: str) -> str:
    noun = "error" if len(errors) == 1 else "errors"
    lines = [f"cannot load {path}: {len(errors)} {noun}"]
    lines.extend(f"  {error}" for error in errors[:MAX_ERRORS_IN_MESSAGE])
    if len(errors) > MAX_ERRORS_IN_MESSAGE:
        lines.append(f"  ... and {len(errors) - MAX_ERRORS_IN_MESSAGE} more")
    if hint:
        lines.append(hint)
    return "\n".join(lines)


@dataclass
class LoadResult(Generic[T]):
    """The records loaded from one file or folder, and the errors of the rejected ones.

    ``rows_read`` counts data records, valid or not, without the header and blank
    lines. ``duplicates`` counts loaded records that repeat an earlier record's
    content and were kept (only ``load_resumes_csv`` sets it).
    """

    items: list[T]
    errors: list[RowError]
    rows_read: int
    path: Path
    duplicates: int = 0

    @property
    def rejected(self) -> int:
        """Number of records read but not loaded."""
        return self.rows_read - len(self.items)

    def summary(self, max_errors: int = 5) -> str:
        """Describe the load in a few lines: counts, errors per field and the first errors."""
        text = f"{self.path.name}: loaded {len(self.items)} of {self.rows_read} records"
        if self.rejected:
            text += f", rejected {self.rejected}"
        lines = [text]

        if self.duplicates:
            lines.append(
                f"kept {self.duplicates} duplicate records (same content as an earlier record)"
            )

        if self.errors:
            per_field = Counter(error.field or "(record)" for error in self.errors)
            counts = ", ".join(f"{name} {count}" for name, count in per_field.most_common())
            lines.append(f"errors by field: {counts}")
            lines.append("first errors:")
            lines.extend(f"  {error}" for error in self.errors[:max_errors])
        return "\n".join(lines)


def _check_on_error(on_error: str) -> None:
    if on_error not in ON_ERROR_VALUES:
        raise ValueError(
            f"invalid on_error {on_error!r}; use one of {', '.join(map(repr, ON_ERROR_VALUES))}"
        )


def _finish(result: LoadResult[T], on_error: str) -> LoadResult[T]:
    """Raise for ``on_error="raise"`` when there are errors, else log the outcome."""
    if result.errors and on_error == "raise":
        raise DataLoadError(
            result.path,
            result.errors,
            hint="Fix these records, or pass on_error='skip' to load only the valid ones.",
        )

    if result.errors:
        logger.warning("%s", result.summary())
    else:
        logger.info("loaded %d records from %s", len(result.items), result.path)
    return result


def _quote(value: str) -> str:
    """Quote a raw value for an error message, shortened when long."""
    if len(value) > _MAX_VALUE_CHARS:
        value = value[: _MAX_VALUE_CHARS - 3] + "..."
    return f'"{value}"'


# ---------------------------------------------------------------------------
# Reading delimited files
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    number: int
    values: dict[str, str]


def _read_text(path: Path) -> str:
    """Read a whole file as UTF-8 (a byte order mark is dropped)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: file not found; check the path") from None

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Decoding the whole file at once gives the byte offset, hence the exact line.
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.end]
        error = RowError(
            path,
            line,
            None,
            bad.hex(" "),
            f"invalid UTF-8 byte sequence {bad!r} ({exc.reason}); re-save the file as UTF-8",
        )
        raise DataLoadError(path, [error]) from None


def _delimiter_name(delimiter: str) -> str:
    return "tabs" if delimiter == "\t" else f"{delimiter!r}"


def _check_header(
    path: Path, header: list[str] | None, columns: Sequence[str], delimiter: str
) -> list[str]:
    """Return the stripped header, or raise DataLoadError naming the expected columns."""
    expected = f"expected the columns {', '.join(columns)} separated by {_delimiter_name(delimiter)}"
    if header is None:
        error = RowError(path, 1, None, "", f"file is empty; {expected}")
        raise DataLoadError(path, [error])

    names = [name.strip() for name in header]
    missing = [name for name in columns if name not in names]
    if missing:
        error = RowError(
            path,
            1,
            None,
            delimiter.join(header),
            f"invalid header, missing the columns {', '.join(missing)}; {expected}",
        )
        raise DataLoadError(path, [error])
    return names


def _span(start: int, end: int) -> str:
    """Name the lines a rejected record covers when it runs past its first line."""
    if end <= start:
        return ""
    swallowed = f"line {end}" if end == start + 1 else f"lines {start + 1}-{end}"
    return (
        f"; the record runs from line {start} to line {end}, so any record on {swallowed} "
        "was read as part of it and is not loaded"
    )


def _read_table(
    path: Path, columns: Sequence[str], delimiter: str
) -> Iterator[_Record | RowError]:
    """Yield each record of a delimited file, or a RowError for a record that cannot be split.

    Quoted fields may span lines. A record's ``line`` is the line where it starts,
    because ``csv.reader.line_num`` gives the line where it ends. Blank lines are
    skipped and do not count as records.
    """
    text = _read_text(path)
    # The same physical lines the reader consumes, to look at a record's raw text.
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = _check_header(path, next(reader, None), columns, delimiter)
    positions = {name: header.index(name) for name in columns}

    number = 0
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The strict reader resumes on the next line, so later records still load.
            number += 1
            previous_end = reader.line_num
            yield RowError(
                path,
                start,
                None,
                "",
                f"malformed quoting ({exc}){_span(start, previous_end)}; a field that contains "
                f"quotes or {_delimiter_name(delimiter)} must be quoted, with inner quotes doubled",
            )
            continue

        previous_end = reader.line_num
        if not row:
            continue

        number += 1
        if len(row) != len(header):
            yield RowError(
                path,
                start,
                None,
                delimiter.join(row),
                f"expected {len(header)} fields, found {len(row)}{_span(start, previous_end)}; "
                f"check for an unquoted {_delimiter_name(delimiter)}, a missing field or an "
                "unclosed quote",
            )
            continue
        stray = _stray_quote(row, "".join(lines[start - 1 : previous_end]))
        if stray is not None:
            yield RowError(
                path,
                start,
                header[stray],
                row[stray],
                f"quote inside an unquoted field{_span(start, previous_end)}; if this field "
                "was meant to continue on the next lines, those lines were read as records "
                "of their own, so check them too. Put the whole field in quotes and double "
                "each quote inside it",
            )
            continue
        yield _Record(start, number, {name: row[index] for name, index in positions.items()})


def _stray_quote(row: list[str], raw: str) -> int | None:
    """Return the position of the first field with a quote that the raw text never quoted.

    A quoted field writes each inner quote twice (RFC 4180), so a field value whose
    quotes are not doubled somewhere in the record's raw text came from an unquoted
    field. Python's reader keeps such quotes as text, which hides broken quoting: the
    rest of a multi-line field then reads as records of its own.

    NOTE: the check searches the whole record, so a stray quote goes unnoticed when
    another field of the same record contains the same text correctly quoted.
    """
    for position, value in enumerate(row):
        if '"' in value and value.replace('"', '""') not in raw:
            return position
    return None


class _FieldParser:
    """Parser of one record's fields that collects every field error instead of stopping."""

    def __init__(self, path: Path, record: _Record) -> None:
        self.path = path
        self.record = record
        self.errors: list[RowError] = []

    def parse(self, name: str, parse: Callable[[str], V]) -> V | None:
        """Return the parsed field, or None after recording the parser's error as a RowError."""
        raw = self.record.values[name]
        try:
            return parse(raw)
        except (TypeError, ValueError) as exc:
            self.add_error(name, str(exc))
            return None

    def add_error(self, name: str | None, message: str) -> None:
        raw = self.record.values.get(name, "") if name is not None else ""
        self.errors.append(RowError(self.path, self.record.line, name, raw, message))

    def failed(self, name: str) -> bool:
        return any(error.field == name for error in self.errors)

    def build(
        self, factory: Callable[..., V], columns_of: Mapping[str, str], **arguments: object
    ) -> V | None:
        """Call a model constructor, turning its validation error into a RowError.

        ``columns_of`` maps model attribute names to file columns. The error goes to the
        column whose attribute the model's message names first, else to the record.
        """
        try:
            return factory(**arguments)
        except (TypeError, ValueError) as exc:
            message = str(exc)
            named = [(message.find(attr), column) for attr, column in columns_of.items()]
            found = sorted((position, column) for position, column in named if position >= 0)
            column = found[0][1] if found else None
            self.add_error(column, f"rejected by the model: {message}")
            return None


# ---------------------------------------------------------------------------
# Field parsers
# ---------------------------------------------------------------------------

_ID_RE = re.compile(r"[0-9]+")
_AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_AMOUNT_SEPARATORS = str.maketrans("", "", " \u00a0\u2009\u202f")

_EXPERIENCE_PREFIX = "требуемый опыт работы:"

# Minimum years of each experience band, keyed by the band's normalized spelling.
# hh_it_vacancies.csv writes "от 1 года до 3 лет", hh_data_vacancies.tsv "1-3 года".
_EXPERIENCE_BANDS: dict[str, float] = {
    "нет опыта": 0.0,
    "не требуется": 0.0,
    "от 1 года до 3 лет": 1.0,
    "1-3 года": 1.0,
    "от 3 до 6 лет": 3.0,
    "3-6 лет": 3.0,
    "более 6 лет": 6.0,
}

# Currency spellings other than ISO 4217 codes, casefolded. RUR is the pre-1998 rouble code.
_CURRENCY_ALIASES: dict[str, str] = {
    "₽": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "rur": "RUB",
    "$": "USD",
    "€": "EUR",
}

# Work formats of hh_it_vacancies.csv, normalized. Only fully remote work counts as
# remote: a hybrid job needs the candidate near the office, so "Гибрид" is not remote.
_WORK_FORMATS: dict[str, bool] = {
    "": False,
    "удаленно": True,
    "на месте работодателя": False,
    "гибрид": False,
    "разъездной": False,
}


def _parse_id(value: str) -> int:
    text = value.strip()
    if not text:
        raise ValueError("missing id; a job needs an id, so fill it in or remove the record")
    if not _ID_RE.fullmatch(text) or int(text) == 0:
        raise ValueError(
            f"invalid id {_quote(value)}; expected a positive integer such as 120058839"
        )
    return int(text)


def _parse_title(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("missing job title; fill it in or remove the record")
    return text


def _parse_required_text(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("empty field; fill it in or remove the record")
    return text


def _parse_amount(value: str) -> float | None:
    text = value.strip().translate(_AMOUNT_SEPARATORS)
    if not text:
        return None
    if not _AMOUNT_RE.fullmatch(text):
        raise ValueError(
            f"invalid salary {_quote(value)}; expected a number such as 150000, or an empty field"
        )
    return float(text)


def _parse_key_skills(value: str) -> tuple[str, ...]:
    return tuple(skill.strip() for skill in value.split(",") if skill.strip())


def _parse_tags(value: str) -> tuple[str, ...]:
    """Parse a Python list literal of strings such as ``['Python', 'SQL']``."""
    text = value.strip()
    if not text:
        return ()

    try:
        # literal_eval evaluates literals only, never names or calls.
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(
            f"invalid list literal {_quote(value)}; fix the quoting or leave the field empty"
        ) from None

    if not isinstance(parsed, list):
        raise TypeError(
            f"expected a list of strings such as ['Python', 'SQL'], "
            f"got a {type(parsed).__name__}: {_quote(value)}"
        )
    for position, tag in enumerate(parsed):
        if not isinstance(tag, str):
            raise TypeError(
                f"item {position} of the tag list is a {type(tag).__name__} ({tag!r}), "
                "not a string; quote it"
            )
    return tuple(tag.strip() for tag in parsed if tag.strip())


def _parse_work_format(value: str) -> bool:
    remote = _WORK_FORMATS.get(normalize_text(value))
    if remote is None:
        raise ValueError(
            f"unknown work format {_quote(value)}; expected Удалённо, На месте работодателя, "
            "Гибрид, Разъездной or an empty field"
        )
    return remote


def parse_experience_band(value: str) -> float | None:
    """Return the minimum years of an hh.ru experience band, or None for an empty field.

    Accepts the spellings of both vacancy files, for example ``Нет опыта`` and
    ``Требуемый опыт работы: не требуется`` (0), ``От 1 года до 3 лет`` and
    ``1–3 года`` (1), ``От 3 до 6 лет`` and ``3-6 лет`` (3), ``Более 6 лет`` (6).
    Case, ``ё`` and the dash variant do not matter. Raises ValueError on any other text.
    """
    text = normalize_text(value)
    if text.startswith(_EXPERIENCE_PREFIX):
        text = text[len(_EXPERIENCE_PREFIX) :].strip()
    text = re.sub(r"\s*-\s*", "-", text)
    if not text:
        return None

    years = _EXPERIENCE_BANDS.get(text)
    if years is None:
        raise ValueError(
            f"unknown experience band {_quote(value)}; expected Нет опыта, "
            "От 1 года до 3 лет, От 3 до 6 лет, Более 6 лет, не требуется, 1–3 года, "
            "3–6 лет, более 6 лет (optionally after 'Требуемый опыт работы:') or an empty field"
        )
    return years


def parse_currency(value: str) -> str | None:
    """Return the ISO 4217 code of a currency field, or None for an empty field.

    Accepts ``₽``, ``руб.`` and ``RUR`` (RUB), ``$`` (USD), ``€`` (EUR) and the codes in
    ``mismatch_core.model.KNOWN_CURRENCIES`` in any case. Raises ValueError otherwise.
    """
    text = value.strip()
    if not text:
        return None

    code = _CURRENCY_ALIASES.get(text.casefold())
    if code is None and text.upper() in KNOWN_CURRENCIES:
        code = text.upper()
    if code is None:
        raise ValueError(
            f"unknown currency {_quote(value)}; use ₽, $, €, руб. or an ISO 4217 code "
            f"({', '.join(sorted(KNOWN_CURRENCIES))})"
        )
    return code


# ---------------------------------------------------------------------------
# Experience stated in résumé text
# ---------------------------------------------------------------------------

# A number of years such as 5, 1.5 or 13+. Two digits at most, so years like 2014 never match.
_NUMBER = r"(?<![\d.])(\d{1,2}(?:\.\d{1,2})?)\s*\+?"
_UNIT = r"(years?|yrs?|months?)\b"
_EXPERIENCE_WORD = r"expe?rience"  # also matches the misspelling "Exprience"

# "5 years of experience", "13+ years of work experience", "4 YEARS EXPERIENCE".
_AMOUNT_THEN_EXPERIENCE = re.compile(
    rf"{_NUMBER}\s*{_UNIT}\s+(?:of\s+)?(?:(?:total|work|professional|industry|relevant|it)\s+)?"
    rf"{_EXPERIENCE_WORD}",
    re.IGNORECASE,
)

# "experience of 2 years", "Total Experience: 2 Years 7 Months", "Experience:- 1 Year 3 Months",
# "Python- Experience - 24 months". "Less than 1 year" does not match, so it is ignored.
_EXPERIENCE_THEN_AMOUNT = re.compile(
    rf"{_EXPERIENCE_WORD}\s*(?:of|:-|:|-)?\s*(?:over|around|about|more than)?\s*"
    rf"{_NUMBER}\s*{_UNIT}(?:\s*(\d{{1,2}})\s*months?\b)?",
    re.IGNORECASE,
)

# Larger values are ignored, because no career lasts that long.
_MAX_STATED_YEARS = 50.0


def _to_years(amount: str, unit: str) -> float:
    value = float(amount)
    return value / 12 if unit.lower().startswith("m") else value


def parse_stated_experience(text: str) -> float | None:
    """Return the years of experience a résumé states clearly, or None.

    Only explicit statements count: ``5 years of experience``, ``experience of 2 years``,
    ``Total Experience: 2 Years 7 Months``, and the per-skill lines ``Python- Experience -
    24 months`` (2.0) of the résumé export. The result is the largest stated value,
    rounded to two decimals. Durations of projects or jobs ("Duration: 1 Year", "from
    last 5 years"), "Less than 1 year" and values above 50 years are ignored.
    """
    # NOTE: the patterns do not check whose experience a sentence describes, so "a team
    # with over 20 years of experience" in a résumé yields 20.0.
    candidates: list[float] = []
    for match in _AMOUNT_THEN_EXPERIENCE.finditer(text):
        candidates.append(_to_years(match.group(1), match.group(2)))
    for match in _EXPERIENCE_THEN_AMOUNT.finditer(text):
        years = _to_years(match.group(1), match.group(2))
        if match.group(3) and not match.group(2).lower().startswith("m"):
            years += int(match.group(3)) / 12
        candidates.append(years)

    plausible = [years for years in candidates if 0 < years <= _MAX_STATED_YEARS]
    if not plausible:
        return None
    return round(max(plausible), 2)


# ---------------------------------------------------------------------------
# Vacancy loaders
# ---------------------------------------------------------------------------


@dataclass
class _JobTable:
    """Jobs of one vacancy file with the start line of each, for the cross-file id check."""

    result: LoadResult[Job]
    lines: list[int]
    id_column: str


def _accept_job(
    table: _JobTable, fields: _FieldParser, job: Job | None, first_line_of: dict[int, int]
) -> None:
    """Add a valid job to the table, or its errors when it is invalid or its id is taken."""
    if job is not None and job.id in first_line_of:
        fields.add_error(
            table.id_column,
            f"duplicate id {job.id}, already used on line {first_line_of[job.id]}; "
            "ids must be unique, so remove or renumber one of the records",
        )
    if fields.errors:
        table.result.errors.extend(fields.errors)
        return

    assert job is not None  # no errors means the constructor succeeded
    first_line_of[job.id] = fields.record.line
    table.result.items.append(job)
    table.lines.append(fields.record.line)


def _read_jobs(
    path: Path, columns: Sequence[str], delimiter: str, id_column: str,
    parse: Callable[[_FieldParser], Job | None],
) -> _JobTable:
    """Read a vacancy file: ``parse`` turns one record's fields into a Job, or None on errors."""
    table = _JobTable(LoadResult([], [], 0, path), [], id_column)
    first_line_of: dict[int, int] = {}
    for entry in _read_table(path, columns, delimiter):
        table.result.rows_read += 1
        if isinstance(entry, RowError):
            table.result.errors.append(entry)
            continue
        fields = _FieldParser(path, entry)
        _accept_job(table, fields, parse(fields), first_line_of)
    return table


def _hh_it_job(fields: _FieldParser) -> Job | None:
    job_id = fields.parse("id", _parse_id)
    title = fields.parse("name", _parse_title)
    skills = fields.parse("key_skills", _parse_key_skills)
    remote = fields.parse("work_format_name", _parse_work_format)
    experience = fields.parse("experience", parse_experience_band)
    if fields.errors:
        return None
    return fields.build(
        Job,
        {"experience_years": "experience", "skills": "key_skills"},
        id=job_id,
        title=title,
        remote=bool(remote),
        experience_years=experience,
        skills=skills or (),
    )


def _read_hh_it(path: Path) -> _JobTable:
    return _read_jobs(path, HH_IT_COLUMNS, ",", "id", _hh_it_job)


def _parse_salary_fields(fields: _FieldParser) -> tuple[float | None, float | None, str | None]:
    low = fields.parse("lower_salary", _parse_amount)
    high = fields.parse("upper_salary", _parse_amount)
    currency = fields.parse("currency", parse_currency)

    has_salary = low is not None or high is not None
    if has_salary and currency is None and not fields.failed("currency"):
        values = fields.record.values
        salary_text = f"{values['lower_salary']}-{values['upper_salary']}".strip("-")
        fields.add_error(
            "currency",
            f"salary {salary_text} has no currency; fill in ₽, $, € or an ISO 4217 code, "
            "or clear both salary fields",
        )
    return low, high, currency


def _hh_data_job(fields: _FieldParser) -> Job | None:
    job_id = fields.parse("vacancy_id", _parse_id)
    title = fields.parse("name", _parse_title)
    skills = fields.parse("tags", _parse_tags)
    experience = fields.parse("experience", parse_experience_band)
    low, high, currency = _parse_salary_fields(fields)
    if fields.errors:
        return None
    return fields.build(
        Job,
        {
            "salary_min": "lower_salary",
            "salary_max": "upper_salary",
            "currency": "currency",
            "experience_years": "experience",
            "skills": "tags",
        },
        id=job_id,
        title=title,
        salary_min=low,
        salary_max=high,
        currency=currency,
        experience_years=experience,
        skills=skills or (),
    )


def _read_hh_data(path: Path) -> _JobTable:
    return _read_jobs(path, HH_DATA_COLUMNS, "\t", "vacancy_id", _hh_data_job)


def load_hh_it_vacancies(path: PathArg, *, on_error: OnError = "raise") -> LoadResult[Job]:
    """Load the IT vacancy CSV (``id,name,key_skills,work_format_name,experience,...``).

    ``key_skills`` is a comma-separated list. ``Удалённо`` sets ``remote``; the other
    work formats, including ``Гибрид``, and an empty field do not. The experience band
    becomes its minimum years. ``specialization_id`` is not loaded.
    """
    _check_on_error(on_error)
    return _finish(_read_hh_it(Path(path)).result, on_error)


def load_hh_data_vacancies(path: PathArg, *, on_error: OnError = "raise") -> LoadResult[Job]:
    """Load the data-jobs vacancy TSV (``vacancy_id, name, tags, experience, salaries, ...``).

    ``tags`` is a Python list literal of strings, read with ``ast.literal_eval``.
    Salaries may be one-sided or missing, but a salary needs a currency. A record with
    an empty ``vacancy_id`` is rejected, because a job needs an id.
    """
    _check_on_error(on_error)
    return _finish(_read_hh_data(Path(path)).result, on_error)


def load_real_jobs(data_dir: PathArg, *, on_error: OnError = "skip") -> LoadResult[Job]:
    """Load both vacancy files of ``data_dir`` as one list of jobs with unique ids.

    Both files hold hh.ru vacancy ids, so one id in both files names one posting. The
    record from ``hh_data_vacancies.tsv`` is then rejected as a duplicate, with a
    RowError that names the line in ``hh_it_vacancies.csv`` that keeps the id.
    """
    _check_on_error(on_error)
    folder = Path(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder}: folder not found; pass the folder holding {HH_IT_FILE} and "
            f"{HH_DATA_FILE}, such as mismatch_core.paths.shared_data_dir()"
        )

    combined: LoadResult[Job] = LoadResult([], [], 0, folder)
    first_seen: dict[int, tuple[Path, int]] = {}
    for table in (_read_hh_it(folder / HH_IT_FILE), _read_hh_data(folder / HH_DATA_FILE)):
        combined.rows_read += table.result.rows_read
        combined.errors.extend(table.result.errors)

        for job, line in zip(table.result.items, table.lines, strict=True):
            owner = first_seen.get(job.id)
            if owner is not None:
                combined.errors.append(
                    RowError(
                        table.result.path,
                        line,
                        table.id_column,
                        str(job.id),
                        f"id {job.id} is already used by {owner[0].name}, line {owner[1]}; "
                        "the earlier record is kept and this one is rejected",
                    )
                )
                continue
            first_seen[job.id] = (table.result.path, line)
            combined.items.append(job)
    return _finish(combined, on_error)


# ---------------------------------------------------------------------------
# Résumés
# ---------------------------------------------------------------------------


def load_resumes_csv(
    path: PathArg, *, on_error: OnError = "raise", fix_mojibake: bool = True
) -> LoadResult[Resume]:
    """Load a résumé CSV with the columns ``Category`` and ``Resume``.

    The id is the 1-based record number, so it stays stable when other records are
    rejected. The title is the category. With ``fix_mojibake`` the text goes through
    ``ftfy.fix_text`` (default settings), which repairs ``NaÃ¯ve`` to ``Naïve`` and turns
    CRLF into LF. Skills stay empty, because the matcher extracts them from the text.
    ``experience_years`` comes from ``parse_stated_experience``. Records whose text
    repeats an earlier one are kept and counted in ``duplicates``.
    """
    _check_on_error(on_error)
    source = Path(path)
    result: LoadResult[Resume] = LoadResult([], [], 0, source)

    # The public résumé set repeats most texts, so each distinct text is processed once.
    fixed_text: dict[str, str] = {}
    experience_of: dict[str, float | None] = {}
    for entry in _read_table(source, RESUME_COLUMNS, ","):
        result.rows_read += 1
        if isinstance(entry, RowError):
            result.errors.append(entry)
            continue

        fields = _FieldParser(source, entry)
        category = fields.parse("Category", _parse_required_text)
        raw_text = fields.parse("Resume", _parse_required_text)
        if fields.errors or category is None or raw_text is None:
            result.errors.extend(fields.errors)
            continue

        if raw_text in fixed_text:
            result.duplicates += 1
        else:
            text = ftfy.fix_text(raw_text) if fix_mojibake else raw_text
            fixed_text[raw_text] = text
            experience_of[raw_text] = parse_stated_experience(text)

        resume = fields.build(
            Resume,
            {},
            id=entry.number,
            title=category,
            text=fixed_text[raw_text],
            experience_years=experience_of[raw_text],
        )
        if resume is None:
            result.errors.extend(fields.errors)
            continue
        result.items.append(resume)
    return _finish(result, on_error)


# ---------------------------------------------------------------------------
# Skill label lists
# ---------------------------------------------------------------------------


def load_onet_skills(path: PathArg) -> list[str]:
    """Return the distinct tool names (column ``Example``) of an O*NET Technology Skills TSV.

    Names are stripped and kept in first-seen order. Raises DataLoadError listing every
    record with a wrong number of fields or an empty ``Example``.
    """
    source = Path(path)
    errors: list[RowError] = []
    names: dict[str, None] = {}
    for entry in _read_table(source, ONET_COLUMNS, "\t"):
        if isinstance(entry, RowError):
            errors.append(entry)
            continue

        name = entry.values["Example"].strip()
        if not name:
            errors.append(
                RowError(source, entry.line, "Example", "", "missing tool name; fill it in")
            )
            continue
        names.setdefault(name, None)

    if errors:
        raise DataLoadError(source, errors)
    logger.info("loaded %d distinct O*NET tools from %s", len(names), source)
    return list(names)


def load_esco_labels(path: PathArg) -> list[str]:
    """Return the distinct ESCO skill labels of a file with one label a line.

    Labels are stripped and kept in first-seen order, and blank lines are skipped.
    """
    source = Path(path)
    lines = io.StringIO(_read_text(source), newline=None)
    labels = dict.fromkeys(line.strip() for line in lines if line.strip())
    logger.info("loaded %d ESCO labels from %s", len(labels), source)
    return list(labels)


def extend_vocabulary(
    vocabulary: SkillVocabulary,
    onet_path: PathArg | None = None,
    esco_path: PathArg | None = None,
) -> int:
    """Add O*NET tool names and ESCO labels to ``vocabulary`` and return how many were added.

    O*NET tools get the category ``tool`` and the source ``onet``, ESCO labels the
    category ``skill`` and the source ``esco``. Labels that already name a skill are
    skipped, as ``SkillVocabulary.extend`` does.
    """
    if onet_path is None and esco_path is None:
        raise ValueError("pass onet_path, esco_path or both; there is nothing to add")

    added = 0
    if onet_path is not None:
        tools = load_onet_skills(onet_path)
        added += vocabulary.extend(tools, category=ONET_CATEGORY, source="onet")
    if esco_path is not None:
        labels = load_esco_labels(esco_path)
        added += vocabulary.extend(labels, category=ESCO_CATEGORY, source="esco")
    return added
