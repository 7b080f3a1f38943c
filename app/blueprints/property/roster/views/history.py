"""History pages: one household's, and the recent changes to the whole roster."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from app import history
from app.authz import get_visible_or_404, roles_required
from app.blueprints.property.roster import services
from app.blueprints.property.roster.views.common import EDITORS, bp, link_args
from app.models import Household
from app.pagination import Page, paginate
from app.rendering import render_page


def _history_page(entries: Page, **context: Any) -> str:
    return render_page(
        "property/roster/history.html",
        "entries",
        entries=entries,
        changes=[history.describe(item.AuditEntry) for item in entries.items],
        action_label=history.action_label,
        entity_label=history.entity_label,
        **context,
    )


@bp.get("/roster/households/<int:household_id>/history")
@roles_required(*EDITORS)
def roster_household_history(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    return _history_page(
        paginate(services.household_history(household)),
        row=services.household_row(household.id),
        endpoint="property.roster.roster_household_history",
        args={"household_id": household.id},
    )


@bp.get("/roster/history")
@roles_required(*EDITORS)
def roster_history() -> ResponseReturnValue:
    entity = request.args.get("entity")
    entity = entity if entity in services.HISTORY_ENTITIES else None
    return _history_page(
        paginate(services.recent_changes(entity)),
        row=None,
        entity=entity,
        entities=services.entity_choices(),
        endpoint="property.roster.roster_history",
        args=link_args(entity=entity),
    )
