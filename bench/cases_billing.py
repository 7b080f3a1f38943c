"""Cases of the billing part."""

from __future__ import annotations

from app.blueprints.fees.billing.services import run_billing
from app.extensions import db
from app.periods import add_months, current_period, format_period
from bench.registry import Bench, case, page


@case("billing run, whole city, new month", runs=3, warmup=False)
def billing_run_city(bench: Bench) -> None:
    run = run_billing(bench.new_period(), None, None)
    db.session.commit()
    assert run.bills_created, "the month had been billed already"


page(
    "billing preview, one community",
    "manager",
    "/fees/billing/preview?community_id={community_id}&period=2019-01",
)
page("billing page, district office", "admin", "/fees/billing")
page(
    "billing preview, whole city, a new month",
    "admin",
    "/fees/billing/preview?community_id=0&period=2019-01",
    runs=3,
)


@case("billing preview, whole city, a month already billed", runs=3)
def billing_preview_city_billed(bench: Bench) -> None:
    """The second look at a month: every household must be checked against its bills."""
    month = format_period(add_months(current_period(), -1))
    bench.get_ok(bench.admin, f"/fees/billing/preview?community_id=0&period={month}")


page("fee items page, one community", "manager", "/fees/billing/communities/{community_id}")
page(
    "parking spaces page, one community",
    "manager",
    "/fees/billing/communities/{community_id}/parking",
)
