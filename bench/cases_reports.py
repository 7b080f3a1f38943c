"""Cases of the reports part, through the server as a signed-in user: the collection-rate
report (year to date) for the whole city and for one company, the first page of a community's
arrears, and a household search at the counter."""

from __future__ import annotations

from bench.registry import Bench, case


@case("collection-rate report, city")
def collection_report_city(bench: Bench) -> None:
    bench.get_ok(bench.admin, "/fees/reports/collection")


@case("collection-rate report, one company")
def collection_report_company(bench: Bench) -> None:
    bench.get_ok(bench.manager, f"/fees/reports/collection/companies/{bench.sample.company_id}")


@case("arrears first page, one community")
def arrears_first_page(bench: Bench) -> None:
    bench.get_ok(bench.manager, f"/fees/reports/arrears?community_id={bench.sample.community_id}")


@case("household search")
def household_search(bench: Bench) -> None:
    """What a clerk types at the counter: an owner's surname, matched at the start of the name."""
    bench.get_ok(bench.manager, "/fees/counter?q=张")
