"""The pacts area's menu entries: who sees each, and the paths each entry's section holds.
Each role's menu keeps the order of this list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.navigation import Entry, by_role, sections_of

ADMIN, MANAGER, STEWARD, RESIDENT = Role.ADMIN, Role.MANAGER, Role.STEWARD, Role.RESIDENT

ENTRIES: tuple[Entry, ...] = (
    Entry("pacts.home.my_units", _l("My units"), (STEWARD,)),
    Entry("pacts.home.my_building", _l("My building"), (RESIDENT,)),
    # Stewards and grid workers open the canvass lists from here.
    Entry(
        "pacts.campaigns.campaign_list",
        _l("Signing campaigns"),
        (MANAGER, STEWARD),
        ("/pacts/campaigns",),
    ),
    Entry(
        "pacts.library.index", _l("Corridor pacts"), (ADMIN, MANAGER, STEWARD), ("/pacts/library",)
    ),
    Entry("pacts.boards.index", _l("Steward boards"), (MANAGER,), ("/pacts/boards",)),
    Entry("pacts.stewards.index", _l("Stewards"), (ADMIN, MANAGER, STEWARD), ("/pacts/stewards",)),
    Entry(
        "pacts.inspections.new_inspection",
        _l("Record inspection"),
        (STEWARD,),
        ("/pacts/inspections",),
    ),
    Entry(
        "pacts.inspections.inspections_index",
        _l("Inspections"),
        (ADMIN, MANAGER),
        ("/pacts/inspections",),
    ),
    Entry(
        "pacts.inspections.honour_board", _l("Honour board"), (ADMIN, MANAGER, STEWARD, RESIDENT)
    ),
)
MENU = by_role(ENTRIES)
SECTIONS = sections_of(ENTRIES)
