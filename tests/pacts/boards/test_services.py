"""The boards' rules, called directly: preparing every unit's board, re-issuing a token, and
what a board shows — read as the public reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import segno
from sqlalchemy import select

from app.blueprints.pacts.boards import services
from app.extensions import db
from app.models import AuditEntry, Role, StewardBoard
from tests import factories
from tests.conftest import PUBLIC_URL


def _boards(community_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(StewardBoard.unit_id, StewardBoard.token).where(
            StewardBoard.community_id == community_id
        )
    )
    return dict(rows.all())


def test_every_unit_of_the_community_gets_a_board_of_its_own(database):
    place = factories.community()
    units = [factories.unit(factories.building(place)) for _ in range(3)]
    units.append(factories.unit(units[0].building))
    already = factories.board(units[0])
    elsewhere = factories.unit()
    manager = factories.user(Role.MANAGER, company_id=place.company_id)

    assert services.ensure_boards(place.id, manager) == 3
    db.session.commit()
    boards = _boards(place.id)
    assert set(boards) == {u.id for u in units}
    assert boards[units[0].id] == already.token  # an existing board keeps its QR code
    assert len(set(boards.values())) == 4
    assert all(len(token) >= 22 for token in boards.values())
    assert _boards(elsewhere.community_id) == {}
    issuers = db.session.scalars(
        select(StewardBoard.issued_by_user_id).where(StewardBoard.unit_id != units[0].id)
    )
    assert set(issuers) == {manager.id}

    # Preparing again prepares nothing; a unit added since gets its board.
    assert services.ensure_boards(place.id, manager) == 0
    newcomer = factories.unit(units[1].building)
    assert services.ensure_boards(place.id) == 1
    assert newcomer.id in _boards(place.id)


def test_a_community_without_units_prepares_nothing(database):
    assert services.ensure_boards(factories.community().id) == 0


def test_reissuing_gives_a_new_token_and_the_old_one_finds_nothing(database, app):
    entrance = factories.unit()
    board = factories.board(entrance)
    old = board.token
    manager = factories.user(Role.MANAGER, company_id=entrance.building.community.company_id)
    with app.test_request_context():
        assert services.public_sheet(old) is not None
        services.reissue(board, manager)
        db.session.commit()
        assert board.token != old and len(board.token) >= 22
        assert board.issued_by_user_id == manager.id
        assert services.public_sheet(old) is None
        assert services.public_sheet(board.token).unit == entrance.number
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "steward_board"))
    assert (entry.entity_id, entry.action) == (entrance.id, "reissued")
    assert old not in str(entry.changes) and board.token not in str(entry.changes)


def test_the_public_sheet_shows_the_standing_as_the_public_sees_it(database, app):
    entrance = factories.unit()
    board = factories.board(entrance)
    steward = factories.steward_assignment(entrance, name="李管家")
    factories.steward_assignment(
        entrance, name="前任管家", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    leader = factories.leader_assignment(factories.household(entrance))
    old = factories.pact_version(entrance)
    factories.adoption(old, adopted_at=datetime(2026, 3, 1, tzinfo=UTC))
    # Later, a community-wide pact was adopted on this unit too: the latest adoption counts.
    version = factories.pact_version(entrance, community_wide=True)
    factories.adoption(version, entrance, adopted_at=datetime(2026, 9, 30, 20, tzinfo=UTC))
    factories.inspection(entrance, inspected_on=date(2026, 8, 3))
    factories.inspection(entrance, inspected_on=date(2026, 10, 3), score=91)
    with app.test_request_context():
        sheet = services.public_sheet(board.token)
    card = sheet.standing
    assert (card.steward.id, card.leader.id) == (steward.id, leader.id)
    assert card.pact.id == version.id
    # Adopted at 20:00 UTC on 30 September: 1 October in Shanghai.
    assert sheet.adopted_on == date(2026, 10, 1)
    assert card.latest.score == 91
    assert [h.span.kind for h in card.honours] == ["month", "quarter"]
    assert sheet.community == entrance.building.community.name


def test_a_token_too_long_to_be_one_is_not_looked_up(database, app):
    with app.test_request_context():
        assert services.public_sheet("x" * 200) is None
        assert services.public_sheet("") is None


def test_the_qr_code_carries_the_public_address_of_the_board(database, app):
    board = factories.board()
    with app.test_request_context(base_url="http://attacker.example"):
        sheet = services.unit_sheet(board)
        expected = f"{PUBLIC_URL}/pacts/b/{board.token}"
        assert sheet.url == expected
        assert sheet.qr == segno.make(expected, error="m").svg_data_uri(
            scale=4, border=2, xmldecl=False
        )


def test_a_pact_is_set_as_large_as_fits_its_a4_page():
    def clauses(count: int, length: int) -> list[dict]:
        return [{"title": "", "body": "楼" * length} for _ in range(count)]

    assert services.pact_density(clauses(3, 20)) == "sheet-roomy"
    assert services.pact_density(clauses(10, 40)) == ""
    assert services.pact_density(clauses(14, 45)) == "sheet-dense"
    assert services.pact_density(clauses(14, 110)) == "sheet-denser"  # cut at the foot
    # A line the authors broke is a line of its own; Latin letters are narrower.
    broken = [{"title": "", "body": "楼\n" * 7 + "楼"}] * 2
    assert services.pact_density(broken) == ""
    assert services.pact_density([{"title": "", "body": "楼" * 8}] * 2) == "sheet-roomy"
    assert services.pact_density([{"title": "", "body": "a" * 40}] * 10) == "sheet-roomy"
    assert services.pact_density([]) == "sheet-roomy"


def test_the_sheet_is_set_by_the_pact_in_force(database, app):
    entrance = factories.unit()
    board = factories.board(entrance)
    factories.adoption(
        factories.pact_version(entrance, clauses=[{"title": "", "body": "楼" * 45}] * 14)
    )
    with app.test_request_context():
        assert services.unit_sheet(board).density == "sheet-dense"
