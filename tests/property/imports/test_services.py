"""Roster import: reading Excel and CSV files, checking rows, applying all or nothing, and the
pages that upload a file, show its progress and errors, and apply it."""

from __future__ import annotations

import codecs
import io
import random
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from app.blueprints.property.imports import reading, services, worker
from app.blueprints.property.imports.reading import (
    COLUMNS,
    Cell,
    ImportFileError,
    open_roster,
    template_workbook,
)
from app.demo.base import load_demo as load_base_demo
from app.demo.imports import load_demo as load_import_demo
from app.extensions import db
from app.models import (
    AuditEntry,
    Building,
    Community,
    Household,
    ImportJob,
    ImportRow,
    ImportStatus,
    Role,
    Unit,
)
from tests import factories
from tests.conftest import csrf_token

HEADERS = [column.header for column in COLUMNS]
GOOD_ROWS = [
    ["1", "1", "101", 1, 89.5, "王建国", "13800000001"],
    ["1", "1", "102", 1, 72.4, "李秀英", ""],
    ["1", "2", "201", 2, "63.20", "张志强", "023-62801234"],
    ["2栋", "1单元", "301室", "3层", "54.8㎡", "刘丽华", "+86 138 0000 0002"],
]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows: list[list[object]], headers: list[str] = HEADERS, sep: str = ",") -> str:
    return "\r\n".join(sep.join(str(v) for v in line) for line in [headers, *rows]) + "\r\n"


def rows_of(data: bytes, name: str) -> list[tuple[int, dict[str, Cell]]]:
    with open_roster(data, name) as roster:
        return list(roster.rows())


def run_validation(job: ImportJob, data: bytes, name: str) -> ImportJob:
    with open_roster(data, name) as roster:
        return services.validate_upload(job.id, roster)


def new_job(community, manager=None) -> ImportJob:  # type: ignore[no-untyped-def]
    manager = manager or factories.user(Role.MANAGER, company_id=community.company_id)
    job = services.create_job(community, "花名册.xlsx", 0, b"", user=manager)
    db.session.commit()
    return job


def wait_for(job_id: int, *states: ImportStatus, timeout: float = 60) -> ImportJob:
    """Poll the job as the progress page does, until the worker thread has finished."""
    wanted = states or (ImportStatus.READY, ImportStatus.INVALID, ImportStatus.DONE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()  # a fresh transaction sees the worker's commits
        job = db.session.get(ImportJob, job_id)
        if job.status in (*wanted, ImportStatus.FAILED):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout}s")


@pytest.fixture
def in_request(app, database):  # type: ignore[no-untyped-def]
    """Messages are translated for a request's language; these tests read them in English."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- reading files --------------------------------------------------------------------------


def test_an_excel_roster_is_read_with_its_row_numbers(in_request):
    rows = rows_of(xlsx(GOOD_ROWS), "花名册.xlsx")
    assert [number for number, _cells in rows] == [2, 3, 4, 5]
    assert rows[0][1]["room"] == Cell("101")
    assert rows[0][1]["area_m2"] == Cell("89.5")  # a float cell, as Excel shows it


def test_english_headers_a_title_line_and_blank_rows(in_request):
    headers = ["Building", "Unit", "Room No", "floor", "Area (m²)", "Owner name", "Mobile"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["兴隆苑住户花名册（2024年）"])
    sheet.append(headers)
    sheet.append(GOOD_ROWS[0])
    sheet.append([])
    sheet.append(GOOD_ROWS[1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = rows_of(buffer.getvalue(), "roster.XLSX")
    assert [number for number, _cells in rows] == [3, 5]
    assert rows[1][1]["owner_name"].text == "李秀英"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("gbk", b""),
        ("gb18030", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
    ],
)
def test_csv_in_the_encodings_excel_writes(in_request, encoding, prefix):
    data = prefix + csv_text(GOOD_ROWS).encode(encoding)
    rows = rows_of(data, "花名册.csv")
    assert len(rows) == 4
    assert rows[3][1]["owner_name"].text == "刘丽华"
    assert rows[3][1]["area_m2"].text == "54.8㎡"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_csv_with_other_separators(in_request, sep):
    rows = rows_of(csv_text(GOOD_ROWS, sep=sep).encode(), "x.csv")
    assert rows[0][1]["building"].text == "1"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "roster.xlsx", "The file is empty"),
        (b"", "roster.csv", "The file is empty"),
        (b"hello", "roster.pdf", "Choose an Excel workbook"),
        (b"hello", "roster", "Choose an Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"x" * 100, "roster.xls", "old Excel 97-2003"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"x" * 100, "roster.xlsx", "password-protected"),
        (bytes(range(256)) * 40, "roster.xlsx", "not an Excel workbook"),
        (b"PK\x03\x04" + b"\x00garbage" * 100, "roster.xlsx", "could not be read"),
        (bytes(range(256)) * 40, "roster.csv", "not CSV text"),
        (b"PK\x03\x04rest", "roster.csv", "This is an Excel workbook"),
        (b"a,b,\x80\xff\x80\n" * 10, "roster.csv", "encoding"),
        ("楼栋,单元,房号\n1,1,101\n".encode(), "roster.csv", "Columns missing"),
        ((",".join(HEADERS) + "\n\n,,\n").encode(), "roster.csv", "no households"),
        (b"a,b\n" * 3, "roster.csv", "Columns missing"),
        (b"\n\n  \n", "roster.csv", "The file is empty"),
    ],
)
def test_files_that_cannot_be_imported_say_why(in_request, data, name, message):
    with pytest.raises(ImportFileError, match=message):
        open_roster(data, name)


def test_a_sheet_with_only_headers(in_request):
    with pytest.raises(ImportFileError, match="no households"):
        open_roster(xlsx([]), "roster.xlsx")


def test_a_workbook_that_unpacks_too_large_is_refused_unread(in_request, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 2_000)
    with pytest.raises(ImportFileError, match="too large"):
        open_roster(xlsx(GOOD_ROWS), "r.xlsx")


def with_shared_strings(workbook: bytes, count: int) -> bytes:
    """The workbook with `count` tiny shared strings: small packed, heavy in openpyxl."""
    strings = b"<si><t>x</t></si>" * count
    part = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + strings
        + b"</sst>"
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            if not entry.filename.endswith("sharedStrings.xml"):
                target.writestr(entry, source.read(entry))
        target.writestr("xl/sharedStrings.xml", part)
    return out.getvalue()


def test_a_workbook_of_millions_of_tiny_strings_is_refused_unread(in_request, monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHARED_STRINGS", 1_000)
    bomb = with_shared_strings(xlsx(GOOD_ROWS), 1_001)
    with pytest.raises(ImportFileError, match="too large"):
        open_roster(bomb, "r.xlsx")
    assert rows_of(with_shared_strings(xlsx(GOOD_ROWS), 1_000), "r.xlsx")


def test_missing_required_columns_are_named(in_request):
    with pytest.raises(ImportFileError) as caught:
        open_roster(xlsx([["1", "1", "101"]], headers=["楼栋", "单元", "房号"]), "r.xlsx")
    assert "Floor, Floor area (m²), Owner name" in str(caught.value)


def test_the_template_is_a_roster_with_one_example_row(in_request):
    rows = rows_of(template_workbook(), "template.xlsx")
    assert len(rows) == 1
    values, errors = services.parse_row(*rows[0])
    assert not errors and values["area_m2"] == Decimal("89.50")
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADERS


# --- one row --------------------------------------------------------------------------------


def cells(**overrides: str) -> dict[str, Cell]:
    defaults = ["1", "1", "101", "1", "89.5", "王建国", ""]
    values = dict(zip([c.key for c in COLUMNS], defaults, strict=True))
    values.update(overrides)
    return {key: Cell(text) for key, text in values.items()}


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("building", "3栋", "3"),
        ("building", "12号楼", "12"),
        ("building", "栋", "栋"),
        ("unit", "2单元", "2"),
        ("room", "１０１室", "101"),
        ("floor", "6层", 6),
        ("floor", "-1", -1),
        ("area_m2", "89.5", Decimal("89.50")),
        ("area_m2", "89.50㎡", Decimal("89.50")),
        ("area_m2", "120 平方米", Decimal("120.00")),
        ("area_m2", "89.500", Decimal("89.50")),
        ("phone", "138 0000 0001", "13800000001"),
        ("phone", "+86-13800000001", "13800000001"),
        ("phone", "0717-6551020", "0717-6551020"),
        ("phone", "（０７１７）６５５ １０２０", "0717-6551020"),
        ("phone", "07176551020", "0717-6551020"),
        ("phone", "", None),
        ("owner_name", "欧阳  娜娜", "欧阳 娜娜"),
    ],
)
def test_values_are_normalised(field, text, expected):
    values, errors = services.parse_row(7, cells(**{field: text}))
    assert not errors
    assert values[field] == expected


@pytest.mark.parametrize(
    ("field", "text", "code"),
    [
        ("building", "", "required"),
        ("owner_name", "  ", "required"),
        ("area_m2", "abc", "area_number"),
        ("area_m2", "NaN", "area_number"),
        ("area_m2", "1,089.50", "area_number"),
        ("area_m2", "0", "area_positive"),
        ("area_m2", "-12", "area_positive"),
        ("area_m2", "89.555", "area_decimals"),
        ("area_m2", "123456789", "area_large"),
        ("floor", "1.5", "floor"),
        ("floor", "201", "floor"),
        ("floor", "-6", "floor"),
        ("floor", "六", "floor"),
        ("phone", "12345", "phone"),
        ("phone", "1380000000", "phone"),
        ("phone", "6551020", "phone"),  # no area code
        ("phone", "10086", "phone"),
        ("phone", "+1 415 555 2671", "phone"),
        ("room", "1" * 17, "too_long"),
        ("owner_name", "王" * 61, "too_long"),
    ],
)
def test_bad_values_are_errors_of_their_cell(field, text, code):
    values, errors = services.parse_row(7, cells(**{field: text}))
    assert values is None
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [(7, field, code)]


def test_formulas_are_refused_cell_by_cell(in_request):
    data = xlsx(
        [["1", "1", "101", 1, "=60+29.5", "王建国", ""], ["1", "1", "102", 1, 70, "=A1", ""]]
    )
    rows = rows_of(data, "r.xlsx")
    found = [services.parse_row(*row)[1] for row in rows]
    assert [(e[0]["row"], e[0]["column"], e[0]["code"]) for e in found] == [
        (2, "area_m2", "formula"),
        (3, "owner_name", "formula"),
    ]
    assert found[0][0]["value"] == "=60+29.5"


def test_a_csv_cell_starting_with_equals_is_a_formula(in_request):
    rows = rows_of(csv_text([["1", "1", "101", 1, 80, "=HYPERLINK(1)", ""]]).encode(), "r.csv")
    assert services.parse_row(*rows[0])[1][0]["code"] == "formula"


def test_the_filename_is_only_shown(in_request):
    assert services.display_filename("../../instance/secret_key") == "secret_key"
    assert services.display_filename("C:\\Users\\王\\花名册\x00.xlsx") == "花名册.xlsx"
    assert len(services.display_filename("a" * 500 + ".xlsx")) == 200


# --- checking and applying (the services, without threads) -----------------------------------


def test_a_valid_file_is_staged_then_applied_in_one_go(in_request):
    place = factories.community()
    existing = factories.building(place, number="1", floors=1)
    job = run_validation(new_job(place), xlsx(GOOD_ROWS), "r.xlsx")
    assert job.status == ImportStatus.READY
    assert job.error_count == 0 and job.processed_rows == job.total_rows == 4
    assert services.plan(job) == services.Plan(households=4, buildings=1, units=3)
    assert count(ImportRow) == 4

    counts = services.apply_job(job.id, actor_user_id=job.user_id)
    assert counts == {"buildings": 1, "units": 3, "households": 4}
    assert count(ImportRow) == 0
    db.session.refresh(existing)
    assert existing.floors == 2  # raised to the highest floor the file names
    home = db.session.scalar(select(Household).where(Household.room == "301"))
    assert (home.floor, home.area_m2, home.phone) == (3, Decimal("54.80"), "13800000002")
    assert home.unit.building.number == "2" and home.unit.building.floors == 3
    assert home.community_id == place.id
    assert db.session.get(ImportJob, job.id).status == ImportStatus.DONE
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "import"))
    assert entry.changes["households"] == 4 and entry.actor_user_id == job.user_id
    assert entry.company_id == place.company_id


def test_duplicates_and_existing_rooms_are_listed_and_nothing_is_staged(in_request):
    place = factories.community()
    present = factories.unit(factories.building(place, number="1"), number="1")
    factories.household(present, room="102")
    rows = [*GOOD_ROWS, ["1", "1", "101", 1, 89.5, "王建国", ""], ["1", "1", "101", 1, 0, "x", ""]]
    job = run_validation(new_job(place), xlsx(rows), "r.xlsx")
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [
        (3, "room", "exists"),
        (6, "room", "duplicate"),
        (7, "area_m2", "area_positive"),
    ]
    assert job.errors[1]["other"] == 2
    assert "row 2" in services.error_text(job.errors[1])
    assert count(ImportRow) == 0 and count(Household) == 1


def test_only_the_first_errors_are_kept_but_all_are_counted(in_request, monkeypatch):
    monkeypatch.setattr(services, "MAX_STORED_ERRORS", 5)
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    rows = [["1", "1", str(100 + n), 1, "bad", "王", ""] for n in range(12)]
    job = run_validation(new_job(factories.community()), xlsx(rows), "r.xlsx")
    assert job.error_count == 12 and len(job.errors) == 5
    assert [e["row"] for e in job.errors] == [2, 3, 4, 5, 6]


def test_too_many_rows_fail_the_job_and_leave_nothing(in_request, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 3)
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    job = new_job(factories.community())
    with pytest.raises(services.ImportFailed) as failure:
        run_validation(job, xlsx(GOOD_ROWS), "r.xlsx")
    services.fail_job(job.id, failure.value.code)
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.FAILED and job.message == "too_many_rows"
    assert "more than 3 rows" in services.failure_text(job.message)
    assert count(ImportRow) == 0


def test_a_room_entered_meanwhile_makes_the_whole_import_fail(in_request):
    place = factories.community()
    job = run_validation(new_job(place), xlsx(GOOD_ROWS), "r.xlsx")
    assert job.status == ImportStatus.READY
    # Someone enters 2-1-301 by hand before the manager applies the import.
    factories.household(
        factories.unit(factories.building(place, number="2"), number="1"), room="301"
    )
    assert services.begin_apply(job)
    db.session.commit()
    worker._apply(job.id, job.user_id)
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.FAILED and job.message == "conflict"
    assert count(Household) == 1 and count(Building) == 1 and count(Unit) == 1
    assert count(ImportRow) == 0


def test_a_job_is_applied_once(in_request):
    job = run_validation(new_job(factories.community()), xlsx(GOOD_ROWS), "r.xlsx")
    assert services.begin_apply(job)
    assert not services.begin_apply(job)
    assert job.status == ImportStatus.IMPORTING


def test_an_apply_cut_off_with_its_process_may_be_claimed_again(in_request):
    from datetime import timedelta

    from app.periods import utcnow

    job = run_validation(new_job(factories.community()), xlsx(GOOD_ROWS), "r.xlsx")
    claimed = utcnow()
    assert services.begin_apply(job, claimed)
    db.session.commit()
    # Its process stopped: nothing was applied (one transaction), and the job says importing.
    soon, later = claimed + timedelta(minutes=5), claimed + timedelta(minutes=16)
    assert not services.is_stalled(job, soon) and not services.begin_apply(job, soon)
    assert services.is_stalled(job, later)
    assert services.begin_apply(job, later)
    assert not services.begin_apply(job, later)  # still once at a time
    assert job.apply_started_at == later and not services.is_stalled(job, later)
    services.apply_job(job.id, actor_user_id=job.user_id)
    assert db.session.get(ImportJob, job.id).status == ImportStatus.DONE
    assert count(Household) == 4


def test_a_new_upload_sets_the_waiting_one_aside(in_request):
    place = factories.community()
    manager = factories.user(Role.MANAGER, company_id=place.company_id)
    first = run_validation(new_job(place, manager), xlsx(GOOD_ROWS), "r.xlsx")
    second = new_job(place, manager)
    first = db.session.get(ImportJob, first.id)
    assert first.status == ImportStatus.FAILED and first.message == "superseded"
    assert count(ImportRow) == 0 and second.status == ImportStatus.VALIDATING


# --- the pages ------------------------------------------------------------------------------


def upload(client, community_id: int, data: bytes, name: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/property/imports/",
        data={
            "community_id": str(community_id),
            "file": (io.BytesIO(data), name),
            "csrf_token": csrf_token(client, "/property/imports/"),
        },
        content_type="multipart/form-data",
        headers=headers,
    )


def job_id_from(response) -> int:  # type: ignore[no-untyped-def]
    location = response.headers.get("HX-Redirect") or response.headers["Location"]
    return int(location.rstrip("/").rsplit("/", 1)[-1])


@pytest.fixture
def office(login_as):  # type: ignore[no-untyped-def]
    """A manager signed in, with one community of their company."""
    manager = factories.user(Role.MANAGER)
    place = factories.community(manager.company)
    return login_as(user=manager), place


def test_the_upload_page_and_the_template(office):
    client, place = office
    html = client.get(f"/property/imports/?community_id={place.id}").get_data(as_text=True)
    assert "从 Excel 或 CSV 导入住户" in html
    assert f'<option selected value="{place.id}">' in html
    response = client.get("/property/imports/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.worksheets[0]["E1"].value == "建筑面积(㎡)"


def test_a_file_is_uploaded_checked_previewed_and_imported(office):
    client, place = office
    response = upload(client, place.id, xlsx(GOOD_ROWS), "花名册.xlsx")
    assert response.status_code == 302
    job = wait_for(job_id_from(response))
    assert job.status == ImportStatus.READY
    html = client.get(f"/property/imports/{job.id}").get_data(as_text=True)
    assert "每一行都正确" in html and "刘丽华" in html and "全部导入（4 户）" in html
    assert 'hx-trigger="every 1s"' not in html

    token = csrf_token(client, f"/property/imports/{job.id}")
    response = client.post(
        f"/property/imports/{job.id}/apply",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith(str(job.id))
    assert wait_for(job.id, ImportStatus.DONE).status == ImportStatus.DONE
    html = client.get(f"/property/imports/{job.id}").get_data(as_text=True)
    assert "已导入" in html and "新增 4 户" in html
    community = client.get(f"/property/communities/{place.id}").get_data(as_text=True)
    assert "2栋" in community
    # Applying again changes nothing.
    client.post(f"/property/imports/{job.id}/apply", data={"csrf_token": token})
    assert count(Household) == 4


def test_errors_are_listed_by_row_and_column_then_the_fixed_file_imports(office):
    client, place = office
    bad = [*GOOD_ROWS, ["3", "1", "101", "一楼", "89.555", "", "123"]]
    job = wait_for(job_id_from(upload(client, place.id, xlsx(bad), "bad.xlsx")))
    assert job.status == ImportStatus.INVALID and job.error_count == 4
    html = client.get(f"/property/imports/{job.id}").get_data(as_text=True)
    assert "文件有错误，未导入任何数据" in html
    for column in ("楼层", "建筑面积(㎡)", "业主姓名", "联系电话"):
        assert column in html
    assert "最多两位小数" in html and "89.555" in html
    assert count(Household) == 0

    fixed = wait_for(job_id_from(upload(client, place.id, xlsx(GOOD_ROWS), "fixed.xlsx")))
    assert fixed.status == ImportStatus.READY


def test_many_errors_are_paginated(office):
    client, place = office
    rows = [["1", "1", str(100 + n), 1, "x", "王", ""] for n in range(120)]
    job = wait_for(job_id_from(upload(client, place.id, xlsx(rows), "bad.xlsx")))
    first = client.get(f"/property/imports/{job.id}").get_data(as_text=True)
    assert "第 1 / 3 页" in first and "120 行" in first
    third = client.get(
        f"/property/imports/{job.id}?page=3", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert third.startswith('\n<section id="import-status"') or 'id="import-status"' in third
    assert "<html" not in third and ">121<" in third


def test_progress_polls_while_running_and_stops_when_done(office):
    client, place = office
    job = factories.import_job(
        place, status=ImportStatus.VALIDATING, total_rows=20000, processed_rows=5000
    )
    fragment = client.get(f"/property/imports/{job.id}", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and 'value="5000" max="20000"' in html
    assert "<html" not in html
    job.status = ImportStatus.FAILED
    job.message = "unreadable"
    db.session.commit()
    html = client.get(f"/property/imports/{job.id}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "hx-trigger" not in html and "文件没能读完" in html


def test_an_import_cut_off_with_its_process_can_be_run_again_from_its_page(office):
    from datetime import timedelta

    from app.periods import utcnow

    client, place = office
    job = wait_for(job_id_from(upload(client, place.id, xlsx(GOOD_ROWS), "r.xlsx")))
    # As if a process claimed it twenty minutes ago and stopped before committing anything.
    services.begin_apply(job, utcnow() - timedelta(minutes=20))
    db.session.commit()
    html = client.get(f"/property/imports/{job.id}").get_data(as_text=True)
    assert "hx-trigger" not in html and "导入这份文件时被中断" in html
    assert f"/property/imports/{job.id}/apply" in html

    client.post(
        f"/property/imports/{job.id}/apply",
        data={"csrf_token": csrf_token(client, f"/property/imports/{job.id}")},
    )
    assert wait_for(job.id, ImportStatus.DONE).status == ImportStatus.DONE
    assert count(Household) == 4


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.xlsx", "文件是空的"),
        (b"\x00\x01junk" * 500, "junk.xlsx", "不是 Excel 工作簿"),
        (b"%PDF-1.4", "roster.pdf", "请选择 Excel 工作簿"),
        (xlsx([]), "headers.xlsx", "没有住户"),
    ],
)
def test_a_broken_file_is_refused_on_the_form(office, data, name, message):
    client, place = office
    response = upload(client, place.id, data, name, **{"HX-Request": "true"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'<option selected value="{place.id}">' in html  # the choice is kept
    assert count(ImportJob) == 0


def test_the_message_follows_the_users_language(office):
    client, place = office
    client.post(
        "/language",
        data={"lang": "en", "csrf_token": csrf_token(client, "/property/imports/")},
    )
    response = upload(client, place.id, b"", "empty.csv")
    assert response.status_code == 422 and "The file is empty." in response.get_data(as_text=True)


def test_a_file_over_the_limit_gets_a_friendly_413(office):
    client, place = office
    response = upload(client, place.id, b"\x00" * (17 * 1024 * 1024), "big.xlsx")
    assert response.status_code == 413
    assert "上传的文件超过了平台允许的大小" in response.get_data(as_text=True)


def test_no_file_or_a_strange_community(office, login_as):
    client, place = office
    token = csrf_token(client, "/property/imports/")
    response = client.post(
        "/property/imports/", data={"community_id": place.id, "csrf_token": token}
    )
    assert response.status_code == 422 and "请选择要上传的文件" in response.get_data(as_text=True)
    elsewhere = factories.community()
    response = upload(client, elsewhere.id, xlsx(GOOD_ROWS), "r.xlsx")
    assert response.status_code == 422 and "请选择您公司的小区" in response.get_data(as_text=True)
    assert count(ImportJob) == 0


def test_an_admin_imports_into_any_community(admin_client):
    place = factories.community()
    job = wait_for(job_id_from(upload(admin_client, place.id, xlsx(GOOD_ROWS), "r.csv.xlsx")))
    assert job.status == ImportStatus.READY and job.company_id == place.company_id


def test_stewards_and_residents_may_not_import(login_as):
    for client in (login_as(Role.STEWARD), login_as(user=factories.resident())):
        assert client.get("/property/imports/").status_code == 403
        assert client.get("/property/imports/template.xlsx").status_code == 403


def test_the_history_lists_the_companys_imports_only(office):
    client, place = office
    factories.import_job(place, filename="我们的.xlsx")
    factories.import_job(factories.community(), filename="别人的.xlsx")
    html = client.get("/property/imports/").get_data(as_text=True)
    assert "我们的.xlsx" in html and "别人的.xlsx" not in html


def test_the_demo_imports_are_loaded_once(in_request):
    load_base_demo()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    before = count(Household)
    for _ in range(2):
        load_import_demo(communities, random.Random(1))
    jobs = db.session.scalars(select(ImportJob).order_by(ImportJob.id)).all()
    assert [job.status for job in jobs] == [ImportStatus.INVALID, ImportStatus.DONE]
    assert {e["code"] for e in jobs[0].errors} == {
        "area_decimals",
        "required",
        "floor",
        "phone",
        "exists",
        "duplicate",
    }
    assert count(Household) == before + 24


def test_another_companys_import_is_not_found(office):
    client, _place = office
    theirs = factories.import_job(factories.community(), status=ImportStatus.READY)
    assert client.get(f"/property/imports/{theirs.id}").status_code == 404
    token = csrf_token(client, "/property/imports/")
    response = client.post(f"/property/imports/{theirs.id}/apply", data={"csrf_token": token})
    assert response.status_code == 404
    assert db.session.get(ImportJob, theirs.id).status == ImportStatus.READY


def test_a_long_check_that_still_beats_is_not_stalled(database):
    from datetime import timedelta

    job = factories.import_job(status=ImportStatus.VALIDATING)
    started = job.created_at
    job.heartbeat_at = started + timedelta(minutes=29)
    assert not services.is_stalled(job, started + timedelta(minutes=45))
    assert services.is_stalled(job, started + timedelta(minutes=60))
    job.heartbeat_at = None
    assert services.is_stalled(job, started + timedelta(minutes=31))
