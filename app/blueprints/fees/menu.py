"""The fees area's menu entries, by role, and the paths each entry's section holds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role

MENU = {
    Role.ADMIN: [
        ("fees.billing.billing_home", _l("Billing")),
        ("fees.payments.daily_report", _l("Daily cash report")),
        ("fees.reports.collection_report", _l("Collection rates")),
        ("fees.reports.arrears", _l("Arrears")),
    ],
    Role.MANAGER: [
        ("fees.billing.billing_home", _l("Billing")),
        ("fees.payments.counter", _l("Counter")),
        ("fees.payments.daily_report", _l("Daily cash report")),
        ("fees.reports.collection_report", _l("Collection rates")),
        ("fees.reports.arrears", _l("Arrears")),
    ],
    Role.RESIDENT: [
        ("fees.reports.my_fees", _l("My fees")),
    ],
}
SECTIONS = {
    "fees.billing.billing_home": ("/fees/billing",),
    "fees.payments.counter": ("/fees/counter", "/fees/receipts"),
    "fees.reports.collection_report": ("/fees/reports/collection",),
    "fees.reports.arrears": ("/fees/reports/arrears",),
    "fees.reports.my_fees": ("/fees/my", "/fees/receipts"),
}
