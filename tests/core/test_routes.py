"""Walks every route of the app as every role, with ids of its own and another tenant's data.

A new route is covered as soon as it exists: if it takes an id this test does not know,
the test fails and asks to be taught which object that id names.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Role, UpgradeStatus, User
from tests import factories
from tests.conftest import csrf_token, login

# Routes anyone may open without signing in.
PUBLIC = {
    "static",
    "auth.account.login",
    "auth.account.healthz",
    "auth.account.set_language",
    "auth.activation.activate",
    "pacts.boards.public_board",
    "alliance.members.signup",
    "alliance.directory.index",
    "alliance.directory.alliance_directory",
    "alliance.directory.shop",
    "alliance.directory.photo",
    # The photos of approved upgrades are in the public directory; a draft's answer 404.
    "alliance.upgrades.upgrade_photo",
}


def tenant_ids(company) -> dict:
    """One of everything a route may name by id, all belonging to `company`.
    Teach this function each new kind of id a route takes."""
    community = factories.community(company)
    building = factories.building(community)
    entrance = factories.unit(building)
    home = factories.household(entrance)
    board = factories.board(entrance)
    # An alliance with its officer and a member merchant owning a shop.
    street = factories.alliance()
    trader = factories.merchant()
    member = factories.membership(trader, street)
    return {
        "company_id": company.id,
        "community_id": community.id,
        "building_id": building.id,
        "unit_id": entrance.id,
        "household_id": home.id,
        "staff_id": factories.staff(company).id,
        "notice_id": factories.notice(community).id,
        "code_id": factories.activation_code(home, code=f"TEST-CODE-{company.id:04d}-AAAA").id,
        "fee_item_id": factories.fee_item(community).id,
        "space_id": (space := factories.parking_space(community)).id,
        "lease_id": factories.parking_lease(space, home).id,
        "bill_id": factories.bill(home).id,
        "payment_id": factories.payment(home).id,
        "import_id": factories.import_job(community).id,
        "request_id": factories.service_request(home, photo=True).id,
        "pact_id": (version := factories.pact_version(entrance)).pact_id,
        "version_id": version.id,
        "clause_id": factories.pact_clause(company.id).id,
        # Open, over the resident's own unit: every role that may reach it gets its page.
        "campaign_id": factories.campaign(version).id,
        "token": board.token,
        "assignment_id": factories.steward_assignment(entrance).id,
        "inspection_id": (inspected := factories.inspection(entrance)).id,
        "photo_id": factories.inspection_photo(inspected).id,
        "manager": factories.user(Role.MANAGER, company_id=company.id),
        "steward": factories.user(Role.STEWARD, company_id=company.id),
        "resident": factories.resident(home),
        "alliance_id": street.id,
        "membership_id": member.id,
        "shop_id": (shop := factories.shop(trader, street)).id,
        # A draft: its merchant and the alliance's officer reach it, nobody else does.
        "upgrade_id": (draft := factories.upgrade(shop, status=UpgradeStatus.DRAFT)).id,
        "upgrade_photo_id": factories.upgrade_photo(draft).id,
        "merchant": db.session.get(User, trader.user_id),
        "officer": factories.officer(street),
    }


@pytest.fixture
def tenants(app, database):
    world = {tenant: tenant_ids(factories.company()) for tenant in ("a", "b")}
    world["admin"] = factories.user(Role.ADMIN)
    return world


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            yield rule


def url(rule, ids):
    unknown = set(rule.arguments) - set(ids)
    assert not unknown, f"teach test_routes which object {unknown} names in {rule.rule}"
    return rule.build({name: ids[name] for name in rule.arguments})[1]


def view_roles(app, rule):
    return getattr(app.view_functions[rule.endpoint], "allowed_roles", None)


def test_every_private_route_declares_its_roles(app):
    for rule in routes(app):
        if rule.endpoint in PUBLIC or rule.endpoint in {
            "auth.account.landing",
            "auth.account.logout",
            "auth.account.change_password",
        }:
            continue
        assert view_roles(app, rule), f"{rule.endpoint} must use @roles_required"


def test_visitors_are_sent_to_sign_in(tenants, app):
    visitor = app.test_client()
    for rule in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        path = url(rule, tenants["a"])
        if "GET" in rule.methods:
            response = visitor.get(path)
            assert response.status_code == 302, rule.rule
            assert response.headers["Location"].startswith("/login"), rule.rule
        if "POST" in rule.methods:
            assert visitor.post(path).status_code == 400, f"{rule.rule} must demand a CSRF token"


@pytest.mark.parametrize("who", ["admin", "manager", "steward", "resident", "merchant", "officer"])
def test_each_role_gets_its_pages_and_nobody_elses(tenants, app, who):
    user = tenants[who] if who in tenants else tenants["a"][who]
    client = app.test_client()
    login(client, user)
    for rule in routes(app):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC:
            continue
        roles = view_roles(app, rule)
        own = client.get(url(rule, tenants["a"]))
        own.close()  # a streamed export ends its request here
        if roles is not None and user.role not in roles:
            assert own.status_code == 403, (who, rule.rule)
            continue
        assert own.status_code in (200, 302), (who, rule.rule, own.status_code)
        if rule.arguments and user.role != Role.ADMIN:
            other = client.get(url(rule, tenants["b"]))
            other.close()
            assert other.status_code == 404, f"{who} reached another tenant's {rule.rule}"


def test_the_public_pages_show_a_visitor_no_tenant_data(tenants, app):
    visitor = app.test_client()
    owners = [tenants[t]["resident"].display_name for t in ("a", "b")]
    for rule in routes(app):
        if rule.endpoint not in PUBLIC or "GET" not in rule.methods:
            continue
        response = visitor.get(url(rule, tenants["a"]))
        assert response.status_code < 500, rule.rule
        if not response.mimetype.startswith("text/"):
            continue  # a photo
        body = response.get_data(as_text=True)
        assert not any(owner in body for owner in owners), rule.rule


@pytest.mark.parametrize("who", ["admin", "manager", "steward", "resident", "merchant", "officer"])
def test_the_public_pages_answer_every_role(tenants, app, who):
    user = tenants[who] if who in tenants else tenants["a"][who]
    client = app.test_client()
    login(client, user)
    for rule in routes(app):
        if rule.endpoint in PUBLIC and "GET" in rule.methods:
            response = client.get(url(rule, tenants["a"]))
            assert response.status_code < 500, (who, rule.rule, response.status_code)


def test_every_post_route_refuses_a_request_without_csrf(tenants, app):
    client = app.test_client()
    login(client, tenants["admin"])
    token = csrf_token(client, "/property/overview")
    assert token
    for rule in routes(app):
        if "POST" in rule.methods:
            assert client.post(url(rule, tenants["a"])).status_code == 400, rule.rule


def test_unknown_ids_answer_404(admin_client):
    assert admin_client.get("/property/communities/999999").status_code == 404
