"""The merchant alliance's menu entries: who sees each, and the paths each entry's section
holds. Each role's menu keeps the order of this list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.navigation import Entry, by_role, sections_of

ADMIN, MERCHANT, OFFICER = Role.ADMIN, Role.MERCHANT, Role.OFFICER

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "alliance.home.home",
        _l("Merchant alliance"),
        (MERCHANT, OFFICER),
        ("/alliance/apply", "/alliance/memberships", "/alliance/shops/", "/alliance/alliances"),
    ),
    Entry(
        "alliance.members.applications",
        _l("Applications"),
        (OFFICER,),
        ("/alliance/applications",),
    ),
    Entry("alliance.upgrades.review_queue", _l("Upgrades to review"), (OFFICER,)),
    Entry(
        "alliance.upgrades.upgrade_list",
        _l("Shopfront upgrades"),
        (ADMIN, MERCHANT, OFFICER),
        ("/alliance/upgrades",),
    ),
    Entry("alliance.members.shops", _l("Shops"), (OFFICER, ADMIN), ("/alliance/shops",)),
    Entry("alliance.members.alliances", _l("Alliances"), (ADMIN,), ("/alliance/alliances",)),
    Entry("alliance.totals.index", _l("Alliance totals"), (ADMIN, OFFICER), ("/alliance/totals",)),
    Entry(
        "alliance.directory.index",
        _l("Shop directory"),
        (ADMIN, MERCHANT, OFFICER),
        ("/alliance/directory",),
    ),
)
MENU = by_role(ENTRIES)
SECTIONS = sections_of(ENTRIES)
