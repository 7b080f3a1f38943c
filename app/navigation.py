"""The menu each role sees. Views enforce access themselves; the menu only leads the way."""

from flask_babel import lazy_gettext as _l

from app.models import Role

NAVIGATION = {
    Role.ADMIN: [("property.overview", _l("District overview"))],
    Role.MANAGER: [("property.dashboard", _l("My communities"))],
    Role.STEWARD: [("property.dashboard", _l("My communities"))],
    Role.RESIDENT: [("property.my_home", _l("My home"))],
    Role.MERCHANT: [("alliance.home", _l("Merchant alliance"))],
    Role.OFFICER: [("alliance.home", _l("Merchant alliance"))],
}
