"""Property operations (红色物业): roster, imports, one-window service, notices, dashboards.

One blueprint per part (`home`: the landing pages and overviews; `roster`, `imports`,
`requests`, `notices`), nested under the area's, which adds the /property prefix.
"""

from flask import Blueprint

from app.areas import Area
from app.blueprints.property import access, labels, menu
from app.blueprints.property import views as home
from app.blueprints.property.imports import views as imports
from app.blueprints.property.notices import views as notices
from app.blueprints.property.requests import views as requests
from app.blueprints.property.roster import views as roster


def blueprint() -> Blueprint:
    area = Blueprint("property", __name__, url_prefix="/property")
    for part in (home, roster, imports, requests, notices):
        area.register_blueprint(part.bp)
    return area


AREA = Area(blueprint, menu.MENU, menu.SECTIONS, labels.LABELS, access.RULES)
