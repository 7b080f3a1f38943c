"""Where the portal sends people and what it prints: `next=` stays on the site in every
spelling browsers accept, and printed links come from PUBLIC_URL, never from the Host header."""

from __future__ import annotations

import pytest

from app.security import public_url, safe_next
from tests import factories
from tests.conftest import PUBLIC_URL, csrf_token, make_app

OFF_SITE = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r/evil.example/",
    " //evil.example/",
    "/ /evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\x00/evil.example",
    "/%09/evil.example/".replace("%09", "\t"),
    "///evil.example",
    "\u3000//evil.example",
    "",
    None,
]
ON_SITE = ["/", "/property/overview", "/fees/counter?q=101", "/%2F%2Fevil.example", "/a/b#c"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leaves_the_site(target: str | None) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ON_SITE)
def test_next_may_be_any_path_on_the_site(target: str) -> None:
    assert safe_next(target) == target


def test_a_tab_in_next_through_the_login_form_lands_on_the_start_page(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    response = client.post(
        "/login?next=/%09/evil.example/",
        data={
            "username": user.username,
            "password": factories.PASSWORD,
            "next": "/\t/evil.example/",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
    language = client.post(
        "/language",
        data={
            "lang": "en",
            "next": "/\n/evil.example/",
            "csrf_token": csrf_token(client, "/property/overview"),
        },
    )
    assert "evil" not in language.headers["Location"]


def test_printed_addresses_ignore_the_host_header(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/activation-codes", headers={"Host": "evil.example"}):
        assert public_url("auth.activation.activate", code="A") == f"{PUBLIC_URL}/activate?code=A"


def test_trusted_hosts_refuse_another_host(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(f"sqlite:///{tmp_path / 'h.db'}", TRUSTED_HOSTS=["gongjian.example.cn"])
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "gongjian.example.cn"}).status_code != 400
