"""The pacts panel on the manager's dashboard and the district overview."""

from __future__ import annotations

from datetime import date

from app.blueprints.pacts.figures import pact_figures
from app.models import CampaignStatus, Role
from tests import factories


def _world():
    """Two units of one company's community: one with a steward, a leader, an adopted pact
    and two inspections this month; one with a steward only."""
    entrance = factories.unit()
    bare = factories.unit(entrance.building)
    factories.steward_assignment(entrance)
    factories.leader_assignment(factories.household(entrance))
    factories.steward_assignment(bare)
    factories.steward_assignment(bare, ends_on=date(2026, 2, 1), starts_on=date(2025, 1, 1))
    campaign = factories.campaign(factories.pact_version(entrance))
    factories.campaign(factories.pact_version(bare), status=CampaignStatus.OPEN)
    factories.inspection(entrance, inspected_on=date(2026, 11, 2), cleanliness=2)
    factories.inspection(bare, inspected_on=date(2026, 11, 5))
    factories.inspection(bare, inspected_on=date(2026, 10, 5))
    return entrance, campaign


def test_figures_count_what_the_reader_may_see(database):
    entrance, _campaign = _world()
    manager = factories.user(Role.MANAGER, company_id=entrance.building.community.company_id)
    stranger = factories.user(Role.MANAGER, company_id=factories.company().id)

    mine = pact_figures(manager)
    assert (mine.units, mine.with_steward, mine.with_leader, mine.with_both) == (2, 2, 1, 1)
    assert (mine.campaigns_open, mine.inspections) == (2, 2)
    assert mine.average_score == (90 + 100) / 2
    assert mine.with_pact == 0

    theirs = pact_figures(stranger)
    assert (theirs.units, theirs.with_both, theirs.inspections) == (0, 0, 0)
    assert theirs.average_score is None


def test_the_dashboard_shows_the_panel(database, login_as):
    entrance, _campaign = _world()
    manager = factories.user(Role.MANAGER, company_id=entrance.building.community.company_id)
    page = login_as(Role.MANAGER, manager).get("/property/dashboard").get_data(as_text=True)
    assert "50%" in page  # one unit of two has both a steward and a leader
    overview = login_as(Role.ADMIN).get("/property/overview").get_data(as_text=True)
    assert "panel-1" in overview
