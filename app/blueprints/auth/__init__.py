"""Accounts (`account`: signing in and out, the password, the language, the landing redirect,
the health check) and household activation codes (`activation`). Their URLs have no prefix.
"""

from flask import Blueprint

from app.areas import Area
from app.blueprints.auth import access, activation_views, views


def blueprint() -> Blueprint:
    area = Blueprint("auth", __name__)
    area.register_blueprint(views.bp)
    area.register_blueprint(activation_views.bp)
    return area


AREA = Area(blueprint, rules=access.RULES)
