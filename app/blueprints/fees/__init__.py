"""Fee collection (收费): billing, payments and receipts, arrears and collection reports.

Its routes live in one package per part, all on this one blueprint.
"""

from flask import Blueprint, Flask

bp = Blueprint("fees", __name__)


def register(app: Flask) -> None:
    # Importing the view modules attaches their routes to `bp`.
    from app.blueprints.fees.billing import views as billing_views  # noqa: F401
    from app.blueprints.fees.payments import views as payment_views  # noqa: F401
    from app.blueprints.fees.reports import views as report_views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/fees")
