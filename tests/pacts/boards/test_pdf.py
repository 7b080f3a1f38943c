"""The print shop's PDF: one A4 page per board, made on the queue (immediate in tests), fetched
once ready; another company's manager gets none of it."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta

import pytest
from flask import current_app
from pypdf import PdfReader

from app.blueprints.pacts.boards import printing, services
from app.extensions import db
from app.models import Role
from app.periods import utcnow
from app.uploads import upload_folder
from tests import factories
from tests.conftest import PUBLIC_URL, csrf_token

A4 = (595, 842)  # points


@pytest.fixture(autouse=True)
def no_pdfs_yet(database):
    """The suite reuses community ids (the tables restart their counts) and one upload folder."""
    with current_app.test_request_context():
        shutil.rmtree(upload_folder("boards"), ignore_errors=True)


def community_with_boards():
    """Two buildings of three units: a short pact, a long one, none; a unit without a board."""
    place = factories.community(name="望江小区")
    units = [factories.unit(factories.building(place, number=str(b)), number="1") for b in (1, 2)]
    units += [factories.unit(units[b].building, number=str(n)) for b in (0, 1) for n in (2, 3)]
    factories.steward_assignment(units[0], name="李管家")
    factories.adoption(factories.pact_version(units[0]))
    long_pact = [
        {"title": f"第{n}条", "body": "楼道内不堆放杂物，保持消防通道畅通。" * 6} for n in range(14)
    ]
    factories.adoption(factories.pact_version(units[1], clauses=long_pact))
    services.ensure_boards(place.id)
    factories.unit(units[0].building, number="9")  # added after the boards were prepared
    db.session.commit()
    return place, units


def test_the_pdf_has_one_a4_page_per_board(login_as):
    place, units = community_with_boards()
    manager = login_as(user=factories.user(Role.MANAGER, company_id=place.company_id))
    page = manager.get(f"/pacts/boards/communities/{place.id}/pdf").get_data(as_text=True)
    assert "生成 6 块公示牌的 PDF" in page and "还有 1 个单元没有公示牌" in page
    early = manager.get(f"/pacts/boards/communities/{place.id}/boards.pdf")
    assert early.headers["Location"] == f"/pacts/boards/communities/{place.id}/pdf"

    response = manager.post(
        f"/pacts/boards/communities/{place.id}/pdf",
        data={"csrf_token": csrf_token(manager, "/pacts/boards")},
    )
    assert response.status_code == 302
    page = manager.get(f"/pacts/boards/communities/{place.id}/pdf").get_data(as_text=True)
    assert "PDF 已生成" in page

    download = manager.get(f"/pacts/boards/communities/{place.id}/boards.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    pdf = PdfReader(io.BytesIO(download.data))
    assert len(pdf.pages) == len(units) == 6
    assert all(tuple(round(v) for v in p.mediabox[2:]) == A4 for p in pdf.pages)
    # In the order of buildings and units, each page carrying its own board's address.
    tokens = [sheet.token for sheet in _sheets(place)]
    for sheet_page, token in zip(pdf.pages, tokens, strict=True):
        assert f"{PUBLIC_URL}/pacts/b/{token}" in sheet_page.extract_text().replace("\n", "")


def _sheets(place):
    with current_app.test_request_context():
        return services.community_sheets(place)


def test_another_companys_manager_gets_no_pdf(login_as):
    place, _units = community_with_boards()
    stranger = login_as(Role.MANAGER)
    token = csrf_token(stranger, "/pacts/boards")
    assert stranger.get(f"/pacts/boards/communities/{place.id}/pdf").status_code == 404
    assert (
        stranger.post(f"/pacts/boards/communities/{place.id}/pdf", data={"csrf_token": token})
    ).status_code == 404
    assert printing.current_job(place.id) is None
    assert stranger.get(f"/pacts/boards/communities/{place.id}/boards.pdf").status_code == 404


def test_a_pdf_under_way_is_not_started_twice_unless_it_went_stale(database, app):
    place = factories.community()
    waiting = printing.PdfJob("a" * 16, printing.RUNNING, 3, utcnow())
    printing._record(place.id, waiting)
    with app.test_request_context():
        assert printing.start(place, 3, "zh_CN") == waiting
        stale = printing.PdfJob("b" * 16, printing.RUNNING, 3, utcnow() - timedelta(hours=1))
        printing._record(place.id, stale)
        started = printing.start(place, 0, "zh_CN")
    assert started.job != stale.job
    # The queue is immediate in tests: the new job has run (no boards: no PDF, a failure).
    assert printing.current_job(place.id).status in (printing.READY, printing.FAILED)


def test_a_superseded_job_leaves_nothing_behind(database, app):
    place = factories.community()
    factories.board(factories.unit(factories.building(place)))
    printing._record(place.id, printing.PdfJob("new" + "0" * 13, printing.QUEUED, 1, utcnow()))
    with app.test_request_context():
        printing._make(place.id, "old" + "0" * 13)
    assert printing.current_job(place.id).status == printing.QUEUED
    assert not printing.pdf_path(place.id, "old" + "0" * 13).exists()
