"""How fees pages are rendered: an htmx request for a list gets the list's block alone, any other
request the whole page (one entry point decides, app.rendering.render_page); and a GET never
writes, yet shows late fees up to today."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from app.blueprints.fees.billing.services import DUE, assess_late_fees
from app.extensions import db
from app.models import Bill, Role
from app.money import format_fen
from app.periods import shanghai_today
from tests import factories
from tests.fees.billing.test_services import late_rule
from tests.fees.reports.test_services import World, build_world

Login = Callable[..., FlaskClient]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(database: None) -> World:
    return build_world()


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def list_pages(world: World, login_as: Login) -> dict[str, tuple[FlaskClient, str]]:
    """Each fees list, as (a client who may read it, its URL)."""
    manager = login_as(user=world.manager)
    resident = login_as(user=factories.resident(world.h1))
    space = factories.parking_space(world.community)
    db.session.commit()
    return {
        "billing communities": (manager, "/fees/billing?q=桃"),
        "parking spaces": (manager, f"/fees/billing/communities/{space.community_id}/parking"),
        "counter search": (manager, "/fees/counter?q=101"),
        "household's payments": (manager, f"/fees/counter/households/{world.h1.id}"),
        "daily report": (manager, "/fees/daily"),
        "collection report": (manager, f"/fees/reports/collection/companies/{world.company.id}"),
        "arrears": (manager, f"/fees/reports/arrears?community_id={world.community.id}"),
        "my bills": (resident, "/fees/my"),
        "my payments": (resident, "/fees/my/payments"),
    }


def test_an_htmx_request_for_a_list_gets_the_list_alone(world: World, login_as: Login) -> None:
    for name, (client, url) in list_pages(world, login_as).items():
        page = text(client.get(url))
        partial = text(client.get(url, headers=HTMX))
        assert "<html" in page, name
        assert "<html" not in partial and partial.strip(), name
        assert partial.strip()[:40] in page, name  # the page's own block, not another one


def test_a_boosted_navigation_gets_the_whole_page(world: World, login_as: Login) -> None:
    manager = login_as(user=world.manager)
    boosted = text(manager.get("/fees/counter?q=101", headers={**HTMX, "HX-Boosted": "true"}))
    assert "<html" in boosted


# ---- A GET never writes ---------------------------------------------------------------------


@contextmanager
def writes_recorded() -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements the database receives meanwhile."""
    writes: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield writes
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def stored_late_fees() -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Bill.household_id, func.sum(Bill.late_fee_fen)).group_by(Bill.household_id)
    )
    return {household_id: int(total) for household_id, total in rows}


def owed(household_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(DUE), 0)).where(
                Bill.household_id == household_id, DUE > 0
            )
        )
    )


def test_pages_of_what_is_owed_show_late_fees_up_to_today_and_write_nothing(
    world: World, login_as: Login
) -> None:
    """No nightly job has run since the rule was turned on: the counter, the resident's page,
    the reminder slip and the community's arrears (the list and its export) show the late fees
    as of today all the same, worked out as they are read; nothing is written until a payment
    or the nightly job assesses them, and then to the amounts the pages showed."""
    late_rule(world.community)
    other = factories.household(factories.unit(factories.building(world.community)))
    factories.bill(other, world.property_fee, period=202601)
    db.session.commit()
    before = stored_late_fees()
    resident = login_as(user=factories.resident(world.h2))
    resident.set_cookie("lang", "en")
    manager = login_as(user=world.manager)
    arrears = f"/fees/reports/arrears?community_id={world.community.id}"

    with writes_recorded() as writes:
        mine = text(resident.get("/fees/my"))
        counter = text(manager.get(f"/fees/counter/households/{world.h1.id}"))
        slip = text(manager.get(f"/fees/reports/arrears/households/{world.h1.id}/reminder"))
        listed = text(manager.get(arrears))
        export = manager.get(arrears.replace("arrears?", "arrears.xlsx?")).get_data()
    assert writes == []
    assert stored_late_fees() == before

    assess_late_fees(shanghai_today())  # what the nightly job does
    db.session.commit()
    after = stored_late_fees()
    homes = (world.h1.id, world.h2.id, other.id)
    assert all(after[home] > before[home] for home in homes)
    assert f"You owe {format_fen(owed(world.h2.id))} now" in mine
    assert format_fen(owed(world.h1.id)) in counter
    assert format_fen(owed(world.h1.id)) in slip
    assert format_fen(sum(owed(home) for home in homes)) in listed
    sheet = load_workbook(io.BytesIO(export)).active
    totals = [Decimal(str(row[-1])) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(totals) == sorted(Decimal(owed(home)) / 100 for home in homes)


def test_a_payment_assesses_its_household_before_it_is_applied(
    world: World, login_as: Login
) -> None:
    """The counter shows today's late fee without writing it; the payment then assesses the
    household under its locks and collects exactly what the page showed."""
    late_rule(world.community)
    shown = factories.household(factories.unit(factories.building(world.community)))
    factories.bill(shown, world.property_fee, period=202601)
    db.session.commit()
    clerk = login_as(Role.ADMIN)
    page = text(clerk.get(f"/fees/counter/households/{shown.id}"))
    assert stored_late_fees()[shown.id] == 0

    factories.payment(shown, 100, clerk=world.manager)
    due = owed(shown.id) + 100
    assert stored_late_fees()[shown.id] > 0
    assert format_fen(due) in page
