"""Query plans of SQLAlchemy statements on SQLite and PostgreSQL, parsed for checks.

``explain(connection, statement)`` runs the database's plan command on the statement
with its parameters bound by the driver, as the application would send them, never
rendered as literals:

- SQLite: ``EXPLAIN QUERY PLAN``. Its detail text changes between SQLite versions
  (``SCAN TABLE jobs`` before 3.36, ``SCAN jobs`` since), so it is matched by pattern.
- PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)``, which runs the query and
  reports actual rows and times per node.

The checks ``uses_index``, ``has_full_scan`` and ``has_sort`` read the parsed tree.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Select, event

logger = logging.getLogger(__name__)

SCAN = "scan"
"""A node that reads every row of a table or every entry of an index."""

SEARCH = "search"
"""A node that looks rows up through an index or the primary key."""

SORT = "sort"
"""A separate sort step (SQLite's temporary B-tree, PostgreSQL's Sort nodes)."""

OTHER = "other"

_SQLITE_SCAN = re.compile(
    r"^SCAN (?:TABLE )?(?P<table>\w+)(?: AS \w+)?"
    r"(?: USING (?P<covering>COVERING )?INDEX (?P<index>\w+))?"
)
_SQLITE_SEARCH = re.compile(
    r"^SEARCH (?:TABLE )?(?P<table>\w+)(?: AS \w+)? USING "
    r"(?:(?P<covering>COVERING )?INDEX (?P<index>\w+)|(?P<key>INTEGER PRIMARY KEY))"
    r"(?: \((?P<condition>.*)\))?"
)
_SQLITE_SORT = re.compile(r"^USE TEMP B-TREE FOR (?P<what>.+)$")

_PG_SCANS = {"Seq Scan": SCAN}
_PG_SEARCHES = {"Index Scan", "Index Only Scan", "Bitmap Index Scan", "Bitmap Heap Scan"}
_PG_SORTS = {"Sort", "Incremental Sort"}


@dataclass
class PlanNode:
    """One step of a query plan.

    ``rows`` and ``time_ms`` are PostgreSQL's actual rows (summed over loops) and
    actual total time of the node; SQLite's plan has neither, so they stay None.
    """

    kind: str
    detail: str
    table: str | None = None
    index: str | None = None
    covering: bool = False
    rows: float | None = None
    estimated_rows: float | None = None
    time_ms: float | None = None
    children: list[PlanNode] = field(default_factory=list)

    def walk(self) -> Iterator[PlanNode]:
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class QueryPlan:
    """A parsed query plan: the top-level nodes and the raw output of the database."""

    dialect: str
    nodes: list[PlanNode]
    raw: object
    execution_time_ms: float | None = None

    def walk(self) -> Iterator[PlanNode]:
        """Yield every node, depth first."""
        for node in self.nodes:
            yield from node.walk()

    def text(self) -> str:
        """Render the plan as an indented tree, one node per line."""
        lines: list[str] = []

        def render(node: PlanNode, depth: int) -> None:
            facts = []
            if node.rows is not None:
                facts.append(f"rows={node.rows:g}")
            if node.time_ms is not None:
                facts.append(f"time={node.time_ms:.3f} ms")
            suffix = f"  [{', '.join(facts)}]" if facts else ""
            lines.append(f"{'  ' * depth}{node.detail}{suffix}")
            for child in node.children:
                render(child, depth + 1)

        for node in self.nodes:
            render(node, 0)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def uses_index(plan: QueryPlan, name: str) -> bool:
    """Return whether any step of the plan reads the index ``name``."""
    return any(node.index == name for node in plan.walk())


def has_full_scan(plan: QueryPlan, table: str | None = None) -> bool:
    """Return whether the plan reads all of a table or of one of its indexes.

    ``table=None`` checks every table. A scan in index order counts too, such as SQLite's
    ``SCAN jobs USING INDEX idx_created_at``, because the plan does not show whether a
    LIMIT stops it after the first rows.
    """
    return any(
        node.kind == SCAN and (table is None or node.table == table) for node in plan.walk()
    )


def has_sort(plan: QueryPlan) -> bool:
    """Return whether the plan has a separate sort step."""
    return any(node.kind == SORT for node in plan.walk())


def indexes_used(plan: QueryPlan) -> list[str]:
    """Return the names of the indexes the plan reads, in plan order, without repeats."""
    names: list[str] = []
    for node in plan.walk():
        if node.index is not None and node.index not in names:
            names.append(node.index)
    return names


class PlanCheckError(AssertionError):
    """A query plan that failed a check; the message contains the plan."""


def check_plan(
    plan: QueryPlan,
    *,
    uses: str | None = None,
    no_full_scan_of: str | None = None,
    no_sort: bool = False,
) -> QueryPlan:
    """Raise ``PlanCheckError`` unless the plan passes every given check; return the plan."""
    failures = []
    if uses is not None and not uses_index(plan, uses):
        failures.append(f"does not use index {uses!r} (uses {indexes_used(plan)})")
    if no_full_scan_of is not None and has_full_scan(plan, no_full_scan_of):
        failures.append(f"scans the whole table {no_full_scan_of!r}")
    if no_sort and has_sort(plan):
        failures.append("has a separate sort step")
    if failures:
        raise PlanCheckError(f"query plan {'; '.join(failures)}:\n{plan.text()}")
    return plan


# Running the plan command


def _plan_prefix(dialect: str) -> str:
    if dialect == "sqlite":
        return "EXPLAIN QUERY PLAN "
    if dialect == "postgresql":
        return "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
    raise ValueError(f"query plans are supported on sqlite and postgresql, not {dialect!r}")


def explain(bind: Connection | Engine, statement: Select) -> QueryPlan:
    """Run the plan command for ``statement`` and return the parsed plan.

    The statement is compiled and its parameters bound exactly as for a normal execute.
    A cursor hook only puts the plan command in front of the SQL text. On PostgreSQL,
    ANALYZE executes the query, so only SELECT statements are accepted.
    """
    if not isinstance(statement, Select):
        raise TypeError(
            f"explain takes a SQLAlchemy Select, got {type(statement).__name__}; "
            "EXPLAIN ANALYZE would execute a data-changing statement"
        )
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return explain(connection, statement)

    dialect = bind.dialect.name
    prefix = _plan_prefix(dialect)

    def add_prefix(_conn, _cursor, sql, parameters, _context, _executemany):
        return prefix + sql, parameters

    event.listen(bind, "before_cursor_execute", add_prefix, retval=True)
    try:
        result = bind.execute(statement)
        rows = [tuple(row) for row in result.cursor.fetchall()]
        result.close()
    finally:
        event.remove(bind, "before_cursor_execute", add_prefix)

    plan = _parse_sqlite(rows) if dialect == "sqlite" else _parse_postgres(rows)
    logger.debug("plan on %s:\n%s", dialect, plan.text())
    return plan


# SQLite


def _sqlite_node(detail: str) -> PlanNode:
    if match := _SQLITE_SEARCH.match(detail):
        index = match["index"] or ("PRIMARY KEY" if match["key"] else None)
        return PlanNode(SEARCH, detail, match["table"], index, bool(match["covering"]))
    if match := _SQLITE_SCAN.match(detail):
        return PlanNode(SCAN, detail, match["table"], match["index"], bool(match["covering"]))
    if _SQLITE_SORT.match(detail):
        return PlanNode(SORT, detail)
    return PlanNode(OTHER, detail)


def _parse_sqlite(rows: list[tuple]) -> QueryPlan:
    """Build the tree from ``EXPLAIN QUERY PLAN`` rows ``(id, parent, notused, detail)``."""
    by_id: dict[int, PlanNode] = {}
    roots: list[PlanNode] = []
    for node_id, parent, _unused, detail in rows:
        node = _sqlite_node(str(detail))
        by_id[node_id] = node
        if parent in by_id:
            by_id[parent].children.append(node)
        else:
            roots.append(node)
    return QueryPlan("sqlite", roots, rows)


# PostgreSQL


def _pg_node(entry: dict) -> PlanNode:
    node_type = entry["Node Type"]
    if node_type in _PG_SCANS:
        kind = SCAN
    elif node_type in ("Index Scan", "Index Only Scan") and "Index Cond" not in entry:
        kind = SCAN  # walks the whole index, in index order
    elif node_type in _PG_SEARCHES:
        kind = SEARCH
    elif node_type in _PG_SORTS:
        kind = SORT
    else:
        kind = OTHER

    detail = node_type
    if "Relation Name" in entry:
        detail += f" on {entry['Relation Name']}"
    if "Index Name" in entry:
        detail += f" using {entry['Index Name']}"
    if "Sort Key" in entry:
        detail += f" by {', '.join(entry['Sort Key'])}"

    loops = entry.get("Actual Loops") or 1
    rows = entry.get("Actual Rows")
    node = PlanNode(
        kind,
        detail,
        table=entry.get("Relation Name"),
        index=entry.get("Index Name"),
        covering=node_type == "Index Only Scan",
        rows=None if rows is None else float(rows) * loops,
        estimated_rows=entry.get("Plan Rows"),
        time_ms=entry.get("Actual Total Time"),
    )
    node.children = [_pg_node(child) for child in entry.get("Plans", [])]
    return node


def _parse_postgres(rows: list[tuple]) -> QueryPlan:
    """Build the tree from the JSON of ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)``."""
    document = rows[0][0]
    if isinstance(document, str):
        document = json.loads(document)
    top = document[0]
    return QueryPlan(
        "postgresql", [_pg_node(top["Plan"])], document, top.get("Execution Time")
    )
