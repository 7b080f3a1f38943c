"""Roster imports: check every row, stage the good ones, then apply them all or nothing.

The pipeline, each step a plain function the tests call directly:
create_job() → validate_upload() (parse, check and stage rows in batches; then find duplicate
and existing rooms in SQL) → begin_apply() → apply_job() (set-based INSERT … SELECT from the
staged rows, in one transaction). The worker module runs the long steps in a thread; the job
row carries all their state, so any app process can report progress.

One module a little over 500 lines, on purpose: the steps and the page's reads share the job's
states and limits (rows, batches, stored errors, stall times), which tests lower in one place.
How one row's cells are read and checked is rows.py's.

A job applied is recorded as one "import" entry (the job's id), which the roster's recent
changes list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from app import audit, history
from app.authz import visible
from app.blueprints.property.imports.reading import COLUMN_BY_KEY, COLUMNS, Roster
from app.blueprints.property.imports.rows import parse_row, row_error
from app.blueprints.property.roster.services import NON_NUMERIC_SORT_KEY
from app.extensions import db
from app.models import (
    AuditEntry,
    Building,
    Community,
    Household,
    ImportJob,
    ImportRow,
    ImportStatus,
    Unit,
    User,
)
from app.models.base import UTCDateTime
from app.pagination import Page
from app.periods import utcnow

MAX_ROWS = 50_000
BATCH_SIZE = 1_000
MAX_STORED_ERRORS = 1_000
ERRORS_PER_PAGE = 50
# A validation that has not finished after this long was cut off (its process stopped).
VALIDATION_STALLS_AFTER = timedelta(minutes=30)
# Applying is one set-based transaction of seconds, even for 20,000 rows.
APPLY_STALLS_AFTER = timedelta(minutes=15)

ERROR_MESSAGES = {
    "required": _l("Empty, but this column is required."),
    "too_long": _l("Longer than %(max)s characters."),
    "formula": _l("A formula. Type the value instead (in Excel: Paste Special → Values)."),
    "area_number": _l("Not a number of square metres, such as 89.50."),
    "area_positive": _l("The floor area must be greater than zero."),
    "area_decimals": _l("At most two decimals."),
    "area_large": _l("Too large for a floor area."),
    "floor": _l("Not a floor: a whole number from -5 to 200."),
    "phone": _l(
        "Not a Chinese mobile number (11 digits) or a landline with its area code, such as "
        "023-62881234."
    ),
    "duplicate": _l("The same room as row %(other)s of the file."),
    "exists": _l("This room is already in the community."),
}
FAILURE_MESSAGES = {
    "too_many_rows": _l(
        "The file has more than %(max)s rows. Split it into several files and import them "
        "one after the other."
    ),
    "unreadable": _l(
        "The file could not be read to the end; it may be damaged. Open it in Excel, save it "
        "again and upload it."
    ),
    "superseded": _l("You uploaded a newer file for this community; this one was set aside."),
    "conflict": _l(
        "Some of these rooms were entered in the community while the import ran, so nothing "
        "was imported. Upload the file again to see which."
    ),
    "internal": _l("The import failed unexpectedly and nothing was imported. Please try again."),
    "stalled": _l("The check of this file was interrupted. Please upload the file again."),
    "apply_stalled": _l(
        "Importing this file was interrupted and nothing of it was imported. Import it again."
    ),
}

history.register(
    "import",
    _l("Import"),
    actions={"imported": _l("Imported")},
    fields={"units": _l("Units"), "households": _l("Households")},
    hidden=("community_id",),
)


class ImportFailed(Exception):
    """The job cannot go on; `code` names the message in FAILURE_MESSAGES."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- the job -------------------------------------------------------------------------------


def display_filename(filename: str) -> str:
    """The uploaded file's name, for display only: never used to store anything."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or "roster"


def community_choices(user: User | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(
        visible(Community, user)
        .with_only_columns(Community.id, Community.name)
        .order_by(Community.name, Community.id)
    )
    return [(row.id, row.name) for row in rows]


def create_job(
    community: Community,
    filename: str,
    estimated_rows: int,
    upload: bytes,
    user: User | None = None,
) -> ImportJob:
    """A new job, checking; the uploader's earlier upload for this community waiting to be
    applied is set aside, so its staged rows do not linger."""
    user = user if user is not None else current_user
    earlier = select(ImportJob.id).where(
        ImportJob.community_id == community.id,
        ImportJob.user_id == user.id,
        ImportJob.status == ImportStatus.READY,
    )
    db.session.execute(delete(ImportRow).where(ImportRow.job_id.in_(earlier)))
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id.in_(earlier.scalar_subquery()))
        .values(status=ImportStatus.FAILED, message="superseded", finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    job = ImportJob(
        company_id=community.company_id,
        community_id=community.id,
        user_id=user.id,
        filename=display_filename(filename),
        status=ImportStatus.VALIDATING,
        total_rows=estimated_rows,
        processed_rows=0,
        error_count=0,
        errors=[],
        upload=upload,
        heartbeat_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    return job


def _stage(job_id: int, batch: list[dict[str, Any]], processed: int, estimated: int) -> None:
    """One short transaction per batch: SQLite readers and writers are never held up long."""
    if batch:
        db.session.execute(insert(ImportRow), batch)
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(
            processed_rows=processed, total_rows=max(estimated, processed), heartbeat_at=utcnow()
        )
    )
    db.session.commit()


def validate_upload(job_id: int, roster: Roster) -> ImportJob:
    """Check every row of the file, stage the valid ones, and leave the job READY (no errors)
    or INVALID (errors listed, nothing staged). Raises ImportFailed when it cannot go on."""
    job = db.session.get_one(ImportJob, job_id)
    community_id, estimated = job.community_id, job.total_rows
    # A check cut off and started again begins clean.
    db.session.execute(delete(ImportRow).where(ImportRow.job_id == job_id))
    db.session.commit()
    errors: list[dict[str, Any]] = []
    error_count = processed = 0
    batch: list[dict[str, Any]] = []
    for row_number, cells in roster.rows():
        processed += 1
        if processed > MAX_ROWS:
            raise ImportFailed("too_many_rows")
        values, row_errors = parse_row(row_number, cells)
        if values is None:
            error_count += len(row_errors)
            errors.extend(row_errors[: MAX_STORED_ERRORS - len(errors)])
        else:
            batch.append({"job_id": job_id, "row_number": row_number, **values})
        if processed % BATCH_SIZE == 0:
            _stage(job_id, batch, processed, estimated)
            batch = []
    _stage(job_id, batch, processed, estimated)

    duplicates, duplicate_count = _errors_from(_duplicate_rows(job_id), "duplicate")
    existing, existing_count = _errors_from(_existing_rows(job_id, community_id), "exists")
    order = {column.key: index for index, column in enumerate(COLUMNS)}
    job = db.session.get_one(ImportJob, job_id)
    job.total_rows = job.processed_rows = processed
    job.error_count = error_count + duplicate_count + existing_count
    job.errors = sorted(
        chain(errors, duplicates, existing), key=lambda e: (e["row"], order[e["column"]])
    )[:MAX_STORED_ERRORS]
    if job.error_count:
        # Nothing can be applied from a file with errors: the fixed file is uploaded again.
        db.session.execute(delete(ImportRow).where(ImportRow.job_id == job_id))
        job.status = ImportStatus.INVALID
        job.finished_at = utcnow()
    else:
        job.status = ImportStatus.READY
    job.upload = None
    db.session.commit()
    return job


def _duplicate_rows(job_id: int) -> Select:
    """Staged rows naming a room an earlier row of the same file names already."""
    first = (
        func.min(ImportRow.row_number)
        .over(partition_by=(ImportRow.building, ImportRow.unit, ImportRow.room))
        .label("other")
    )
    ranked = (
        select(ImportRow.row_number, ImportRow.room, first)
        .where(ImportRow.job_id == job_id)
        .subquery()
    )
    return select(ranked.c.row_number, ranked.c.room, ranked.c.other).where(
        ranked.c.row_number > ranked.c.other
    )


def _existing_rows(job_id: int, community_id: int) -> Select:
    """Staged rows naming a room the community has already."""
    return (
        select(ImportRow.row_number, ImportRow.room)
        .join(
            Building,
            and_(Building.community_id == community_id, Building.number == ImportRow.building),
        )
        .join(Unit, and_(Unit.building_id == Building.id, Unit.number == ImportRow.unit))
        .join(Household, and_(Household.unit_id == Unit.id, Household.room == ImportRow.room))
        .where(ImportRow.job_id == job_id)
    )


def _errors_from(query: Select, code: str) -> tuple[list[dict[str, Any]], int]:
    """The first errors of one kind found in SQL, and how many there are in all."""
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    if not count:
        return [], 0
    rows = db.session.execute(
        query.order_by(query.selected_columns[0]).limit(MAX_STORED_ERRORS)
    ).mappings()
    found = []
    for row in rows:
        extra = {"other": row["other"]} if "other" in row else {}
        found.append(row_error(row["row_number"], "room", code, row["room"], **extra))
    return found, count


def fail_job(job_id: int, code: str) -> None:
    """Give up on the job: whatever this attempt wrote is rolled back, staged rows removed."""
    db.session.rollback()
    db.session.execute(delete(ImportRow).where(ImportRow.job_id == job_id))
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(status=ImportStatus.FAILED, message=code, finished_at=utcnow())
    )
    db.session.commit()


def begin_apply(job: ImportJob, now: datetime | None = None) -> bool:
    """Claim a job for applying: a READY one, or one whose applying was cut off (its process
    stopped; the transaction rolled back whole, so nothing of it is in). A conditional UPDATE,
    so that of two clicks (or two app processes) exactly one wins."""
    now = now or utcnow()
    cut_off = and_(
        ImportJob.status == ImportStatus.IMPORTING,
        ImportJob.apply_started_at < now - APPLY_STALLS_AFTER,
    )
    claimed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, or_(ImportJob.status == ImportStatus.READY, cut_off))
        .values(status=ImportStatus.IMPORTING, apply_started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(job)
    return claimed.rowcount == 1


def reclaim_stalled_checks(stale_seconds: float, now: datetime | None = None) -> list[int]:
    """Claim the checks whose heartbeat stopped (their worker died), each by a conditional
    UPDATE of its heartbeat, so that of two sweeps exactly one takes it up."""
    now = now or utcnow()
    stalled = db.session.execute(
        select(ImportJob.id, ImportJob.heartbeat_at).where(
            ImportJob.status == ImportStatus.VALIDATING,
            ImportJob.upload.is_not(None),
            ImportJob.heartbeat_at < now - timedelta(seconds=stale_seconds),
        )
    ).all()
    claimed = []
    for job_id, heartbeat in stalled:
        taken = db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.heartbeat_at == heartbeat)
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            claimed.append(job_id)
    db.session.commit()
    return claimed


def reclaim_cut_off_applies(now: datetime | None = None) -> list[tuple[int, int]]:
    """Claim again the applies cut off with their worker (begin_apply decides); with the user
    who asked for each."""
    now = now or utcnow()
    cut_off = db.session.scalars(
        select(ImportJob).where(
            ImportJob.status == ImportStatus.IMPORTING,
            ImportJob.apply_started_at < now - APPLY_STALLS_AFTER,
        )
    ).all()
    claimed = [(job.id, job.user_id) for job in cut_off if begin_apply(job, now)]
    db.session.commit()
    return claimed


def _sort_key(number: Any) -> Any:
    return case(
        # As roster's building_sort_key, in SQL: the rows are inserted by INSERT … SELECT.
        (number.regexp_match("^[0-9]{1,6}$"), cast(number, Integer)),
        else_=NON_NUMERIC_SORT_KEY,
    )


def _building_of_row(community_id: int) -> Any:
    return and_(Building.community_id == community_id, Building.number == ImportRow.building)


def _insert_from(model: type, columns: list[str], query: Select) -> int:
    """INSERT … SELECT into the model's table; the number of rows it added."""
    statement = insert(model.__table__).from_select(columns, query)  # type: ignore[attr-defined]
    # Drivers report the count of an INSERT only when asked to keep it.
    result = db.session.execute(statement.execution_options(preserve_rowcount=True))
    return result.rowcount


def apply_job(job_id: int, actor_user_id: int | None = None) -> dict[str, int]:
    """Create the staged buildings, units and households in one transaction, with set-based
    INSERT … SELECT; then remove the staged rows and record the import in the history.
    A room entered meanwhile makes the whole transaction fail (IntegrityError): nothing half."""
    job = db.session.get_one(ImportJob, job_id)
    community_id = job.community_id
    staged = ImportRow.job_id == job_id
    highest = func.max(ImportRow.floor)

    # Existing buildings grow to the highest floor the file names for them.
    floors = (
        select(func.max(ImportRow.floor))
        .where(staged, ImportRow.building == Building.number)
        .scalar_subquery()
    )
    db.session.execute(
        update(Building.__table__)
        .where(Building.community_id == community_id, Building.floors < floors)
        .values(floors=floors)
    )
    buildings = _insert_from(
        Building,
        ["community_id", "number", "floors", "sort_key"],
        select(
            literal(community_id, Integer),
            ImportRow.building,
            case((highest < 1, 1), else_=highest),
            _sort_key(ImportRow.building),
        )
        .where(staged, ~exists().where(_building_of_row(community_id)))
        .group_by(ImportRow.building),
    )
    units = _insert_from(
        Unit,
        ["building_id", "community_id", "number"],
        select(Building.id, literal(community_id, Integer), ImportRow.unit)
        .distinct()
        .select_from(ImportRow)
        .join(Building, _building_of_row(community_id))
        .where(
            staged,
            ~exists().where(Unit.building_id == Building.id, Unit.number == ImportRow.unit),
        ),
    )
    households = _insert_from(
        Household,
        [
            "unit_id",
            "community_id",
            "room",
            "floor",
            "area_m2",
            "owner_name",
            "phone",
            "created_at",
        ],
        select(
            Unit.id,
            literal(community_id, Integer),
            ImportRow.room,
            ImportRow.floor,
            ImportRow.area_m2,
            ImportRow.owner_name,
            ImportRow.phone,
            literal(utcnow(), UTCDateTime()),
        )
        .select_from(ImportRow)
        .join(Building, _building_of_row(community_id))
        .join(Unit, and_(Unit.building_id == Building.id, Unit.number == ImportRow.unit))
        .where(staged),
    )
    numbers = list(db.session.scalars(select(ImportRow.building).where(staged).distinct()))
    db.session.execute(delete(ImportRow).where(staged))

    counts = {"buildings": buildings, "units": units, "households": households}
    job.status = ImportStatus.DONE
    job.processed_rows = households
    job.finished_at = utcnow()
    entry = audit.record(
        "import",
        job.id,
        job.company_id,
        "imported",
        {
            "community_id": community_id,
            "filename": job.filename,
            **counts,
            "building_numbers": sorted(numbers),
        },
    )
    entry.actor_user_id = actor_user_id
    db.session.commit()
    return counts


# --- what the pages show ---------------------------------------------------------------------


def job_rows(user: User | None = None) -> Select:
    """The imports the user may see, newest first, with community and uploader."""
    return (
        visible(ImportJob, user)
        .join(Community, Community.id == ImportJob.community_id)
        .join(User, User.id == ImportJob.user_id)
        .add_columns(Community.name.label("community_name"), User.display_name.label("uploader"))
        .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
    )


def staged_rows(job: ImportJob) -> Select:
    return select(ImportRow).where(ImportRow.job_id == job.id).order_by(ImportRow.row_number)


@dataclass(frozen=True)
class Plan:
    households: int
    buildings: int
    units: int


def plan(job: ImportJob) -> Plan:
    """What applying a READY job will create."""
    staged = ImportRow.job_id == job.id
    new_buildings = (
        select(ImportRow.building)
        .where(staged, ~exists().where(_building_of_row(job.community_id)))
        .distinct()
        .subquery()
    )
    new_units = (
        select(ImportRow.building, ImportRow.unit)
        .where(
            staged,
            ~exists(
                select(Unit.id)
                .join(Building, Building.id == Unit.building_id)
                .where(_building_of_row(job.community_id), Unit.number == ImportRow.unit)
            ),
        )
        .distinct()
        .subquery()
    )
    count = func.count()
    return Plan(
        households=db.session.scalar(select(count).where(staged)),
        buildings=db.session.scalar(select(count).select_from(new_buildings)),
        units=db.session.scalar(select(count).select_from(new_units)),
    )


def result(job: ImportJob) -> dict[str, Any]:
    """What a DONE job created, as its history entry recorded it."""
    entry = db.session.scalar(
        visible(AuditEntry).where(AuditEntry.entity == "import", AuditEntry.entity_id == job.id)
    )
    return entry.changes if entry else {}


def buildings_of(job: ImportJob, numbers: list[str]) -> Select:
    """The buildings a DONE job added homes to, with their units and households now."""
    return (
        select(
            Building,
            func.count(distinct(Unit.id)).label("units"),
            func.count(Household.id).label("households"),
            func.coalesce(func.sum(Household.area_m2), 0).label("area_m2"),
        )
        .outerjoin(Unit, Unit.building_id == Building.id)
        .outerjoin(Household, Household.unit_id == Unit.id)
        .where(Building.community_id == job.community_id, Building.number.in_(numbers))
        .group_by(Building.id)
        .order_by(Building.sort_key, Building.number)
    )


def page_of(items: list[Any], page: int, per_page: int = ERRORS_PER_PAGE) -> Page:
    """One page of a short list already in memory (a job keeps at most MAX_STORED_ERRORS)."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Page(
        items=items[start : start + per_page], page=page, per_page=per_page, total=len(items)
    )


def is_stalled(job: ImportJob, now: datetime | None = None) -> bool:
    """Whether the job's background work was cut off: its page stops waiting for it."""
    now = now or utcnow()
    if job.status == ImportStatus.VALIDATING:
        # A long check beats its heart as it reads: only silence since then means it was cut off.
        return now - (job.heartbeat_at or job.created_at) > VALIDATION_STALLS_AFTER
    if job.status == ImportStatus.IMPORTING and job.apply_started_at is not None:
        return now - job.apply_started_at > APPLY_STALLS_AFTER
    return False


def error_text(error: dict[str, Any]) -> str:
    template = ERROR_MESSAGES.get(error["code"], ERROR_MESSAGES["required"])
    return str(template) % {"max": error.get("max"), "other": error.get("other")}


def failure_text(code: str | None) -> str:
    template = FAILURE_MESSAGES.get(code or "", FAILURE_MESSAGES["internal"])
    return str(template) % {"max": f"{MAX_ROWS:,}"}


def column_label(key: str) -> str:
    return str(COLUMN_BY_KEY[key].label)
