"""Activation codes: issuing one for a household, the printed slip, revoking, and redeeming it
to open a resident account (or add a household to one), once and only once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.blueprints.auth import activation_services as services
from app.blueprints.auth.activation_services import ActivationError
from app.extensions import db
from app.models import ActivationCode, AuditEntry, ResidentHousehold, Role, User
from app.periods import utcnow
from tests import factories
from tests.conftest import csrf_token
from tests.races import at_once

CODE_PATTERN = re.compile(r"\b([2-9A-HJKMNP-Z]{4}-){3}[2-9A-HJKMNP-Z]{4}\b")
NEW_PASSWORD = "a fine new password"


def issued(home=None, relation="owner"):  # type: ignore[no-untyped-def]
    home = home or factories.household()
    manager = factories.user(Role.MANAGER, company_id=_company_id(home))
    row, code = services.issue_code(home, relation, manager)
    db.session.commit()
    return home, row, code


def _company_id(home) -> int:  # type: ignore[no-untyped-def]
    return home.unit.building.community.company_id


def links(user: User) -> list[int]:
    return db.session.scalars(
        select(ResidentHousehold.household_id).where(ResidentHousehold.user_id == user.id)
    ).all()


# --- services ---------------------------------------------------------------------------


def test_codes_are_typable_and_only_their_hash_is_stored(database):
    code = services.new_code()
    assert CODE_PATTERN.fullmatch(code)
    assert not set(code) & set("01ILO")
    assert services.normalize(" abcd efgh-jkmn  pqrs ") == "ABCDEFGHJKMNPQRS"
    home, row, code = issued()
    assert row.code_hash == services.code_hash(code) == services.code_hash(code.lower())
    assert services.normalize(code) not in row.code_hash
    assert row.expires_at - utcnow() > timedelta(days=29)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "code_issued"))
    assert (entry.entity, entry.entity_id) == ("household", home.id)
    assert entry.company_id == _company_id(home) and code not in str(entry.changes)


def test_redeeming_opens_a_resident_account_linked_to_the_household(database):
    home, row, code = issued(relation="tenant")
    redemption = services.redeem_new_account(code.lower(), " wang.xp ", NEW_PASSWORD)
    db.session.commit()
    user = redemption.user
    assert (user.username, user.role) == ("wang.xp", Role.RESIDENT)
    assert user.check_password(NEW_PASSWORD)
    assert user.display_name.endswith(f"-{home.room}")
    assert links(user) == [home.id]
    relation = db.session.scalar(
        select(ResidentHousehold.relation).where(ResidentHousehold.user_id == user.id)
    )
    assert relation == "tenant"
    db.session.refresh(row)
    assert row.redeemed_user_id == user.id and row.redeemed_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resident_linked"))
    assert entry.actor_user_id == user.id and entry.changes["username"] == "wang.xp"


def test_a_code_redeems_once(database):
    _home, _row, code = issued()
    services.redeem_new_account(code, "first", NEW_PASSWORD)
    db.session.commit()
    with pytest.raises(ActivationError, match="used"):
        services.redeem_new_account(code, "second", NEW_PASSWORD)
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "second")) == 0


def test_a_stale_read_cannot_claim_a_code_redeemed_meanwhile(database):
    """Two submissions at once both find the code unused; the conditional UPDATE lets only
    the first through, and the second's account is rolled back with it."""
    _home, row, code = issued()
    stale = services._redeemable(code, utcnow())
    services.redeem_new_account(code, "quick", NEW_PASSWORD)
    db.session.commit()
    late = factories.user(Role.RESIDENT, username="slow")
    with pytest.raises(ActivationError):
        services._claim(stale, late, utcnow())
    assert db.session.scalar(select(func.count(ResidentHousehold.id))) == 1
    db.session.refresh(row)
    assert row.redeemed_user_id != late.id


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"expires_at": "past"}, "expired"),
        ({"code": "WRONG-CODE"}, "invalid"),
        ({"code": "2222-2222-2222-2222"}, "invalid"),
    ],
)
def test_wrong_and_expired_codes_are_refused(database, change, reason):
    _home, row, code = issued()
    if change.get("expires_at"):
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    with pytest.raises(ActivationError) as error:
        services.redeem_new_account(change.get("code", code), "someone", NEW_PASSWORD)
    assert (error.value.reason, error.value.field) == (reason, "code")
    assert db.session.scalar(select(func.count(User.id))) == 1  # only the manager


def test_a_taken_username_leaves_the_code_unused(database):
    _home, row, code = issued()
    factories.user(Role.RESIDENT, username="taken")
    with pytest.raises(ActivationError) as error:
        services.redeem_new_account(code, "taken", NEW_PASSWORD)
    assert error.value.field == "username"
    db.session.refresh(row)
    assert row.redeemed_at is None


def test_a_resident_adds_a_second_household(database):
    first = factories.household()
    resident = factories.resident(first)
    second, _row, code = issued()
    services.redeem_for_user(code, resident)
    db.session.commit()
    assert links(resident) == [first.id, second.id]
    _home, _row, again = issued(second)
    with pytest.raises(ActivationError, match="already_linked"):
        services.redeem_for_user(again, resident)


def test_revoking_ends_an_outstanding_code(database):
    home, row, code = issued()
    assert services.household_codes(home) == [row]
    assert services.revoke_code(row)
    db.session.commit()
    assert services.household_codes(home) == []
    assert not services.revoke_code(row)
    with pytest.raises(ActivationError, match="expired"):
        services.redeem_new_account(code, "late", NEW_PASSWORD)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["code_issued", "code_revoked"]


# --- manager views ----------------------------------------------------------------------


def test_a_manager_finds_a_household_issues_a_code_and_prints_the_slip(login_as):
    company = factories.company()
    place = factories.community(company, name="兴隆苑")
    home = factories.household(factories.unit(factories.building(place)), owner_name="赵大爷")
    factories.household(factories.unit(factories.building(place)), owner_name="钱阿姨")
    factories.household(owner_name="赵别家")  # another company's
    manager = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    found = manager.get("/activation-codes?q=赵", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert found.lstrip().startswith('<section id="households"')
    assert "赵大爷" in found and "钱阿姨" not in found and "赵别家" not in found

    page = f"/activation-codes/households/{home.id}"
    response = manager.post(
        page, data={"csrf_token": csrf_token(manager, page), "relation": "family"}
    )
    row = db.session.scalar(select(ActivationCode))
    assert response.headers["Location"] == f"/activation-codes/{row.id}/slip"
    slip = manager.get(response.headers["Location"]).get_data(as_text=True)
    code = CODE_PATTERN.search(slip).group(0)
    assert row.code_hash == services.code_hash(code)
    assert 'src="data:image/svg+xml' in slip and "兴隆苑" in slip and "家庭成员" in slip
    assert "https://gongjian.test/activate" in slip  # PUBLIC_URL, not the request's host
    assert 'style="' not in slip
    assert "作废" in manager.get(page).get_data(as_text=True)

    # Another manager of the company can see the code exists, never the code itself.
    colleague = login_as(user=factories.user(Role.MANAGER, company_id=company.id))
    assert code not in colleague.get(f"/activation-codes/{row.id}/slip").get_data(as_text=True)


def at_the_desk(login_as):  # type: ignore[no-untyped-def]
    """A code issued to a new household; its company's manager signed in, and the household's
    codes page they work on."""
    home, row, code = issued()
    manager = login_as(user=factories.user(Role.MANAGER, company_id=_company_id(home)))
    return home, row, code, manager, f"/activation-codes/households/{home.id}"


def test_revoking_from_the_household_page(login_as):
    _home, row, code, manager, page = at_the_desk(login_as)
    response = manager.post(
        f"/activation-codes/{row.id}/revoke", data={"csrf_token": csrf_token(manager, page)}
    )
    assert response.headers["Location"] == page
    assert "没有待使用的开通码" in manager.get(page).get_data(as_text=True)
    assert code not in manager.get(f"/activation-codes/{row.id}/slip").get_data(as_text=True)


def test_bad_relation_and_other_tenants(login_as):
    home, row, _code, manager, page = at_the_desk(login_as)
    response = manager.post(
        page, data={"csrf_token": csrf_token(manager, page), "relation": "landlord"}
    )
    assert response.status_code == 422
    assert "不是有效的选择" in response.get_data(as_text=True)
    stranger = login_as(user=factories.user(Role.MANAGER))
    assert stranger.get(page).status_code == 404
    assert stranger.get(f"/activation-codes/{row.id}/slip").status_code == 404
    token = csrf_token(stranger, "/activation-codes")
    assert (
        stranger.post(f"/activation-codes/{row.id}/revoke", data={"csrf_token": token}).status_code
        == 404
    )
    resident = login_as(user=factories.resident(home))
    assert resident.get(page).status_code == 403


# --- /activate ----------------------------------------------------------------------------


def activate(client, **fields):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, "/activate"),
        "username": "new.resident",
        "display_name": "",
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    return client.post("/activate", data=data | fields)


def test_a_visitor_redeems_a_code_and_is_signed_in(client):
    home, _row, code = issued()
    form = client.get(f"/activate?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in form
    response = activate(client, code=code.replace("-", " "), display_name="王小萍")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    landing = client.get("/property/my-home", follow_redirects=True).get_data(as_text=True)
    assert "欢迎" in landing and home.room in landing and "王小萍" in landing


def test_bad_activation_input_is_refused_with_what_was_typed(client):
    _home, row, code = issued()
    cases = [
        ({"code": ""}, "请输入开通单上的开通码"),
        ({"code": "XXXX-XXXX-XXXX-XXXX"}, "开通码无效"),
        ({"code": code, "password": "short", "confirm_password": "short"}, "至少 10 个字符"),
        ({"code": code, "confirm_password": "something else"}, "两次输入的密码不一致"),
        ({"code": code, "username": "ab"}, "3 到 64 个字符"),
    ]
    for fields, message in cases:
        response = activate(client, **fields)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert message in html, fields
        assert 'value="new.resident"' in html or fields.get("username")
    db.session.refresh(row)
    assert row.redeemed_at is None
    assert activate(client, code=code).status_code == 302
    someone_else = client.application.test_client()
    again = activate(someone_else, code=code, username="another")
    assert again.status_code == 422 and "已被使用" in again.get_data(as_text=True)


def test_a_signed_in_resident_adds_a_home_and_others_are_told_to_sign_out(login_as):
    first = factories.household()
    resident_user = factories.resident(first)
    second, _row, code = issued()
    resident = login_as(user=resident_user)
    form = resident.get("/activate").get_data(as_text=True)
    assert 'name="code"' in form and 'name="password"' not in form
    response = resident.post(
        "/activate",
        data={"csrf_token": csrf_token(resident, "/activate"), "code": code},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"
    assert links(resident_user) == [first.id, second.id]

    manager = login_as(user=factories.user(Role.MANAGER))
    html = manager.get("/activate").get_data(as_text=True)
    assert 'name="code"' not in html and "请先退出登录" in html


def test_activation_is_rate_limited_like_login(app, database):
    app.config["ACTIVATION_RATE_LIMIT"] = "3 per minute"
    try:
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        statuses = [activate(guesser, code="2222-3333-4444-5555").status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
    finally:
        app.config["ACTIVATION_RATE_LIMIT"] = "1000 per minute"


def test_two_simultaneous_redemptions_open_one_account(app, database):
    """Whatever the interleaving, one submission wins and the other is told the code is used."""
    _home, _row, code = issued()
    submissions = [
        lambda: services.redeem_new_account(code, "twin1", NEW_PASSWORD),
        lambda: services.redeem_new_account(code, "twin2", NEW_PASSWORD),
    ]
    results = at_once(app, submissions, ActivationError)
    outcomes = [r if isinstance(r, str) else "ok" for r in results]
    assert sorted(outcomes) == ["ok", "used"]
    assert db.session.scalar(select(func.count(ResidentHousehold.id))) == 1
    assert db.session.scalar(select(func.count(User.id)).where(User.role == Role.RESIDENT)) == 1
