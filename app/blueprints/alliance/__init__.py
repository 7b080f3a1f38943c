"""Merchant alliance (商业联盟): for now the landing page of merchants and alliance officers."""

from flask import Blueprint

from app.areas import Area
from app.blueprints.alliance import access, menu, views


def blueprint() -> Blueprint:
    area = Blueprint("alliance", __name__, url_prefix="/alliance")
    area.register_blueprint(views.bp)
    return area


AREA = Area(blueprint, menu.MENU, rules=access.RULES)
