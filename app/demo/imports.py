"""Demo data for imports: 弹新街社区's office imported its new building 11 from Excel, after a
first attempt whose errors are still there to look at. Both go through the real pipeline."""

from __future__ import annotations

import io
import random

import openpyxl
from sqlalchemy import select

from app.blueprints.property.imports import services
from app.blueprints.property.imports.reading import COLUMNS, open_roster
from app.extensions import db
from app.models import Community, ImportJob, ImportStatus, Role, User

COMMUNITY = "弹新街社区"
BUILDING = "11"
FIRST_TRY = "弹新街11栋花名册（初稿）.xlsx"
FINAL = "弹新街11栋花名册.xlsx"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "秀英", "志强", "丽华", "海燕", "明辉", "玉兰", "红梅", "文华", "桂兰")


def _rows(rng: random.Random) -> list[list[object]]:
    """The new building: two units, six floors, two homes a floor."""
    rows: list[list[object]] = []
    for unit in (1, 2):
        for floor in range(1, 7):
            for room, area in ((1, 86.4), (2, 92.15)):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                phone = f"139{rng.randrange(10**8):08d}"
                rows.append([BUILDING, str(unit), f"{floor}{room:02d}", floor, area, name, phone])
    return rows


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(community: Community, user: User, filename: str, data: bytes) -> ImportJob:
    with open_roster(data, filename) as roster:
        job = services.create_job(community, filename, roster.estimated_rows, data, user=user)
        db.session.commit()
        return services.validate_upload(job.id, roster)


def load_demo(communities: dict[str, Community], rng: random.Random) -> None:
    community = communities.get(COMMUNITY)
    if community is None:
        return
    manager = db.session.scalar(
        select(User)
        .where(User.company_id == community.company_id, User.role == Role.MANAGER)
        .order_by(User.id)
    )
    done = set(
        db.session.scalars(select(ImportJob.filename).where(ImportJob.community_id == community.id))
    )
    if manager is None or FINAL in done:
        return
    rows = _rows(rng)
    if FIRST_TRY not in done:
        draft = [list(row) for row in rows]
        draft[3][4] = "92.155"  # three decimals
        draft[5][5] = ""  # owner missing
        draft[7][3] = "四楼"  # floor in words
        draft[9][6] = "1390000"  # phone too short
        draft.append(["1", "1", "101", 1, 72.4, "王建国", "13900000000"])  # already there
        draft.append(list(rows[0]))  # the same room twice
        _import(community, manager, FIRST_TRY, _workbook(draft))
    job = _import(community, manager, FINAL, _workbook(rows))
    if job.status == ImportStatus.READY and services.begin_apply(job):
        db.session.commit()
        services.apply_job(job.id, manager.id)
