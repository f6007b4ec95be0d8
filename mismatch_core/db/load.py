"""Transactional bulk load of data frames through SQLAlchemy Core, batch by batch.

Each batch is validated against the table's columns (required values, types, string
lengths, duplicate keys, references to rows loaded earlier in the same call), then
inserted with one ``executemany``. The whole load is one transaction, so a bad row
raises ``LoadError`` with its table, row number and field, and nothing is committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError

from mismatch_core.db.models import Base

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 10_000

LOAD_ORDER = (
    "companies", "skills", "jobs", "resumes", "job_skills", "resume_skills", "match_results"
)
"""Tables in an order where every referenced row is loaded before the rows that use it."""


class LoadError(ValueError):
    """A row that the load rejected. The transaction was rolled back."""

    def __init__(
        self, table: str, row: int | None, field: str | None, value: object, reason: str,
        batch: tuple[int, int],
    ) -> None:
        self.table = table
        self.row = row
        self.field = field
        self.value = _plain(value)
        self.reason = reason
        self.batch = batch
        rows = f"rows {batch[0]}-{batch[1] - 1}"
        column = f", field {field!r}" if field is not None else ""
        if row is None:
            advice = ("Fix the field and load again." if field is not None else
                      "Check these rows against the rows already stored, then load again.")
            message = (
                f"{table} {rows}{column}: {reason}. Nothing was committed. {advice}"
            )
        else:
            message = (
                f"{table} row {row}{column}: {reason}; value {self.value!r}. The batch of "
                f"{rows} was rejected and nothing committed. Row numbers count from 0 in "
                "the input frame. Fix the row and load again."
            )
        super().__init__(message)


@dataclass
class LoadReport:
    """Rows inserted per table and the seconds each table took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    commit_seconds: float = 0.0
    batches: int = 0

    def rows_per_second(self, table: str) -> float:
        """Return the insert throughput of ``table`` in rows per second, commit excluded."""
        return self.rows[table] / self.seconds[table]

    @property
    def total_rows(self) -> int:
        """Rows inserted over every table."""
        return sum(self.rows.values())

    @property
    def total_seconds(self) -> float:
        """Seconds of the whole load: every table's inserts and the commit."""
        return sum(self.seconds.values()) + self.commit_seconds


def _check_batch_size(batch_size: int) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return batch_size


def _first(mask: np.ndarray) -> int | None:
    positions = np.flatnonzero(mask)
    return int(positions[0]) if positions.size else None


def _type_problems(column, values: pd.Series) -> tuple[np.ndarray, str]:
    """Return a mask of present values of the wrong type or size, and the reason."""
    present = values.notna().to_numpy()
    kind = column.type
    if isinstance(kind, Boolean):
        if pd.api.types.is_bool_dtype(values.dtype):
            return np.zeros(len(values), dtype=bool), ""
        bad = ~values.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
        return bad & present, "expected a bool"
    if isinstance(kind, Integer):
        if pd.api.types.is_integer_dtype(values.dtype):
            return np.zeros(len(values), dtype=bool), ""
        numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(numeric) | (numeric != np.round(numeric))
        return bad & present, "expected an integer"
    if isinstance(kind, Float):
        if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
            numeric = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        return (np.isnan(numeric) | np.isinf(numeric)) & present, "expected a finite number"
    if isinstance(kind, DateTime):
        if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
            values.dtype
        ):
            return np.zeros(len(values), dtype=bool), ""
        bad = ~values.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64)).to_numpy(bool)
        return bad & present, "expected a datetime"
    if isinstance(kind, String):
        if isinstance(values.dtype, pd.StringDtype):
            is_text = np.ones(len(values), dtype=bool)
        else:
            is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if kind.length is not None:
            too_long = values.str.len().fillna(0).to_numpy() > kind.length
            bad = (~is_text | too_long) & present
            return bad, f"expected text of at most {kind.length} characters"
        return ~is_text & present, "expected text"
    return np.zeros(len(values), dtype=bool), ""


@dataclass
class _TableLoader:
    table: Table
    references: Mapping[str, np.ndarray]  # column -> ids loaded for the referenced table
    first_duplicate: int | None  # first row whose primary key an earlier row has

    def validate(
        self, frame: pd.DataFrame, start: int, stop: int, connection: Connection | None = None
    ) -> None:
        """Raise ``LoadError`` for the first bad row of rows ``start:stop``.

        A reference that is not among the ids loaded in this call is looked up in the
        database through ``connection``, because it may point to a row stored earlier.
        """
        name = self.table.name
        batch = frame.iloc[start:stop]
        # The insert sends only the frame's columns, so Python-side defaults do not apply.
        missing = [c.name for c in self.table.columns
                   if c.name not in frame.columns and not c.nullable]
        if missing:
            raise LoadError(name, None, missing[0], None, "required column missing", (start, stop))

        problems: list[tuple[int, str, str]] = []  # (row, field, reason)
        for column in self.table.columns:
            if column.name not in batch.columns:
                continue
            values = batch[column.name]
            if not column.nullable:
                row = _first(values.isna().to_numpy())
                if row is not None:
                    problems.append((row, column.name, "required value missing"))
            bad, reason = _type_problems(column, values)
            row = _first(bad)
            if row is not None:
                problems.append((row, column.name, reason))
            if column.name in self.references:
                known = self.references[column.name]
                unknown = ~np.isin(values.to_numpy(), known) & values.notna().to_numpy()
                if unknown.any() and connection is not None:
                    key = next(iter(column.foreign_keys))
                    stored = _stored_values(connection, key.column, values[unknown].unique())
                    unknown &= ~values.isin(stored).to_numpy()
                row = _first(unknown)
                if row is not None:
                    target = next(iter(column.foreign_keys)).target_fullname
                    problems.append((row, column.name, f"no {target} with this id"))

        if self.first_duplicate is not None and start <= self.first_duplicate < stop:
            keys = [c.name for c in self.table.primary_key.columns]
            key = tuple(_plain(v) for v in batch.iloc[self.first_duplicate - start][keys])
            problems.append((self.first_duplicate - start, keys[-1],
                             f"duplicate primary key {key} of an earlier row"))

        if problems:
            row, column, reason = min(problems)
            value = batch.iloc[row][column] if column in batch.columns else None
            raise LoadError(name, start + row, column, value, reason, (start, stop))

    def parameters(self, frame: pd.DataFrame, start: int, stop: int, connection: Connection,
                   names: list[str]) -> list[tuple]:
        """Return the batch as executemany rows in ``names`` order, bound for the dialect.

        Each column goes through the bind processor that SQLAlchemy would apply, such as
        SQLite's datetime-to-text conversion, and missing values become None.
        """
        dialect = connection.dialect
        batch = frame.iloc[start:stop]
        columns = []
        for name in names:
            if name not in batch.columns:
                columns.append([None] * len(batch))
                continue
            columns.append(_bound_values(batch[name], self.table.columns[name], dialect))
        return list(zip(*columns, strict=True))


def _sqlite_datetimes(values: pd.Series) -> list:
    """Format datetimes as SQLAlchemy's SQLite DATETIME does, in UTC, vectorized."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    stamps = values.to_numpy(dtype="datetime64[us]")
    text = np.datetime_as_string(stamps, unit="us")
    formatted = np.char.replace(text, "T", " ").tolist()
    missing = np.isnat(stamps)
    if missing.any():
        formatted = [None if gap else value for value, gap in zip(formatted, missing, strict=True)]
    return formatted


def _bound_values(values: pd.Series, column, dialect) -> list:
    """Return a column's values as the DB-API driver takes them, missing values as None."""
    datetime_dtype = isinstance(values.dtype, pd.DatetimeTZDtype) or (
        pd.api.types.is_datetime64_dtype(values.dtype)
    )
    if datetime_dtype and dialect.name == "sqlite" and isinstance(column.type, DateTime):
        # The same text SQLAlchemy's per-value processor writes, about 10 times faster.
        return _sqlite_datetimes(values)

    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        # Two possible values: process each once and pick per row.
        choices = [False, True] if process is None else [process(False), process(True)]
        return np.asarray(choices, dtype=object)[values.to_numpy(dtype=np.intp)].tolist()
    if pd.api.types.is_integer_dtype(values.dtype):
        result = values.tolist()
    else:
        result = values.to_numpy(dtype=object, na_value=None).tolist()
    if process is not None:
        result = [process(value) for value in result]
    return result


def load_frames(
    engine: Engine,
    frames: Mapping[str, pd.DataFrame],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    clock: Callable[[], float] = time.perf_counter,
) -> LoadReport:
    """Insert every frame into the table of the same name in one transaction.

    Frames are loaded in ``LOAD_ORDER``. A reference to a table loaded earlier in this
    call, or to a row stored earlier, is checked row by row before each insert. When the
    database still rejects a batch (a key it already contains, a foreign key, a trigger),
    the transaction is rolled back and the load looks up the batch's keys and references
    to name the first bad row.
    """
    batch_size = _check_batch_size(batch_size)
    unknown = sorted(set(frames) - set(LOAD_ORDER))
    if unknown:
        raise ValueError(f"no table for frames {unknown}; tables are {list(LOAD_ORDER)}")

    report = LoadReport()
    loaded_ids: dict[str, np.ndarray] = {}
    try:
        _load_all(engine, frames, batch_size, clock, report, loaded_ids)
    except _BatchRejected as rejected:
        # The transaction is rolled back, so the database is as it was before the load,
        # and the rows of this call that it references are in ``loaded_ids``.
        error = _explain_rejection(engine, rejected, loaded_ids)
        logger.error("rejected load into %s: %s", rejected.table.name, error)
        raise error from rejected.error
    return report


def _load_all(
    engine: Engine, frames: Mapping[str, pd.DataFrame], batch_size: int,
    clock: Callable[[], float], report: LoadReport, loaded_ids: dict[str, np.ndarray],
) -> None:
    with engine.connect() as connection, connection.begin() as transaction:
        for name in LOAD_ORDER:
            if name not in frames:
                continue
            frame = frames[name].reset_index(drop=True)
            table = Base.metadata.tables[name]
            references = {}
            for column in table.columns:
                for key in column.foreign_keys:
                    if key.column.table.name in loaded_ids:
                        references[column.name] = loaded_ids[key.column.table.name]
            keys = [column.name for column in table.primary_key.columns]
            duplicated = frame.duplicated(subset=keys).to_numpy() if set(keys) <= set(
                frame.columns) else np.zeros(len(frame), dtype=bool)
            loader = _TableLoader(table, references, _first(duplicated))
            started = clock()
            report.batches += _insert_frame(connection, loader, frame, batch_size)
            report.seconds[name] = clock() - started
            report.rows[name] = len(frame)
            if "id" in frame.columns:
                loaded_ids[name] = frame["id"].to_numpy()
            logger.info("loaded %d rows into %s in %.2f s", len(frame), name,
                        report.seconds[name])
        started = clock()
        transaction.commit()
        report.commit_seconds = clock() - started


class _BatchRejected(Exception):
    """The database rejected a batch. ``load_frames`` explains it after the rollback."""

    def __init__(self, table: Table, batch: pd.DataFrame, start: int, error: DBAPIError) -> None:
        super().__init__(str(error.orig))
        self.table = table
        self.batch = batch
        self.start = start
        self.error = error


def _stored_values(connection: Connection, column, values) -> set:
    """Return those of ``values`` that are stored in ``column``."""
    values = list(values)
    found: set = set()
    # Chunks stay below 999 bound parameters, SQLite's limit before version 3.32.
    for chunk in range(0, len(values), 900):
        requested = [_plain(value) for value in values[chunk : chunk + 900]]
        found.update(connection.execute(select(column).where(column.in_(requested))).scalars())
    return found


def _plain(value: object) -> object:
    """Return a NumPy scalar as the Python value that drivers and messages expect."""
    return value.item() if isinstance(value, np.generic) else value


def _explain_rejection(
    engine: Engine, rejected: _BatchRejected, loaded_ids: Mapping[str, np.ndarray]
) -> LoadError:
    """Return a ``LoadError`` naming the first row of the batch that the database refused.

    It looks for a key value that is already stored and for a reference to a row that is
    neither stored nor loaded in this call. Checks before the insert already rejected
    duplicates within the frame and references to this load's own rows.
    """
    table, batch, start = rejected.table, rejected.batch, rejected.start
    span = (start, start + len(batch))
    reason = f"the database rejected the batch ({_first_line(rejected.error.orig)})"
    problems: list[tuple[int, str, object, str]] = []
    try:
        with engine.connect() as connection:
            problems += _stored_keys(connection, table, batch)
            problems += _missing_parents(connection, table, batch, loaded_ids)
    except DBAPIError as error:
        logger.warning("could not look up the rows behind the rejection: %s", error.orig)
    if not problems:
        return LoadError(table.name, None, None, None, reason, span)
    row, field, value, found = min(problems, key=lambda problem: problem[0])
    return LoadError(table.name, start + row, field, value, f"{found}; {reason}", span)


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _stored_keys(
    connection: Connection, table: Table, batch: pd.DataFrame
) -> list[tuple[int, str, object, str]]:
    """Return (row, field, value, reason) of the first stored key value per key column.

    Key columns are the primary key when it has one column, and unique columns.
    """
    keys = [column for column in table.columns
            if column.unique or (column.primary_key and len(table.primary_key.columns) == 1)]
    problems = []
    for column in keys:
        if column.name not in batch.columns:
            continue
        values = batch[column.name]
        stored = _stored_values(connection, column, values.dropna().unique())
        row = _first(values.isin(stored).to_numpy())
        if row is not None:
            value = _plain(values.iloc[row])
            reason = f"a {table.name} row with {column.name} {value!r} is already stored"
            problems.append((row, column.name, value, reason))
    return problems


def _missing_parents(
    connection: Connection, table: Table, batch: pd.DataFrame,
    loaded_ids: Mapping[str, np.ndarray],
) -> list[tuple[int, str, object, str]]:
    """Return (row, field, value, reason) of the first dangling reference per foreign key.

    A reference dangles when its row is neither stored nor loaded in this call.
    """
    problems = []
    for key in table.foreign_keys:
        name = key.parent.name
        if name not in batch.columns:
            continue
        values = batch[name]
        known = set(loaded_ids.get(key.column.table.name, np.empty(0)).tolist())
        known |= _stored_values(connection, key.column, values.dropna().unique())
        row = _first(values.notna().to_numpy() & ~values.isin(known).to_numpy())
        if row is not None:
            problems.append((row, name, _plain(values.iloc[row]),
                             f"no {key.target_fullname} with this id"))
    return problems


def _compiled_insert(connection: Connection, table: Table, frame: pd.DataFrame):
    """Compile ``INSERT INTO table`` for the frame's columns; return SQL and parameter order."""
    names = [c.name for c in table.columns if c.name in frame.columns]
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=names)
    order = list(compiled.positiontup) if compiled.positiontup else names
    return compiled.string, order


# NOTE: on PostgreSQL this path sends executemany through psycopg and reaches tens of
# thousands of rows per second; COPY would be several times faster but is not used yet.
def _insert_frame(
    connection: Connection, loader: _TableLoader, frame: pd.DataFrame, batch_size: int
) -> int:
    sql, names = _compiled_insert(connection, loader.table, frame)
    positional = connection.dialect.positional
    batches = 0
    for start in range(0, len(frame), batch_size):
        stop = min(start + batch_size, len(frame))
        try:
            loader.validate(frame, start, stop, connection)
            rows = loader.parameters(frame, start, stop, connection, names)
            if not positional:
                rows = [dict(zip(names, row, strict=True)) for row in rows]
            # One executemany per batch, through the Core connection and its transaction.
            connection.exec_driver_sql(sql, rows)
        except LoadError as error:
            logger.error("rejected load into %s: %s", loader.table.name, error)
            raise
        except DBAPIError as error:
            raise _BatchRejected(loader.table, frame.iloc[start:stop], start, error) from error
        batches += 1
    return batches
