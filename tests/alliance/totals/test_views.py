"""The totals pages and their exports: an officer reads their own alliance's, the district office
every alliance's; the charts are inline SVG; the export streams a workbook of counted rows; the
district overview gains the alliances' figures."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from app.models import Role, ShopCategory, ShopOrigin, UpgradeStatus
from tests import factories
from tests.conftest import login


def alliance_with_upgrades():
    alliance = factories.alliance(name="弹子石商业联盟", street="弹子石老街")
    member = factories.membership(to=alliance)
    from app.extensions import db
    from app.models import Merchant

    owner = db.session.get(Merchant, member.merchant_id)
    tea = factories.shop(owner, alliance, name="老街茶馆", category=ShopCategory.BAR_CAFE)
    new = factories.shop(
        owner, alliance, name="江景民宿", category=ShopCategory.LODGING, origin=ShopOrigin.NEW
    )
    factories.upgrade(tea, investment_fen=150_000_00, finishes_on=date(2026, 9, 20))
    factories.upgrade(new, investment_fen=320_000_00, finishes_on=date(2026, 10, 8))
    factories.upgrade(tea, investment_fen=1_000_000_00, status=UpgradeStatus.SUBMITTED)
    return alliance


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_an_officer_reads_their_alliances_totals_with_charts(app, database):
    alliance = alliance_with_upgrades()
    client = signed_in(app, factories.officer(alliance))
    landing = client.get("/alliance/totals/")
    assert landing.status_code == 302
    assert landing.headers["Location"].endswith(f"/alliance/totals/alliances/{alliance.id}")
    page = client.get(landing.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "¥470,000.00" in html  # 150,000 + 320,000 yuan: the submitted upgrade not counted
    assert "¥1,470,000.00" not in html
    assert html.count("<svg") == 2  # by category, by month
    assert 'class="seg-upgraded"' in html and 'class="seg-new"' in html
    assert "style=" not in html
    assert "2026-09" in html and "2026-10" in html


def test_an_officer_cannot_read_another_alliances_totals_or_the_districts(app, database):
    alliance_with_upgrades()
    client = signed_in(app, factories.officer())
    other = factories.alliance()
    mine = client.get("/alliance/totals/", follow_redirects=False).headers["Location"]
    assert f"/{other.id}" not in mine
    for path in ("/alliance/totals/alliances/{}", "/alliance/totals/alliances/{}.xlsx"):
        assert client.get(path.format(other.id)).status_code == 404
    assert client.get("/alliance/totals/district.xlsx").status_code == 403


def test_the_district_office_sees_every_street_and_opens_one(admin_client, database):
    alliance = alliance_with_upgrades()
    factories.alliance(name="宜昌滨江商业联盟", street="滨江路")
    html = admin_client.get("/alliance/totals/").get_data(as_text=True)
    assert "弹子石老街" in html and "滨江路" in html
    assert html.count("<svg") == 3
    assert f'href="/alliance/totals/alliances/{alliance.id}"' in html
    one = admin_client.get(f"/alliance/totals/alliances/{alliance.id}")
    assert one.status_code == 200


def test_the_export_streams_the_counted_rows(app, database):
    alliance = alliance_with_upgrades()
    client = signed_in(app, factories.officer(alliance))
    response = client.get(f"/alliance/totals/alliances/{alliance.id}.xlsx")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert sorted(row[2] for row in rows[1:]) == sorted(["老街茶馆", "江景民宿"])
    assert sorted(float(row[5]) for row in rows[1:]) == [150_000, 320_000]


def test_the_district_overview_has_the_alliances_panel(admin_client, database):
    alliance = alliance_with_upgrades()
    html = admin_client.get("/property/overview").get_data(as_text=True)
    assert "弹子石商业联盟" in html
    assert f'href="/alliance/totals/alliances/{alliance.id}"' in html
    assert "¥150,000.00" in html and "¥320,000.00" in html


def test_a_manager_has_no_totals(login_as, database):
    client = login_as(Role.MANAGER)
    assert client.get("/alliance/totals/").status_code == 403
