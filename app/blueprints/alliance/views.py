"""The alliance's landing page (`/alliance/`): a merchant's application, shops, upgrades and
pledge; an officer's queue of applications, upgrades and pledges to renew, and the totals."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.authz import roles_required
from app.blueprints.alliance.members import services
from app.blueprints.alliance.members.views import waited
from app.models import MembershipStatus, Role
from app.pagination import paginate
from app.periods import shanghai_today
from app.rendering import render_page

bp = Blueprint("home", __name__)
QUEUE_ROWS = 10


def has_endpoint(name: str) -> bool:
    """Whether the app has the route: a part not installed yet gets no link."""
    return name in current_app.view_functions


@bp.get("/")
@roles_required(Role.MERCHANT, Role.OFFICER)
def home() -> ResponseReturnValue:
    if current_user.role == Role.OFFICER:
        return _officer_home()
    return _merchant_home()


def _merchant_home() -> ResponseReturnValue:
    merchant = services.current_merchant(current_user)
    if merchant is None:
        return render_page("alliance/home/merchant.html", merchant=None)
    today = shanghai_today()
    applications = services.applications_of(merchant.id)
    pledges = {
        membership.id: services.pledge_state(merchant.id, alliance.id, today)
        for membership, alliance in applications
        if membership.status is MembershipStatus.APPROVED
    }
    # Declined applications stay in the history; the latest per alliance says where it stands.
    latest = {}
    for membership, alliance in applications:
        latest.setdefault(alliance.id, (membership, alliance))
    member = bool(pledges)
    return render_page(
        "alliance/home/merchant.html",
        merchant=merchant,
        applications=list(latest.values()),
        pledges=pledges,
        member=member,
        shops=services.shops_of(merchant.id) if member else [],
        upgrades=services.merchant_upgrades(merchant.id) if member else [],
        can_apply=len(latest) < len(services.alliance_choices())
        or any(m.status is MembershipStatus.DECLINED for m, _a in latest.values()),
        has_endpoint=has_endpoint,
    )


def _officer_home() -> ResponseReturnValue:
    alliance = services.officer_alliance(current_user)
    if alliance is None:
        return render_page("alliance/home/officer.html", alliance=None)
    return render_page(
        "alliance/home/officer.html",
        alliance=alliance,
        # The longest waiting of each queue; its list, or the count, says how many more.
        applications=paginate(services.pending_applications(alliance.id), per_page=QUEUE_ROWS),
        upgrades=paginate(services.upgrades_waiting(alliance.id), per_page=QUEUE_ROWS),
        renewals=paginate(
            services.pledges_to_renew(alliance.id, shanghai_today()), per_page=QUEUE_ROWS
        ),
        totals=services.alliance_totals(alliance.id),
        waited=waited,
        has_endpoint=has_endpoint,
        state_on=services.state_on,
        today=shanghai_today(),
    )
