"""The health check and the error pages."""

from __future__ import annotations

from app.models import Role
from tests.conftest import make_app


def test_health_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_answers_503_when_the_database_does_not(tmp_path):
    broken = make_app(f"sqlite:///{tmp_path}/missing-dir/nothing.db")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_database_outage_shows_a_503_page(tmp_path):
    broken = make_app(f"sqlite:///{tmp_path}/missing-dir/nothing.db")
    response = broken.test_client().post("/login", data={"username": "a", "password": "b"})
    # CSRF is checked first; with it off the login query hits the missing database.
    broken.config["WTF_CSRF_ENABLED"] = False
    response = broken.test_client().post("/login", data={"username": "someone", "password": "pw"})
    assert response.status_code == 503
    assert "暂时无法使用" in response.get_data(as_text=True)


def test_not_found_in_both_languages(client):
    zh = client.get("/nowhere")
    assert zh.status_code == 404 and "页面不存在" in zh.get_data(as_text=True)
    en = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert "This page does not exist" in en.get_data(as_text=True)


def test_forbidden_page(login_as):
    response = login_as(Role.MERCHANT).get("/property/overview")
    assert response.status_code == 403
    assert "无权" in response.get_data(as_text=True)


def test_server_error_page_does_not_leak_details(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.db", TESTING=False)

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/explode")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in html and "出错" in html


def test_htmx_errors_come_back_as_a_message_partial(admin_client):
    response = admin_client.get("/property/communities/424242", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)
