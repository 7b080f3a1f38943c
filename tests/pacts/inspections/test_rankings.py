"""Rankings of units and buildings by their average score over a month or a quarter, within a
community, across a company and across the city, and the honour board built on them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, func, select

from app.blueprints.pacts.inspections import services
from app.blueprints.pacts.inspections.services import Level, Reach
from app.blueprints.pacts.standing import Span, SpanKind
from app.extensions import db
from app.models import Role
from tests import factories


def rows_of(span, level, reach, user):  # type: ignore[no-untyped-def]
    return services.with_places(
        db.session.execute(services.ranking(span, level, reach, user)).all()
    )


def ranked(span, level, reach, user, name=lambda r: r.unit):  # type: ignore[no-untyped-def]
    return [(name(r), r.rank) for r in rows_of(span, level, reach, user)]


def test_ties_share_a_rank_and_the_next_rank_is_skipped(place):
    third = factories.unit(place.building, number="3")
    factories.inspection(place.unit, inspected_on=date(2026, 10, 5), lighting=2)  # 90
    factories.inspection(place.other_unit, inspected_on=date(2026, 10, 6), cleanliness=2)  # 90
    factories.inspection(third, inspected_on=date(2026, 10, 7), lighting=1, cleanliness=4)  # 80
    reach = Reach(community_id=place.community.id)
    assert ranked(Span.month(202610), Level.UNITS, reach, place.manager) == [
        ("1", 1),
        ("2", 1),
        ("3", 3),
    ]


def test_a_month_and_a_quarter_rank_their_own_inspections(place):
    factories.inspection(place.unit, inspected_on=date(2026, 8, 5))  # 100
    factories.inspection(place.unit, inspected_on=date(2026, 10, 5), score=60)
    factories.inspection(place.other_unit, inspected_on=date(2026, 9, 5), score=90)
    factories.inspection(place.other_unit, inspected_on=date(2026, 10, 9), score=80)
    reach = Reach(community_id=place.community.id)
    # At the suite's clock (2026-11-18) the last month ended is October, the quarter Q3.
    last_month = services.completed_span(SpanKind.MONTH)
    last_quarter = services.completed_span(SpanKind.QUARTER)
    assert (last_month.first, last_month.last) == (202610, 202610)
    assert (last_quarter.first, last_quarter.last) == (202607, 202609)
    assert ranked(last_month, Level.UNITS, reach, place.manager) == [("2", 1), ("1", 2)]
    assert ranked(last_quarter, Level.UNITS, reach, place.manager) == [("1", 1), ("2", 2)]
    assert services.span_of(SpanKind.QUARTER, 202611) == Span.quarter_of(202610)
    rows = rows_of(Span.quarter_of(202608), Level.UNITS, reach, place.manager)
    assert [(r.unit, r.average, r.inspections) for r in rows] == [
        ("1", 100.0, 1),
        ("2", 90.0, 1),
    ]


def test_a_company_is_ranked_as_one_field_and_a_community_within_itself(place):
    second = factories.community(place.company, name="青松里")
    there = factories.unit(factories.building(second, number="5"), number="1")
    elsewhere = factories.unit()  # another company's
    october = date(2026, 10, 12)
    factories.inspection(place.unit, inspected_on=october, score=90)
    factories.inspection(place.other_unit, inspected_on=october, score=80)
    factories.inspection(there, inspected_on=october, score=85)
    factories.inspection(elsewhere, inspected_on=october, score=100)
    span = Span.month(202610)

    def where(r):  # type: ignore[no-untyped-def]
        return f"{r.community}:{r.building}-{r.unit}"

    own = Reach(community_id=place.community.id)
    assert ranked(span, Level.UNITS, own, place.manager, where) == [
        ("兴隆苑:1-1", 1),
        ("兴隆苑:1-2", 2),
    ]
    assert ranked(span, Level.UNITS, Reach(), place.manager, where) == [
        ("兴隆苑:1-1", 1),
        ("青松里:5-1", 2),
        ("兴隆苑:1-2", 3),
    ]
    # Another company's community is not the manager's to rank, even by asking for it.
    foreign = Reach(community_id=elsewhere.community_id)
    assert ranked(span, Level.UNITS, foreign, place.manager) == []
    admin = factories.user(Role.ADMIN)
    city = ranked(span, Level.UNITS, Reach(), admin, where)
    assert [rank for _w, rank in city] == [1, 2, 3, 4] and city[1] == ("兴隆苑:1-1", 2)
    company = ranked(span, Level.UNITS, Reach(company_id=place.company.id), admin, where)
    assert [w for w, _rank in company] == ["兴隆苑:1-1", "青松里:5-1", "兴隆苑:1-2"]


def test_buildings_by_the_average_of_all_their_inspections(place):
    block = factories.building(place.community, number="2")
    factories.inspection(place.unit, inspected_on=date(2026, 10, 1))  # 100
    factories.inspection(place.unit, inspected_on=date(2026, 10, 20))  # 100
    factories.inspection(place.other_unit, inspected_on=date(2026, 10, 2), score=70)
    factories.inspection(factories.unit(block), inspected_on=date(2026, 10, 3), score=88)
    rows = rows_of(Span.month(202610), Level.BUILDINGS, Reach(place.community.id), place.manager)
    assert [(r.building, r.average, r.inspections, r.unit, r.rank) for r in rows] == [
        ("1", 90.0, 3, None, 1),
        ("2", 88.0, 1, None, 2),
    ]


def test_the_ranking_is_one_query_a_page_at_a_time(app, place):
    """However many units there are, a page reads the count, its rows and their places: three
    statements."""
    for n in range(30):
        entrance = factories.unit(place.building, number=f"{n + 10}")
        factories.inspection(entrance, inspected_on=date(2026, 10, 1 + n % 28), score=n)
    statements = []

    def count_statement(*_args):  # type: ignore[no-untyped-def]
        statements.append(1)

    query = services.ranking(Span.month(202610), Level.UNITS, Reach(), place.manager)
    event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        page = services.with_places(db.session.execute(query.limit(25)).all())
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)
    assert (total, len(page), len(statements)) == (30, 25, 3)
    assert (page[0].rank, page[0].average, page[0].unit) == (1, 29.0, "39")


# --- the honour board -----------------------------------------------------------------------


def _honoured_community(place):  # type: ignore[no-untyped-def]
    """October: units 1-1 at 100, 1-2 and 2-1 tied at 90, 2-2 at 80; Q3: only 2-2, at 100."""
    block = factories.building(place.community, number="2")
    third, fourth = factories.unit(block, number="1"), factories.unit(block, number="2")
    factories.inspection(place.unit, inspected_on=date(2026, 10, 3))
    factories.inspection(place.other_unit, inspected_on=date(2026, 10, 4), score=90)
    factories.inspection(third, inspected_on=date(2026, 10, 5), score=90)
    factories.inspection(fourth, inspected_on=date(2026, 10, 6), score=80)
    factories.inspection(fourth, inspected_on=date(2026, 9, 6))
    return block


def test_the_honour_board_names_each_communitys_best(place):
    _honoured_community(place)
    factories.inspection(inspected_on=date(2026, 10, 3))  # another company's community
    communities = list(db.session.execute(services.honour_communities(place.manager)))
    assert [(c.id, c.name) for c in communities] == [(place.community.id, "兴隆苑")]
    [board] = services.honour_board(communities, place.manager)
    month, quarter = board.spans
    assert (month.span, quarter.span) == (Span.month(202610), Span.quarter_of(202607))
    assert [(u.rank, u.building, u.unit, u.average) for u in month.units] == [
        (1, "1", "1", 100.0),
        (2, "1", "2", 90.0),
        (2, "2", "1", 90.0),
    ]
    assert [(b.rank, b.building) for b in month.buildings] == [(1, "1")]
    assert [(u.rank, u.building, u.unit) for u in quarter.units] == [(1, "2", "2")]
    assert [b.building for b in quarter.buildings] == ["2"]
    assert not board.empty


def test_residents_see_the_honours_of_their_own_community(place):
    _honoured_community(place)
    other = factories.inspection(inspected_on=date(2026, 10, 3))
    communities = list(db.session.execute(services.honour_communities(place.neighbour)))
    assert [c.id for c in communities] == [place.community.id]
    # Asking for another community's honours gives the resident nothing of it.
    foreign = db.session.get(type(place.community), other.community_id)
    [board] = services.honour_board([(foreign.id, foreign.name)], place.neighbour)
    assert board.empty


def test_the_honour_board_searches_communities_by_name(place):
    _honoured_community(place)
    admin = factories.user(Role.ADMIN)
    factories.inspection(
        factories.unit(factories.building(factories.community(name="青松里"))),
        inspected_on=date(2026, 10, 3),
    )
    names = [c.name for c in db.session.execute(services.honour_communities(admin, "青"))]
    assert names == ["青松里"]
