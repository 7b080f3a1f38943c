"""The property area's menu entries, by role, and the paths each entry's section holds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role

MENU = {
    Role.ADMIN: [
        ("property.home.overview", _l("District overview")),
        ("property.roster.roster_households", _l("Roster")),
        ("property.requests.request_figures", _l("Service figures")),
    ],
    Role.MANAGER: [
        ("property.home.dashboard", _l("My communities")),
        ("property.roster.roster_households", _l("Roster")),
        ("property.requests.request_inbox", _l("Service requests")),
        ("property.notices.notices_list", _l("Notices")),
        ("auth.activation.activation_codes", _l("Activation codes")),
        ("property.imports.import_index", _l("Import households")),
    ],
    Role.STEWARD: [
        ("property.requests.my_tasks", _l("My tasks")),
        ("property.home.dashboard", _l("My communities")),
        ("property.roster.roster_households", _l("Roster")),
        ("property.notices.notices_list", _l("Notices")),
    ],
    Role.RESIDENT: [
        ("property.home.my_home", _l("My home")),
        ("property.requests.my_requests", _l("My requests")),
    ],
}
SECTIONS = {
    "property.roster.roster_households": ("/property/roster/",),
    "property.requests.request_inbox": ("/property/requests/",),
    "property.requests.my_requests": ("/property/requests/",),
    "property.requests.my_tasks": ("/property/requests/",),
    "property.notices.notices_list": ("/property/notices",),
    "property.imports.import_index": ("/property/imports",),
    "auth.activation.activation_codes": ("/activation-codes",),
}
