"""Core statements built once, run straight on the driver's cursor.

SQLAlchemy's Connection.execute costs 30-40 µs of CPU for a small query (the cache key,
the execution context, the result's metadata, the events) where SQLite answers in 2-3
µs; an issue runs ten statements and a press twenty-five.  `run` does what it does for
the statements the hot paths build once: each is compiled once per dialect (and, for an
UPDATE whose SET clause is its parameters' columns, per set of them), its parameters put
through the same bind processors, its rows through the same result processors, in the
same transaction (the session's connection).  The rows are plain named tuples (column
keys as attributes), wrapped in a list with the Result methods the store calls.

What it cannot do the same way it leaves to SQLAlchemy: expanding (IN) parameters,
inserts that need a primary key back or a Python-side default, executemany with rows.
A driver error is handed to the Connection's own handling (wrapped as SQLAlchemy's
DBAPIError family, a dead connection invalidated), as an execute would.

Engine events (before_cursor_execute) do not see these statements.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import MultipleResultsFound, NoResultFound


class Rows(list):
    """A statement's rows, with the Result methods the store uses."""

    def all(self) -> Rows:
        return self

    def first(self):
        return self[0] if self else None

    def one(self):
        if len(self) != 1:
            raise (NoResultFound if not self else MultipleResultsFound)(
                "No row was found when one was required"
                if not self
                else "Multiple rows were found when exactly one was required"
            )
        return self[0]

    def one_or_none(self):
        if len(self) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return self[0] if self else None

    def scalar_one(self):
        return self.one()[0]

    def scalar(self):
        return self[0][0] if self else None

    def scalars(self) -> list:
        return [row[0] for row in self]


class _Plan:
    """One statement compiled for one dialect: its SQL, how to order and convert its
    parameters, and (once its first rows are seen) how to convert and name its rows."""

    def __init__(self, compiled, dialect) -> None:
        self.sql = compiled.string
        self.positional = dialect.positional
        binds = compiled.binds
        keys = list(compiled.positiontup) if self.positional else list(binds)
        escaped = compiled.escaped_bind_names or {}
        self.keys = tuple(keys)  # the parameters' names, in the driver's order if positional
        self.names = tuple(escaped.get(key, key) for key in keys)  # as the SQL names them
        processors = compiled._bind_processors
        self.processors = tuple(processors.get(key) for key in keys)
        # Values the statement carries itself ("waiting", a literal); None where required.
        self.fixed = {
            name: (None if bind.required else bind.effective_value) for name, bind in binds.items()
        }
        columns = compiled._result_columns
        self.row_keys = [c[0] for c in columns] if columns else None
        self.row_types = [c[3] for c in columns] if columns else None
        self.result = None  # (row class, result processors or None), from the first rows

    def parameters(self, params: dict):
        fixed = self.fixed
        values = [
            (params[key] if key in params else fixed[key])
            if process is None
            else process(params[key] if key in params else fixed[key])
            for key, process in zip(self.keys, self.processors, strict=True)
        ]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))

    def rows(self, cursor, dialect) -> Rows:
        raw = cursor.fetchall()
        if self.result is None:
            description = cursor.description
            keys, types = self.row_keys, self.row_types
            if keys is None or len(keys) != len(description):
                keys, types = [d[0] for d in description], [None] * len(description)
            processors = [
                type_._cached_result_processor(dialect, d[1]) if type_ is not None else None
                for type_, d in zip(types, description, strict=True)
            ]
            row = namedtuple("Row", keys, rename=True)
            self.result = (row, processors if any(processors) else None)
        row, processors = self.result
        if processors is None:
            return Rows(map(row._make, raw))
        return Rows(
            row._make(
                [value if p is None else p(value) for value, p in zip(r, processors, strict=True)]
            )
            for r in raw
        )


_plans: dict[tuple, _Plan | None] = {}


def _plan(statement, dialect, params: dict) -> _Plan | None:
    """The statement's plan for this dialect, or None when SQLAlchemy must run it."""
    is_dml = getattr(statement, "is_dml", False)
    keys = tuple(sorted(params)) if is_dml else None
    key = (id(statement), dialect.name, keys)
    try:
        return _plans[key]
    except KeyError:
        pass
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
    plan = None
    if (
        not compiled.post_compile_params
        and not compiled.literal_execute_params
        and not getattr(compiled, "insert_prefetch", None)
        and not getattr(compiled, "update_prefetch", None)
        and not (getattr(statement, "is_insert", False) and compiled.implicit_returning)
        and not getattr(compiled, "postfetch", None)
    ):
        plan = _Plan(compiled, dialect)
    # The statement is kept by its module for the process's life: its id stays its own.
    _plans[key] = plan
    _keep.append(statement)
    return plan


_keep: list = []  # the statements planned, so an id is never reused by another


def run(connection: Connection, statement, params: dict | None = None) -> Any:
    """Execute a statement built once on `connection` (a Connection in a transaction):
    its rows as `Rows`, or SQLAlchemy's Result when the statement needs SQLAlchemy."""
    params = params or {}
    dialect = connection.dialect
    plan = _plan(statement, dialect, params) if isinstance(params, dict) else None
    if plan is None:
        return connection.execute(statement, params)
    values = plan.parameters(params)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(plan.sql, values)
        rows = plan.rows(cursor, dialect) if cursor.description else Rows()
    except Exception as error:  # the driver's: wrapped and handled as an execute would
        connection._handle_dbapi_exception(error, plan.sql, values, cursor, None)
    finally:
        cursor.close()
    return rows
