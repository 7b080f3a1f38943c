"""Signing in and out, sessions, passwords and the login rate limit."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import LoginSession, Role
from tests import factories
from tests.conftest import csrf_token, login


def post_login(client, username, password, **extra):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data | extra)


def test_login_lands_on_the_role_page(client):
    manager = factories.user(Role.MANAGER)
    response = post_login(client, manager.username, factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/property/dashboard"


def test_wrong_password_keeps_the_username_and_says_why(client):
    manager = factories.user(Role.MANAGER)
    response = post_login(client, manager.username, "not the password")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{manager.username}"' in html
    assert "用户名或密码错误" in html
    assert "not the password" not in html


def test_unknown_user_and_inactive_user_are_refused_alike(client):
    inactive = factories.user(Role.ADMIN, is_active=False)
    for username in ("nobody-here", inactive.username):
        assert post_login(client, username, factories.PASSWORD).status_code == 422


def test_empty_form_names_each_missing_field(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请输入用户名" in html and "请输入密码" in html


def test_next_goes_back_to_the_page_asked_for_but_never_off_site(client):
    admin = factories.user(Role.ADMIN)
    response = client.get("/property/overview")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    ok = post_login(client, admin.username, factories.PASSWORD, next="/property/overview")
    assert ok.headers["Location"] == "/property/overview"

    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        other = factories.user(Role.ADMIN)
        fresh = client.application.test_client()
        response = post_login(fresh, other.username, factories.PASSWORD, next=target)
        assert response.headers["Location"] == "/"


def test_login_starts_a_new_session(client):
    admin = factories.user(Role.ADMIN)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, admin)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_the_session_on_the_server(client):
    admin = factories.user(Role.ADMIN)
    login(client, admin)
    stolen = client.get_cookie("gongjian_session").value

    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/property/overview")})
    assert response.headers["Location"] == "/login"
    assert db.session.query(LoginSession).filter(LoginSession.ended_at.is_(None)).count() == 0

    replay = client.application.test_client()
    replay.set_cookie("gongjian_session", stolen)
    assert replay.get("/property/overview").status_code == 302


def test_logout_needs_post_and_csrf(client):
    admin = factories.user(Role.ADMIN)
    login(client, admin)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/property/overview").status_code == 200


def change_password(client, new_password, headers=None):
    """Change the signed-in user's password from the factories' one to `new_password`."""
    return client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current_password": factories.PASSWORD,
            "new_password": new_password,
            "confirm_password": new_password,
        },
        headers=headers or {},
    )


def test_change_password_signs_out_other_browsers(app, database):
    admin = factories.user(Role.ADMIN)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, admin)
    login(phone, admin)
    response = change_password(laptop, "a much better secret")
    assert response.status_code == 302
    assert laptop.get("/property/overview").status_code == 200
    assert phone.get("/property/overview").status_code == 302

    fresh = app.test_client()
    assert post_login(fresh, admin.username, factories.PASSWORD).status_code == 422
    assert post_login(fresh, admin.username, "a much better secret").status_code == 302


def test_change_password_explains_each_mistake(admin_client):
    token = csrf_token(admin_client, "/account/password")
    response = admin_client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": "wrong",
            "new_password": "short",
            "confirm_password": "different",
        },
        headers={"HX-Request": "true", "HX-Target": "password-form"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html, "an htmx request gets only the form back"
    assert "当前密码不正确" in html
    assert "至少使用 10 个字符" in html
    assert "两次输入的新密码不一致" in html


def test_change_password_over_htmx_redirects_the_whole_page(admin_client):
    response = change_password(admin_client, "another fine secret", {"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/"


def test_login_is_rate_limited_per_address(app, database):
    admin = factories.user(Role.ADMIN)
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
        statuses = [post_login(attacker, admin.username, "guess").status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        assert "尝试次数过多" in post_login(attacker, admin.username, "x").get_data(as_text=True)

        neighbour = app.test_client()
        neighbour.environ_base["REMOTE_ADDR"] = "203.0.113.8"
        assert post_login(neighbour, admin.username, factories.PASSWORD).status_code == 302
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"


@pytest.fixture
def limits(app):  # type: ignore[no-untyped-def]
    """Set limits for one test; every limit back to the suite's generous one afterwards."""
    changed: list[str] = []

    def set_limit(name: str, value: str) -> None:
        changed.append(name)
        app.config[name] = value

    yield set_limit
    for name in changed:
        app.config[name] = "1000 per minute"


def from_address(app, address: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_account_guessed_from_many_addresses_is_limited(app, database, limits):  # type: ignore[no-untyped-def]
    limits("LOGIN_ACCOUNT_RATE_LIMIT", "3 per minute")
    admin = factories.user(Role.ADMIN)
    statuses = [
        post_login(from_address(app, f"198.51.100.{n}"), admin.username, "guess").status_code
        for n in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_a_colleague_behind_the_same_address_still_signs_in(app, database, limits):  # type: ignore[no-untyped-def]
    limits("LOGIN_RATE_LIMIT", "3 per minute")
    clumsy, colleague = factories.user(Role.MANAGER), factories.user(Role.MANAGER)
    office = from_address(app, "203.0.113.20")
    assert [post_login(office, clumsy.username, "typo").status_code for _ in range(4)][-1] == 429
    assert (
        post_login(
            from_address(app, "203.0.113.20"), colleague.username, factories.PASSWORD
        ).status_code
        == 302
    )


def test_successful_sign_ins_do_not_count(app, database, limits):  # type: ignore[no-untyped-def]
    limits("LOGIN_RATE_LIMIT", "3 per minute")
    limits("LOGIN_ADDRESS_RATE_LIMIT", "3 per minute")
    user = factories.user(Role.MANAGER)
    statuses = [
        post_login(from_address(app, "203.0.113.30"), user.username, factories.PASSWORD).status_code
        for _ in range(5)
    ]
    assert statuses == [302] * 5


def test_guessing_the_current_password_is_limited(app, database, limits, login_as):  # type: ignore[no-untyped-def]
    limits("PASSWORD_RATE_LIMIT", "3 per minute")
    client = login_as(Role.MANAGER)
    token = csrf_token(client, "/account/password")
    guess = {"csrf_token": token, "current_password": "guess", "new_password": "x" * 12,
             "confirm_password": "x" * 12}  # fmt: skip
    statuses = [client.post("/account/password", data=guess).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_passwords_are_stored_as_scrypt_hashes(database):
    from app.blueprints.auth.services import create_user

    user = create_user("hashcheck", "s3cret-enough!", Role.ADMIN, "Hash check")
    assert user.password_hash.startswith("scrypt:")
    assert "s3cret" not in user.password_hash
    assert user.check_password("s3cret-enough!")
