"""The boards through the browser's eyes: the public board by its token (never by an id), the
manager's pages, preparing and re-issuing, and another company's manager kept out."""

from __future__ import annotations

from datetime import date

import segno
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, StewardBoard
from tests import factories
from tests.conftest import PUBLIC_URL, csrf_token


def boarded_unit():
    """A unit with its board, steward, leader, pact in force, inspections and an honour, and a
    neighbour household whose details no board may show."""
    place = factories.community(name="幸福里小区")
    entrance = factories.unit(factories.building(place, number="3"), number="2")
    board = factories.board(entrance)
    factories.steward_assignment(entrance, name="李管家", phone="13812345678")
    leader_home = factories.household(entrance, room="0601", owner_name="赵楼长")
    factories.leader_assignment(leader_home, name="赵楼长", phone="13987654321")
    factories.household(entrance, room="0502", owner_name="钱邻居", phone="13700001111")
    clauses = [
        {"title": "消防通道", "body": "楼道内不堆放杂物。\n保持消防通道畅通。"},
        {"title": "<b>加粗</b>", "body": "<script>alert('x')</script>"},
    ]
    factories.adoption(factories.pact_version(entrance, title="三单元楼道公约", clauses=clauses))
    factories.inspection(entrance, inspected_on=date(2026, 10, 12), score=94)
    return place, entrance, board


def manager_of(place):
    return factories.user(Role.MANAGER, company_id=place.company_id)


def test_the_public_board_shows_the_unit_its_people_pact_and_standing(client):
    _place, _entrance, board = boarded_unit()
    response = client.get(f"/pacts/b/{board.token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "幸福里小区" in html and "3栋2单元" in html
    assert 'href="tel:+8613812345678"' in html and 'href="tel:+8613987654321"' in html
    assert "李管家" in html and "赵楼长" in html
    assert "三单元楼道公约" in html and "第 1 版" in html
    assert "楼道内不堆放杂物。\n保持消防通道畅通。" in html
    assert ">94<" in html and "2026-10-12" in html
    assert "最美单元" in html  # the best unit of its community in October


def test_pact_text_is_escaped_on_the_board(client):
    _place, _entrance, board = boarded_unit()
    html = client.get(f"/pacts/b/{board.token}").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>加粗</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;加粗&lt;/b&gt;" in html


def test_the_board_shows_nothing_else_about_the_households(client):
    _place, _entrance, board = boarded_unit()
    html = client.get(f"/pacts/b/{board.token}").get_data(as_text=True)
    for private in ("钱邻居", "0502", "13700001111", "0601", "13800000000"):
        assert private not in html


def test_a_visitor_gets_no_cookie_and_the_board_is_not_cached(client):
    _place, _entrance, board = boarded_unit()
    response = client.get(f"/pacts/b/{board.token}")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "csrf" not in html.lower()
    assert "site-account" not in html and "site-menu" not in html


def _main(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_a_signed_in_visitor_sees_the_same_board(client, login_as):
    place, _entrance, board = boarded_unit()
    path = f"/pacts/b/{board.token}"
    anonymous = client.get(path).get_data(as_text=True)
    for signed_in in (
        login_as(user=manager_of(place)),
        login_as(Role.ADMIN),
        login_as(Role.MANAGER),
    ):
        response = signed_in.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert _main(html) == _main(anonymous)
        assert "site-account" not in html and signed_in.user.display_name not in html
        assert response.headers["Cache-Control"] == "no-store"


def test_unknown_and_reissued_tokens_answer_404(client, login_as):
    place, entrance, board = boarded_unit()
    old = board.token
    assert client.get("/pacts/b/not-a-real-token-at-all").status_code == 404
    assert client.get("/pacts/b/" + "a" * 300).status_code == 404
    manager = login_as(user=manager_of(place))
    response = manager.post(
        f"/pacts/boards/units/{entrance.id}/reissue",
        data={"csrf_token": csrf_token(manager, f"/pacts/boards/units/{entrance.id}/reissue")},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/pacts/boards/units/{entrance.id}/print"
    assert client.get(f"/pacts/b/{old}").status_code == 404
    new = db.session.scalar(select(StewardBoard.token).where(StewardBoard.unit_id == entrance.id))
    assert new != old
    assert client.get(f"/pacts/b/{new}").status_code == 200


def test_no_public_route_names_a_unit_by_id(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("pacts.") and not hasattr(view, "allowed_roles"):
            assert set(rule.arguments) == {"token"}, rule.rule
    # A unit's id where the token goes is only an unknown token.
    assert "<token>" in next(
        r.rule for r in app.url_map.iter_rules() if r.endpoint == "pacts.boards.public_board"
    )


def test_a_units_id_does_not_open_its_board(client):
    _place, entrance, _board = boarded_unit()
    assert client.get(f"/pacts/b/{entrance.id}").status_code == 404


def test_the_reissue_asks_first_and_says_the_old_code_stops_working(login_as):
    place, entrance, board = boarded_unit()
    manager = login_as(user=manager_of(place))
    page = manager.get(f"/pacts/boards/units/{entrance.id}/reissue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "旧二维码" in html or "old QR code" in html
    assert (
        db.session.scalar(select(StewardBoard.token).where(StewardBoard.unit_id == entrance.id))
        == board.token
    )
    manager.post(
        f"/pacts/boards/units/{entrance.id}/reissue",
        data={"csrf_token": csrf_token(manager, "/pacts/boards")},
    )
    history = manager.get(f"/pacts/boards/units/{entrance.id}/reissue").get_data(as_text=True)
    assert manager.user.display_name in history


def test_another_companys_manager_cannot_reissue_or_prepare(login_as):
    place, entrance, board = boarded_unit()
    factories.unit(entrance.building)
    stranger = login_as(Role.MANAGER)
    token = csrf_token(stranger, "/pacts/boards")
    assert stranger.get(f"/pacts/boards/units/{entrance.id}/reissue").status_code == 404
    assert (
        stranger.post(
            f"/pacts/boards/units/{entrance.id}/reissue", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        stranger.post(
            f"/pacts/boards/communities/{place.id}/prepare", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert stranger.get(f"/pacts/boards/units/{entrance.id}/print").status_code == 404
    assert stranger.get(f"/pacts/boards/communities/{place.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(StewardBoard, entrance.id).token == board.token
    assert db.session.scalar(select(func.count()).select_from(StewardBoard)) == 1


def test_only_managers_prepare_and_reissue(login_as):
    place, entrance, _board = boarded_unit()
    admin = login_as(Role.ADMIN)
    assert admin.get(f"/pacts/boards/communities/{place.id}").status_code == 200
    assert admin.get(f"/pacts/boards/units/{entrance.id}/reissue").status_code == 403
    steward = login_as(
        factories.user(Role.STEWARD, company_id=place.company_id).role,
        user=factories.user(Role.STEWARD, company_id=place.company_id),
    )
    assert steward.get("/pacts/boards").status_code == 403


def test_the_manager_prepares_the_boards_of_a_community(login_as):
    place = factories.community(name="向阳小区")
    blocks = [factories.building(place, number=str(n)) for n in (1, 2)]
    units = [factories.unit(b, number=str(n)) for b in blocks for n in (1, 2)]
    factories.board(units[0])
    manager = login_as(user=manager_of(place))

    listing = manager.get("/pacts/boards").get_data(as_text=True)
    assert "向阳小区" in listing
    page = manager.get(f"/pacts/boards/communities/{place.id}").get_data(as_text=True)
    assert "1栋1单元" in page and "2栋2单元" in page
    assert f"/pacts/boards/communities/{place.id}/prepare" in page

    response = manager.post(
        f"/pacts/boards/communities/{place.id}/prepare",
        data={"csrf_token": csrf_token(manager, "/pacts/boards")},
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(StewardBoard)
            .where(StewardBoard.community_id == place.id)
        )
        == 4
    )
    page = manager.get(f"/pacts/boards/communities/{place.id}").get_data(as_text=True)
    assert f"/pacts/boards/communities/{place.id}/prepare" not in page
    for entrance in units:
        assert f"/pacts/boards/units/{entrance.id}/print" in page


def test_the_unit_list_is_searched_by_building(login_as):
    place = factories.community()
    factories.board(factories.unit(factories.building(place, number="12"), number="1"))
    factories.unit(factories.building(place, number="7"), number="1")
    manager = login_as(user=manager_of(place))
    html = manager.get(f"/pacts/boards/communities/{place.id}?q=1").get_data(as_text=True)
    assert "12栋1单元" in html and "7栋1单元" not in html


def test_the_printed_board_carries_the_public_address_as_its_qr_code(login_as):
    place, entrance, board = boarded_unit()
    manager = login_as(user=manager_of(place))
    response = manager.get(f"/pacts/boards/units/{entrance.id}/print")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    url = f"{PUBLIC_URL}/pacts/b/{board.token}"
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2, xmldecl=False)
    assert f'src="{qr}"' in html
    assert url in html and "//localhost" not in html  # PUBLIC_URL, not the request's host
    assert "李管家" in html and "13812345678" in html
    assert "钱邻居" not in html
