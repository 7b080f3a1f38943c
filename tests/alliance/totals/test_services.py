"""The totals count the approved revision of each upgrade and nothing else, split by shop
origin, by street, by category and by month, each scoped to what the reader may see."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from app.blueprints.alliance.totals import services
from app.extensions import db
from app.models import (
    Merchant,
    Role,
    ShopCategory,
    ShopOrigin,
    Upgrade,
    UpgradeRevision,
    UpgradeStatus,
)
from app.periods import utcnow
from tests import factories


def street():
    """An alliance with two upgraded shops and a new one, and upgrades that must not count."""
    alliance = factories.alliance(street="弹子石老街")
    food = factories.shop(to=factories.alliance(), category=ShopCategory.FOOD)  # elsewhere
    factories.upgrade(food, investment_fen=99_00)
    member = factories.membership(to=alliance)
    merchant = db.session.get(Merchant, member.merchant_id)
    tea = factories.shop(merchant, alliance, category=ShopCategory.BAR_CAFE)
    inn = factories.shop(merchant, alliance, category=ShopCategory.LODGING)
    new = factories.shop(merchant, alliance, category=ShopCategory.FOOD, origin=ShopOrigin.NEW)
    factories.upgrade(tea, investment_fen=120_000_00, finishes_on=date(2026, 9, 20))
    factories.upgrade(tea, investment_fen=30_000_00, finishes_on=date(2026, 10, 2))
    factories.upgrade(inn, investment_fen=250_000_00, status=UpgradeStatus.COMPLETED)
    factories.upgrade(new, investment_fen=400_000_00, finishes_on=date(2026, 10, 30))
    for status in (UpgradeStatus.DRAFT, UpgradeStatus.SUBMITTED, UpgradeStatus.RETURNED):
        factories.upgrade(inn, status=status, investment_fen=1_000_000_00)
    return alliance, tea


def test_only_approved_revisions_count_split_by_origin(database):
    alliance, _tea = street()
    report = services.totals(alliance, factories.officer(alliance))
    assert report.overall.upgraded.shops == 2
    assert report.overall.upgraded.upgrades == 3
    assert report.overall.upgraded.investment_fen == 400_000_00
    assert report.overall.upgraded.average_fen == 200_000_00
    assert report.overall.new.shops == 1
    assert report.overall.new.investment_fen == 400_000_00
    assert report.overall.total.investment_fen == 800_000_00
    assert report.overall.total.average_fen == round(800_000_00 / 3)


def test_an_edit_after_approval_leaves_the_approved_figures_counted(database):
    alliance, tea = street()
    counted = db.session.scalar(db.select(Upgrade).where(Upgrade.shop_id == tea.id).limit(1))
    merchant_user = db.session.get(Merchant, tea.merchant_id).user_id
    db.session.add(
        UpgradeRevision(
            upgrade_id=counted.id,
            alliance_id=alliance.id,
            number=2,
            work="再加一块招牌",
            investment_fen=9_999_999_00,
            starts_on=date(2026, 9, 1),
            finishes_on=date(2026, 11, 1),
            created_by_user_id=merchant_user,
            submitted_at=utcnow(),
        )
    )
    db.session.commit()
    assert (
        services.totals(alliance, factories.officer(alliance)).overall.total.investment_fen
        == 800_000_00
    )


def test_by_category_lists_every_category_and_by_month_the_finishing_months(database):
    alliance, _tea = street()
    report = services.totals(alliance, factories.officer(alliance))
    categories = {row.key: row for row in report.by_category}
    assert list(categories) == list(ShopCategory)
    assert categories[ShopCategory.BAR_CAFE].upgraded.investment_fen == 150_000_00
    assert categories[ShopCategory.BAR_CAFE].upgraded.shops == 1
    assert categories[ShopCategory.FOOD].new.investment_fen == 400_000_00
    assert categories[ShopCategory.RETAIL].total.shops == 0
    months = {row.name: row for row in report.by_month}
    assert list(months) == ["2026-09", "2026-10"]
    assert months["2026-09"].upgraded.investment_fen == 120_000_00
    # The inn's upgrade finishes on the factory's 2026-10-15, the tea house's second on 10-02.
    assert months["2026-10"].upgraded.investment_fen == 280_000_00
    assert months["2026-10"].upgraded.shops == 2
    assert months["2026-10"].new.investment_fen == 400_000_00
    assert report.by_street == []


def test_the_district_counts_every_street_and_an_officer_only_their_own(database):
    alliance, _tea = street()
    empty = factories.alliance(street="空街")
    district = services.totals(user=factories.user(Role.ADMIN))
    streets = {row.key: row for row in district.by_street}
    assert streets[alliance.id].total.investment_fen == 800_000_00
    assert streets[alliance.id].name == "弹子石老街"
    assert streets[empty.id].total.shops == 0
    assert district.overall.total.investment_fen == 800_000_00 + 99_00
    assert district.by_street[0].key == alliance.id  # the largest first

    officer = factories.officer(alliance)
    own = services.totals(user=officer)
    assert [row.key for row in own.by_street] == [alliance.id]
    assert own.overall.total.investment_fen == 800_000_00


def test_the_export_has_one_row_per_counted_upgrade_and_neutralises_formulas(app, database):
    alliance, tea = street()
    tea.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    out = io.BytesIO()
    where = services.counted_where(alliance, factories.officer(alliance))
    with app.test_request_context():
        written = services.write_xlsx(services.export_rows(where), out, "投资")
        headings = services.export_headings()
    assert written == 4
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == headings
    assert len(rows) == 5
    assert {row[2] for row in rows[1:]} >= {'\'=HYPERLINK("http://evil")'}
    assert sum(float(row[5]) for row in rows[1:]) == 800_000
    assert all(row[1] == "弹子石老街" for row in rows[1:])
    assert all(row[6] is not None and row[7] is not None for row in rows[1:])
