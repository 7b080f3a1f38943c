"""Merchant alliance (商业联盟): the alliances of the renovated shopping streets, their
merchants, shops, shopfront upgrades and pledges. One blueprint per part, nested under the
area's, which adds the /alliance prefix."""

from flask import Blueprint

from app.areas import Area
from app.blueprints.alliance import access, menu, views
from app.blueprints.alliance.members import labels as member_labels
from app.blueprints.alliance.members import views as members


def blueprint() -> Blueprint:
    area = Blueprint("alliance", __name__, url_prefix="/alliance")
    area.register_blueprint(views.bp)
    area.register_blueprint(members.bp)
    return area


AREA = Area(blueprint, menu.MENU, menu.SECTIONS, labels=member_labels.LABELS, rules=access.RULES)
