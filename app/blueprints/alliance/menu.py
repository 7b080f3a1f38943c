"""The merchant alliance's menu entries: who sees each, and the paths each entry's section
holds. Each role's menu keeps the order of this list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.navigation import Entry, by_role, sections_of

ADMIN, MERCHANT, OFFICER = Role.ADMIN, Role.MERCHANT, Role.OFFICER

ENTRIES: tuple[Entry, ...] = (
    Entry("alliance.home.home", _l("Merchant alliance"), (MERCHANT, OFFICER)),
    Entry("alliance.upgrades.review_queue", _l("Upgrades to review"), (OFFICER,)),
    Entry(
        "alliance.upgrades.upgrade_list",
        _l("Shopfront upgrades"),
        (ADMIN, MERCHANT, OFFICER),
        ("/alliance/upgrades", "/alliance/shops"),
    ),
)
MENU = by_role(ENTRIES)
SECTIONS = sections_of(ENTRIES)
