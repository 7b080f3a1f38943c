"""Property operations (红色物业): roster, imports, one-window service, notices, dashboards.

The area is large, so its routes live in one package per part, all on this one blueprint.
"""

from flask import Blueprint, Flask

bp = Blueprint("property", __name__)


def register(app: Flask) -> None:
    # Importing the view modules attaches their routes to `bp`.
    from app.blueprints.property import views  # noqa: F401
    from app.blueprints.property.imports import views as import_views  # noqa: F401
    from app.blueprints.property.notices import views as notice_views  # noqa: F401
    from app.blueprints.property.requests import views as request_views  # noqa: F401
    from app.blueprints.property.roster import views as roster_views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/property")
