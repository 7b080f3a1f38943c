"""Cases of the reports part, through the server as a signed-in user: the collection-rate
report (year to date) for the whole city and for one company, the first page of a community's
arrears, and a household search at the counter."""

from __future__ import annotations

from bench.registry import page

page("collection-rate report, city", "admin", "/fees/reports/collection")
page(
    "collection-rate report, one company",
    "manager",
    "/fees/reports/collection/companies/{company_id}",
)
page(
    "arrears first page, one community",
    "manager",
    "/fees/reports/arrears?community_id={community_id}",
)
# What a clerk types at the counter: an owner's surname, matched at the start of the name.
page("household search", "manager", "/fees/counter?q=张")
