"""Headers, cookies, CSRF and configuration safety."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config
from app.models import Role
from tests import factories
from tests.conftest import CSRF_PATTERN, csrf_token, login


def test_security_headers_on_every_kind_of_response(client):
    for path in ("/login", "/healthz", "/no-such-page", "/static/css/app.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp, (path, directive)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_another_host(admin_client):
    html = admin_client.get("/property/overview").get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "")
    assert "https://" not in html
    assert "<script>" not in html, "no inline script: the CSP forbids it"


def test_htmx_is_locked_down_and_pages_stay_out_of_its_history(admin_client):
    html = admin_client.get("/property/overview").get_data(as_text=True)
    assert '"selfRequestsOnly": true' in html
    assert '"allowEval": false' in html
    assert '"allowScriptTags": false' in html
    assert 'hx-history="false"' in html


def test_signed_in_pages_are_not_cached(admin_client):
    assert admin_client.get("/property/overview").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_lax_and_secure_over_https(app, database):
    admin = factories.user(Role.ADMIN)
    plain = app.test_client()
    login(plain, admin)
    cookie = plain.get_cookie("gongjian_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure

    tls = app.test_client()
    html = tls.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = CSRF_PATTERN.search(html).group(1)
    response = tls.post(
        "/login",
        base_url="https://localhost",
        data={"username": admin.username, "password": factories.PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_missing_csrf_token_gets_a_readable_page(admin_client):
    response = admin_client.post("/account/password", data={"current_password": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "表单已过期" in html and "<html" in html


def test_missing_csrf_token_over_htmx_gets_a_message_partial(admin_client):
    response = admin_client.post("/account/password", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)


def test_htmx_requests_carry_the_csrf_token_in_a_header(admin_client):
    html = admin_client.get("/account/password").get_data(as_text=True)
    token = csrf_token(admin_client, "/account/password")
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in html
    response = admin_client.post(
        "/account/password",
        data={"current_password": "wrong"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 422


def test_production_refuses_a_default_or_missing_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGJIAN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load_config(tmp_path)
    for weak in ("dev", "changeme", "short-key"):
        monkeypatch.setenv("SECRET_KEY", weak)
        with pytest.raises(ConfigError):
            load_config(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_config(tmp_path)
    monkeypatch.setenv("PUBLIC_URL", "https://gongjian.example.cn")
    assert load_config(tmp_path)["SECRET_KEY"] == "k" * 48


def test_development_generates_a_key_once_and_keeps_it_private(tmp_path, monkeypatch):
    monkeypatch.delenv("GONGJIAN_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32
    assert load_config(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_switches_backend(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert (
        load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'gongjian.db'}"
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db.example/gongjian")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
