"""The menu each role sees. Views enforce access themselves; the menu only leads the way."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.models import Role

NAVIGATION = {
    Role.ADMIN: [
        ("property.overview", _l("District overview")),
        ("property.roster_households", _l("Roster")),
        ("property.request_figures", _l("Service figures")),
        ("fees.billing_home", _l("Billing")),
        ("fees.daily_report", _l("Daily cash report")),
        ("fees.collection_report", _l("Collection rates")),
        ("fees.arrears", _l("Arrears")),
    ],
    Role.MANAGER: [
        ("property.dashboard", _l("My communities")),
        ("property.roster_households", _l("Roster")),
        ("property.request_inbox", _l("Service requests")),
        ("property.notices_list", _l("Notices")),
        ("auth.activation_codes", _l("Activation codes")),
        ("property.import_index", _l("Import households")),
        ("fees.billing_home", _l("Billing")),
        ("fees.counter", _l("Counter")),
        ("fees.daily_report", _l("Daily cash report")),
        ("fees.collection_report", _l("Collection rates")),
        ("fees.arrears", _l("Arrears")),
    ],
    Role.STEWARD: [
        ("property.my_tasks", _l("My tasks")),
        ("property.dashboard", _l("My communities")),
        ("property.roster_households", _l("Roster")),
        ("property.notices_list", _l("Notices")),
    ],
    Role.RESIDENT: [
        ("property.my_home", _l("My home")),
        ("property.my_requests", _l("My requests")),
        ("fees.my_fees", _l("My fees")),
    ],
    Role.MERCHANT: [("alliance.home", _l("Merchant alliance"))],
    Role.OFFICER: [("alliance.home", _l("Merchant alliance"))],
}

# The pages under a menu entry besides its own, by path: a request's page, a receipt, the
# roster's other tabs are still "in" that entry, and the menu says so.
SECTIONS = {
    "property.roster_households": ("/property/roster/",),
    "property.request_inbox": ("/property/requests/",),
    "property.my_requests": ("/property/requests/",),
    "property.my_tasks": ("/property/requests/",),
    "property.notices_list": ("/property/notices",),
    "property.import_index": ("/property/imports",),
    "auth.activation_codes": ("/activation-codes",),
    "fees.billing_home": ("/fees/billing",),
    "fees.counter": ("/fees/counter", "/fees/receipts"),
    "fees.collection_report": ("/fees/reports/collection",),
    "fees.arrears": ("/fees/reports/arrears",),
    "fees.my_fees": ("/fees/my", "/fees/receipts"),
}


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    text: str
    current: str | None  # aria-current: "page" on its own page, "true" elsewhere in its section


def menu(role: Role, endpoint: str | None, path: str) -> list[MenuEntry]:
    """The role's menu, the entry the user is in marked: its own page, or else the first entry
    whose section holds the path."""
    targets = [target for target, _text in NAVIGATION.get(role, [])]
    if endpoint in targets:
        marked, current = endpoint, "page"
    else:
        in_section = (t for t in targets if path.startswith(SECTIONS.get(t, ())))
        marked, current = next(in_section, None), "true"
    return [
        MenuEntry(target, str(text), current if target == marked else None)
        for target, text in NAVIGATION.get(role, [])
    ]
