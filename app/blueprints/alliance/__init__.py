"""Merchant alliance (商业联盟): the landing page of merchants and alliance officers, and its
parts, each a blueprint nested under the area's, which adds the /alliance prefix."""

from flask import Blueprint

from app.areas import Area
from app.blueprints.alliance import access, menu, views
from app.blueprints.alliance.upgrades import labels as upgrade_labels
from app.blueprints.alliance.upgrades import views as upgrades


def blueprint() -> Blueprint:
    area = Blueprint("alliance", __name__, url_prefix="/alliance")
    area.register_blueprint(views.bp)
    area.register_blueprint(upgrades.bp)
    return area


AREA = Area(
    blueprint, menu.MENU, menu.SECTIONS, labels=[*upgrade_labels.LABELS], rules=access.RULES
)
