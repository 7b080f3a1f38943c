"""Chinese and English: choosing the language, and catalogs with nothing left untranslated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.models import Role
from tests import factories
from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app/translations/zh/LC_MESSAGES"


def test_chinese_by_default_and_for_chinese_browsers(client):
    assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)
    for header in ("zh-CN,zh;q=0.9", "zh", "fr-FR"):
        html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert 'lang="zh-CN"' in html and "登录" in html, header


def test_english_for_english_browsers(client):
    html = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(
        as_text=True
    )
    assert 'lang="en"' in html and "Sign in" in html


def test_the_switch_persists_for_visitors_and_for_accounts(app, database):
    visitor = app.test_client()
    response = visitor.post(
        "/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(visitor)}
    )
    assert response.headers["Location"] == "/login"
    assert 'lang="en"' in visitor.get("/login").get_data(as_text=True)

    admin = factories.user(Role.ADMIN)
    login(visitor, admin)
    visitor.post(
        "/language",
        data={"lang": "en", "csrf_token": csrf_token(visitor, "/property/overview")},
    )
    elsewhere = app.test_client()
    login(elsewhere, admin)
    assert 'lang="en"' in elsewhere.get("/property/overview").get_data(as_text=True)


def test_an_unknown_language_changes_nothing(client):
    client.post("/language", data={"lang": "xx", "csrf_token": csrf_token(client)})
    assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)


def test_every_message_in_the_code_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            "app",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (CATALOG / "messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"untranslated (run scripts/i18n.sh and fill them in): {missing}"


def test_the_compiled_catalog_matches_the_source(tmp_path):
    with (CATALOG / "messages.po").open("rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id and not m.fuzzy}
    with (CATALOG / "messages.mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, "run scripts/i18n.sh to recompile messages.mo"
