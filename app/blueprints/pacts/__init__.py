"""Corridor pacts and building stewards (楼道公约 · 楼道管家): steward assignments, the public
boards, pacts and their versions, signing campaigns in three rounds, inspections and rankings.

One blueprint per part, nested under the area's, which adds the /pacts prefix.
"""

from flask import Blueprint

from app.areas import Area
from app.blueprints.pacts import access, figures, labels, menu
from app.blueprints.pacts.boards import views as boards
from app.blueprints.pacts.campaigns import views as campaigns
from app.blueprints.pacts.home import views as home
from app.blueprints.pacts.inspections import views as inspections
from app.blueprints.pacts.library import views as library
from app.blueprints.pacts.stewards import views as stewards


def blueprint() -> Blueprint:
    area = Blueprint("pacts", __name__, url_prefix="/pacts")
    for part in (home, stewards, boards, library, campaigns, inspections):
        area.register_blueprint(part.bp)
    return area


AREA = Area(blueprint, menu.MENU, menu.SECTIONS, labels.LABELS, access.RULES, figures.PANELS)
