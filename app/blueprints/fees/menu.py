"""The fees area's menu entries: who sees each, and the paths each entry's section holds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.navigation import Entry, by_role, sections_of

OFFICE = (Role.ADMIN, Role.MANAGER)

ENTRIES = (
    Entry("fees.billing.billing_home", _l("Billing"), OFFICE, ("/fees/billing",)),
    Entry(
        "fees.payments.counter", _l("Counter"), (Role.MANAGER,), ("/fees/counter", "/fees/receipts")
    ),
    Entry("fees.payments.daily_report", _l("Daily cash report"), OFFICE),
    Entry(
        "fees.reports.collection_report",
        _l("Collection rates"),
        OFFICE,
        ("/fees/reports/collection",),
    ),
    Entry("fees.reports.arrears", _l("Arrears"), OFFICE, ("/fees/reports/arrears",)),
    Entry("fees.reports.my_fees", _l("My fees"), (Role.RESIDENT,), ("/fees/my", "/fees/receipts")),
)
MENU = by_role(ENTRIES)
SECTIONS = sections_of(ENTRIES)
