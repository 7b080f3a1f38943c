"""The menu each role sees. Views enforce access themselves; the menu only leads the way."""

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
