"""The shared read side: what a unit's board and the resident's view show about it."""

from __future__ import annotations

from datetime import date

from flask_login import AnonymousUserMixin

from app.blueprints.pacts.standing import Span, last_month, last_quarter, standings
from app.models import StewardKind
from tests import factories

ANONYMOUS = AnonymousUserMixin()


def test_spans_follow_the_calendar():
    assert last_month(202611) == Span.month(202610)
    assert last_month(202601) == Span.month(202512)
    assert last_quarter(202611) == Span.quarter_of(202608)
    assert (last_quarter(202602).first, last_quarter(202602).last) == (202510, 202512)


def test_standing_of_a_boarded_unit_as_the_public_sees_it(database):
    entrance = factories.unit()
    other = factories.unit(entrance.building)
    factories.board(entrance)
    factories.board(other)
    steward = factories.steward_assignment(entrance)
    factories.steward_assignment(entrance, ends_on=date(2026, 1, 1), starts_on=date(2025, 1, 1))
    leader = factories.leader_assignment(factories.household(entrance))
    factories.inspection(entrance, inspected_on=date(2026, 9, 3))
    factories.inspection(other, inspected_on=date(2026, 9, 4), lighting=3)
    factories.inspection(entrance, inspected_on=date(2026, 10, 3))
    latest = factories.inspection(entrance, inspected_on=date(2026, 10, 20), cleanliness=2)
    factories.inspection(other, inspected_on=date(2026, 10, 5), cleanliness=1, lighting=1)

    found = standings([(entrance.id, entrance.building_id, entrance.community_id)], ANONYMOUS)
    card = found[entrance.id]
    assert card.steward.id == steward.id and card.steward.kind is StewardKind.STEWARD
    assert card.leader.id == leader.id
    assert card.latest.id == latest.id
    assert card.pact is None
    # At the suite's clock (2026-11-18) October is the last completed month, Q3 the quarter.
    assert [(h.span.kind, h.rank) for h in card.honours] == [("month", 1), ("quarter", 1)]
    assert [h.rank for h in card.building_honours] == [1, 1]


def test_the_public_sees_nothing_of_a_unit_without_a_board(database):
    entrance = factories.unit()
    factories.steward_assignment(entrance)
    factories.inspection(entrance, inspected_on=date(2026, 10, 3))
    card = standings([(entrance.id, entrance.building_id, entrance.community_id)], ANONYMOUS)
    assert card[entrance.id].steward is None and card[entrance.id].latest is None
