"""The figures store: each checked resource's normalised figures (``paser_figure``) and its check status
(``paser_resource_check``), tables of the ``paser`` plugin's migrations (ckanext/paser/migration/paser).

The store is written by the background jobs that read a table, each write one transaction of its own (on the
engine: a job has no request to belong to): a resource's figures are replaced whole, together with its status, so
a reader never sees half of an old and half of a new file. What a request changes (a flag's status set by the
walidata, a dataset held or released with its privacy) is written in the request's session instead.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..localization import N_
from .normalise import Figure, Problem

PENDING = "pending"
RUNNING = "running"
DONE = "done"
ERROR = "error"
STATUSES = (PENDING, RUNNING, DONE, ERROR)

# Own metadata, not CKAN's: CKAN's create_all must not make these tables, the migrations do.
metadata = sa.MetaData()

figure_table = sa.Table(
    "paser_figure", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("resource_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText),
    sa.Column("indicator", sa.UnicodeText, nullable=False),
    sa.Column("region_code", sa.UnicodeText, nullable=False),
    sa.Column("region_level", sa.UnicodeText, nullable=False),
    sa.Column("period", sa.UnicodeText),
    sa.Column("value", sa.Numeric, nullable=False),
    sa.Column("unit", sa.UnicodeText),
    sa.Column("sheet", sa.UnicodeText),
    sa.Column("cell", sa.UnicodeText),
)

check_table = sa.Table(
    "paser_resource_check", metadata,
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("figures", sa.Integer, nullable=False),
    sa.Column("problems", postgresql.JSONB, nullable=False),
    sa.Column("checked_at", sa.DateTime(timezone=True)),
    sa.Column("error", sa.UnicodeText),
    sa.Column("error_message", sa.UnicodeText),
    sa.Column("error_params", postgresql.JSONB),
)


def engine() -> sa.engine.Engine:
    """CKAN's engine, for the jobs' own transactions (figures, checks, the flags the rules raise)."""
    from ckan.model import meta

    return meta.engine


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    return {
        "message": problem.message,
        "params": dict(problem.params),
        "text": problem.text,
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "suggestion": problem.suggestion,
    }


def _upsert_check(connection: sa.engine.Connection, resource_id: str, package_id: str, **values: Any) -> None:
    row = {"resource_id": resource_id, "package_id": package_id, "figures": 0, "problems": [], "error": None,
           "error_message": None, "error_params": None, **values}
    statement = postgresql.insert(check_table).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=[check_table.c.resource_id],
        set_={key: statement.excluded[key] for key in row if key != "resource_id"},
    )
    connection.execute(statement)


def mark(resource_id: str, package_id: str, status: str) -> None:
    """Record that a check is queued (pending) or under way (running). The figures and problems of the previous
    check stay (they are the ones stored) until the new check replaces them."""
    if status not in (PENDING, RUNNING):
        raise ValueError(f"not a transient status: {status}")
    statement = postgresql.insert(check_table).values(
        resource_id=resource_id, package_id=package_id, status=status, figures=0, problems=[])
    statement = statement.on_conflict_do_update(
        index_elements=[check_table.c.resource_id],
        set_={"package_id": package_id, "status": status, "error": None, "error_message": None,
              "error_params": None},
    )
    with engine().begin() as connection:
        connection.execute(statement)


def replace_figures(resource_id: str, package_id: str, organization_id: str | None, figures: Iterable[Figure],
                    problems: Iterable[Problem]) -> int:
    """Replace the resource's figures and record the check as done, all in one transaction. The count stored."""
    rows = [
        {
            "resource_id": resource_id, "package_id": package_id, "organization_id": organization_id,
            "indicator": figure.indicator, "region_code": figure.region_code, "region_level": figure.region_level,
            "period": figure.period, "value": figure.value, "unit": figure.unit, "sheet": figure.sheet,
            "cell": figure.cell,
        }
        for figure in figures
    ]
    problem_dicts = [problem_to_dict(problem) for problem in problems]
    with engine().begin() as connection:
        connection.execute(figure_table.delete().where(figure_table.c.resource_id == resource_id))
        if rows:
            connection.execute(figure_table.insert(), rows)
        _upsert_check(connection, resource_id, package_id, status=DONE, figures=len(rows),
                      problems=problem_dicts, checked_at=_now())
    return len(rows)


def record_error(resource_id: str, package_id: str, message: str, params: Mapping[str, Any] | None = None) -> None:
    """The check failed (a refused or unreadable file, a download or the portal failing): the reason is recorded
    and the figures and problems of the last good check **stay**, and with them their flags, until a readable
    file replaces them; ``checked_at`` is the time of this attempt (a save of the unchanged file does not retry).
    ``message`` is an English msgid with ``%(name)s`` placeholders filled from ``params``."""
    params = {key: str(value) for key, value in (params or {}).items()}
    statement = postgresql.insert(check_table).values(
        resource_id=resource_id, package_id=package_id, status=ERROR, figures=0, problems=[],
        checked_at=_now(), error=message % params, error_message=message, error_params=params)
    statement = statement.on_conflict_do_update(
        index_elements=[check_table.c.resource_id],
        set_={key: statement.excluded[key]
              for key in ("package_id", "status", "checked_at", "error", "error_message", "error_params")},
    )
    with engine().begin() as connection:
        connection.execute(statement)


def kept_figures(check: Mapping[str, Any]) -> bool:
    """A failed check whose resource keeps the figures or problems of an earlier good one."""
    return check["status"] == ERROR and bool(check["figures"] or check["problems"])


def forget(resource_id: str) -> None:
    """A deleted resource: its figures and check go."""
    with engine().begin() as connection:
        connection.execute(figure_table.delete().where(figure_table.c.resource_id == resource_id))
        connection.execute(check_table.delete().where(check_table.c.resource_id == resource_id))


# A failure of the portal itself (a bug, the database): the technical cause is logged, never stored, since the
# resource page is public and a driver's error can quote SQL. Failures stored before quoted it; shown as this.
CHECK_FAILED = N_("The check failed unexpectedly; the portal's administrators find the cause in its log.")
_RAW_CAUSE_MESSAGES = ("The check could not be queued: %(reason)s.", "The check failed unexpectedly: %(reason)s.")


def get_check(resource_id: str) -> dict[str, Any] | None:
    with engine().connect() as connection:
        row = connection.execute(
            sa.select(check_table).where(check_table.c.resource_id == resource_id)).mappings().first()
    if row is None:
        return None
    check = dict(row)
    if check["error_message"] in _RAW_CAUSE_MESSAGES:
        check.update(error=CHECK_FAILED, error_message=CHECK_FAILED, error_params={})
    return check


def figures_of(resource_id: str) -> list[dict[str, Any]]:
    """The stored figures of a resource, in the order they were read."""
    with engine().connect() as connection:
        result = connection.execute(
            sa.select(figure_table).where(figure_table.c.resource_id == resource_id).order_by(figure_table.c.id))
        return [dict(row) for row in result.mappings()]


def indicators_of_resource(resource_id: str) -> set[str]:
    with engine().connect() as connection:
        return {row[0] for row in connection.execute(
            sa.select(figure_table.c.indicator).where(figure_table.c.resource_id == resource_id).distinct())}


def indicators_of_package(package_id: str) -> set[str]:
    with engine().connect() as connection:
        return {row[0] for row in connection.execute(
            sa.select(figure_table.c.indicator).where(figure_table.c.package_id == package_id).distinct())}


def checks_of_package(package_id: str) -> dict[str, dict[str, Any]]:
    """The stored checks of a dataset's resources, by resource id."""
    with engine().connect() as connection:
        return {row["resource_id"]: dict(row) for row in connection.execute(
            sa.select(check_table).where(check_table.c.package_id == package_id)).mappings()}


def move_package(package_id: str, organization_id: str | None) -> set[str]:
    """Give the dataset's figures its current producer; the indicators whose figures moved."""
    with engine().begin() as connection:
        result = connection.execute(
            figure_table.update()
            .where(figure_table.c.package_id == package_id,
                   figure_table.c.organization_id.is_distinct_from(organization_id))
            .values(organization_id=organization_id)
            .returning(figure_table.c.indicator))
        return {row[0] for row in result}
