"""Fee collection (收费): billing, payments and receipts, arrears and collection reports.

One blueprint per part (`billing`, `payments`, `reports`), nested under the area's, which adds
the /fees prefix and the `flask fees …` commands.
"""

from flask import Blueprint

from app.areas import Area
from app.blueprints.fees import access, labels, menu
from app.blueprints.fees.billing import views as billing
from app.blueprints.fees.billing.commands import assess_late_fees_command
from app.blueprints.fees.payments import views as payments
from app.blueprints.fees.reports import views as reports


def blueprint() -> Blueprint:
    area = Blueprint("fees", __name__, url_prefix="/fees")
    for part in (billing, payments, reports):
        area.register_blueprint(part.bp)
    area.cli.add_command(assess_late_fees_command)
    return area


AREA = Area(blueprint, menu.MENU, menu.SECTIONS, labels.LABELS, access.RULES)
