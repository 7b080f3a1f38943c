"""The property area's menu entries: who sees each, and the paths each entry's section holds.
Each role's menu keeps the order of this list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.navigation import Entry, by_role, sections_of

ADMIN, MANAGER, STEWARD, RESIDENT = Role.ADMIN, Role.MANAGER, Role.STEWARD, Role.RESIDENT
REQUESTS = ("/property/requests/",)

ENTRIES = (
    Entry("property.requests.my_tasks", _l("My tasks"), (STEWARD,), REQUESTS),
    Entry("property.home.overview", _l("District overview"), (ADMIN,)),
    Entry("property.home.dashboard", _l("My communities"), (MANAGER, STEWARD)),
    Entry("property.home.my_home", _l("My home"), (RESIDENT,)),
    Entry(
        "property.roster.roster_households",
        _l("Roster"),
        (ADMIN, MANAGER, STEWARD),
        ("/property/roster/",),
    ),
    Entry("property.requests.request_figures", _l("Service figures"), (ADMIN,)),
    Entry("property.requests.request_inbox", _l("Service requests"), (MANAGER,), REQUESTS),
    Entry("property.requests.my_requests", _l("My requests"), (RESIDENT,), REQUESTS),
    Entry(
        "property.notices.notices_list", _l("Notices"), (MANAGER, STEWARD), ("/property/notices",)
    ),
    Entry(
        "auth.activation.activation_codes",
        _l("Activation codes"),
        (MANAGER,),
        ("/activation-codes",),
    ),
    Entry(
        "property.imports.import_index", _l("Import households"), (MANAGER,), ("/property/imports",)
    ),
)
MENU = by_role(ENTRIES)
SECTIONS = sections_of(ENTRIES)
