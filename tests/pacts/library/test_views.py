"""The pact library in the browser: the pacts pages, drafting and editing, comparing, the
company's clauses; who may do what, bad input kept on the form, another company's pact 404."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Pact, PactClause, PactVersion, Role
from tests import factories
from tests.conftest import csrf_token

HTMX = {"HX-Request": "true"}


def office():
    """A company's community, building 3 with units 1 and 2, a manager reading English."""
    place = factories.community()
    block = factories.building(place, number="3", sort_key=3)
    units = [factories.unit(block, number=str(n)) for n in (1, 2)]
    manager = factories.user(Role.MANAGER, company_id=place.company_id, locale="en")
    return place, units, manager


def versions(pact_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(PactVersion.number)
            .where(PactVersion.pact_id == pact_id)
            .order_by(PactVersion.number)
        )
    )


def editor_form(token: str, title: str, clauses: list[tuple[str, str]], **fields) -> dict:  # type: ignore[no-untyped-def]
    form = {"csrf_token": token, "title": title, **fields}
    for n, (clause_title, body) in enumerate(clauses):
        form[f"clauses-{n}-title"] = clause_title
        form[f"clauses-{n}-body"] = body
    return form


def test_the_pacts_pages_show_what_is_drafted_and_in_force(login_as):
    place, units, manager = office()
    own = factories.pact_version(units[0], title="3栋1单元楼道公约")
    wide = factories.pact_version(units[1], community_wide=True, title="全小区楼道公约")
    factories.adoption(own)
    factories.adoption(wide, units[1])
    client = login_as(user=manager)

    index = client.get("/pacts/library").get_data(as_text=True)
    assert place.name in index
    community = client.get(f"/pacts/library/communities/{place.id}").get_data(as_text=True)
    assert "3栋1单元楼道公约" in community and "全小区楼道公约" in community
    assert "Own pact" in community and "Community-wide pact" in community
    assert f"/pacts/library/communities/{place.id}/new?unit_id={units[1].id}" in community
    filtered = client.get(f"/pacts/library/communities/{place.id}?version={wide.id}", headers=HTMX)
    body = filtered.get_data(as_text=True)
    assert "<html" not in body and "Building 3, unit 2" in body and "Building 3, unit 1" not in body

    page = client.get(f"/pacts/library/{own.pact_id}").get_data(as_text=True)
    assert "Version 1 has been in force in this unit since" in page
    assert "消防通道" in page
    version = client.get(f"/pacts/library/versions/{wide.id}").get_data(as_text=True)
    assert "Units where it is in force" in version and "Building 3, unit 2" in version


def test_a_steward_reads_the_pacts_and_changes_nothing(login_as):
    place, units, _manager = office()
    version = factories.pact_version(units[0])
    steward = login_as(user=factories.user(Role.STEWARD, company_id=place.company_id))
    page = steward.get(f"/pacts/library/{version.pact_id}")
    assert page.status_code == 200
    assert f"/pacts/library/{version.pact_id}/edit" not in page.get_data(as_text=True)
    assert steward.get(f"/pacts/library/{version.pact_id}/edit").status_code == 403
    assert steward.get(f"/pacts/library/communities/{place.id}/new").status_code == 403
    assert steward.get("/pacts/library/clauses").status_code == 200
    assert steward.get("/pacts/library/clauses/new").status_code == 403
    admin = login_as(Role.ADMIN)
    assert admin.get(f"/pacts/library/{version.pact_id}").status_code == 200
    assert admin.get("/pacts/library/clauses").status_code == 403


def test_drafting_from_the_library_copies_the_clauses_then_saves_version_1(login_as):
    place, units, manager = office()
    client = login_as(user=manager)
    start = client.get(f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}")
    assert start.status_code == 200
    assert 'name="clause" value="quiet_hours"' in start.get_data(as_text=True)
    editor = client.get(
        f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}"
        "&start=library&clause=quiet_hours&clause=pets"
    ).get_data(as_text=True)
    # Copied in the drafter's language, under the unit's own title.
    assert 'value="Quiet hours"' in editor and 'value="Keeping pets considerately"' in editor
    assert "Corridor pact of building 3, unit 1" in editor
    token = csrf_token(
        client, f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}&start=blank"
    )
    response = client.post(
        f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}",
        data=editor_form(
            token,
            "3栋1单元楼道公约",
            [("安静时段", "22:00后请勿喧哗。"), ("", ""), ("文明养宠", "遛狗牵绳。")],
            note="初稿",
        ),
    )
    assert response.status_code == 302
    pact = db.session.scalar(select(Pact).where(Pact.unit_id == units[0].id))
    assert response.headers["Location"] == f"/pacts/library/{pact.id}"
    version = db.session.scalar(select(PactVersion).where(PactVersion.pact_id == pact.id))
    assert (version.number, version.note, [c["title"] for c in version.clauses]) == (
        1,
        "初稿",
        ["安静时段", "文明养宠"],
    )
    # The unit has its pact now: a new draft leads to its editor.
    again = client.get(f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}")
    assert (
        again.status_code == 302 and again.headers["Location"] == f"/pacts/library/{pact.id}/edit"
    )


def test_a_pact_is_copied_from_another_unit(login_as):
    place, units, manager = office()
    source = factories.pact_version(units[0], title="3栋1单元楼道公约")
    client = login_as(user=manager)
    start = client.get(f"/pacts/library/communities/{place.id}/new?unit_id={units[1].id}&q=3栋")
    assert "3栋1单元楼道公约" in start.get_data(as_text=True)
    editor = client.get(
        f"/pacts/library/communities/{place.id}/new?unit_id={units[1].id}"
        f"&start=copy&pact={source.pact_id}"
    ).get_data(as_text=True)
    assert "楼道内不堆放杂物，保持消防通道畅通。" in editor
    assert "Corridor pact of building 3, unit 2" in editor
    assert "Copied from Building 3, unit 1, version 1" in editor
    foreign = factories.pact_version()
    assert (
        client.get(
            f"/pacts/library/communities/{place.id}/new?unit_id={units[1].id}"
            f"&start=copy&pact={foreign.pact_id}"
        ).status_code
        == 404
    )


def test_the_rows_buttons_rearrange_the_editor_and_save_nothing(login_as):
    place, units, manager = office()
    client = login_as(user=manager)
    path = f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}"
    token = csrf_token(client, path + "&start=blank")
    rows = [("甲", "一"), ("乙", "二")]
    moved = client.post(path, data=editor_form(token, "公约", rows, action="up:1"), headers=HTMX)
    body = moved.get_data(as_text=True)
    assert moved.status_code == 200 and "<html" not in body
    assert body.index('value="乙"') < body.index('value="甲"')
    added = client.post(path, data=editor_form(token, "公约", rows, action="add")).get_data(
        as_text=True
    )
    # The new row is there, empty, the cursor in it.
    assert '<input autofocus id="clauses-2-title"' in added
    inserted = client.post(
        path, data=editor_form(token, "公约", rows, action="insert", library="no_flying_wires")
    ).get_data(as_text=True)
    assert 'value="No flying wires"' in inserted
    removed = client.post(path, data=editor_form(token, "公约", rows, action="remove:0"))
    assert 'value="甲"' not in removed.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Pact)) == 0


def test_bad_input_comes_back_on_the_form_as_typed(login_as):
    place, units, manager = office()
    client = login_as(user=manager)
    path = f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}"
    token = csrf_token(client, path + "&start=blank")
    response = client.post(
        path,
        data=editor_form(token, "", [("消防通道", ""), ("", "只写了内容，没有标题")]),
        headers=HTMX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the pact a title." in body
    assert "Write the text of this clause." in body and "Give this clause a title." in body
    assert 'value="消防通道"' in body and "只写了内容，没有标题" in body
    empty = client.post(path, data=editor_form(token, "公约", [("", "")]))
    assert empty.status_code == 422 and "A pact needs at least one clause." in empty.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Pact)) == 0


def test_each_save_is_a_new_version_and_a_stale_one_is_refused(login_as):
    _place, units, manager = office()
    first = factories.pact_version(units[0], title="公约")
    client = login_as(user=manager)
    path = f"/pacts/library/{first.pact_id}/edit"
    editor = client.get(path).get_data(as_text=True)
    assert 'name="base" type="hidden" value="1"' in editor
    token = csrf_token(client, path)
    saved = client.post(
        path, data=editor_form(token, "公约", [("消防通道", "保持畅通。")], base="1", note="精简")
    )
    assert saved.status_code == 302
    assert versions(first.pact_id) == [1, 2]
    # Someone else's editor still started from version 1: refused, its text kept.
    stale = client.post(
        path, data=editor_form(token, "公约", [("消防通道", "我的改法。")], base="1", note="我的")
    )
    body = stale.get_data(as_text=True)
    assert stale.status_code == 422
    assert "Someone else saved a new version of this pact meanwhile." in body
    assert "我的改法。" in body
    unchanged = client.post(
        path, data=editor_form(token, "公约", [("消防通道", "保持畅通。")], base="2", note="没改")
    )
    assert (
        unchanged.status_code == 422
        and "Nothing has changed since version 2." in unchanged.get_data(as_text=True)
    )
    assert versions(first.pact_id) == [1, 2]
    # An older version is a starting point for the next one.
    older = client.get(f"{path}?from=1").get_data(as_text=True)
    assert (
        "楼道内不堆放杂物" in older
        and 'value="2"' in older
        and "Back to the text of version 1" in older
    )


def test_comparing_marks_what_changed_and_escapes_every_piece(login_as):
    _place, units, manager = office()
    first = factories.pact_version(
        units[0],
        clauses=[
            {"title": "安静时段", "body": "22:00后请勿喧哗。"},
            {"title": "文明养宠", "body": "牵绳。"},
        ],
    )
    factories.next_version(
        first,
        clauses=[
            {"title": "安静时段", "body": "21:30后请勿喧哗。"},
            {"title": "<script>alert(1)</script>", "body": "<b>粗体</b>"},
        ],
    )
    client = login_as(user=manager)
    body = client.get(f"/pacts/library/{first.pact_id}/compare").get_data(as_text=True)
    assert "<del>22:00</del><ins>21:30</ins>后请勿喧哗。" in body
    assert "<del>文明养宠</del>" in body
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in body
    assert "<script>alert" not in body and "<b>粗体" not in body
    assert "Clause added" in body and "Clause removed" in body and "Clause reworded" in body
    latest = client.get(f"/pacts/library/{first.pact_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in latest and "<script>alert" not in latest
    assert client.get(f"/pacts/library/{first.pact_id}/compare?old=1&new=9").status_code == 404


def test_another_companys_pact_is_not_found(login_as):
    _place, _units, manager = office()
    foreign = factories.pact_version()
    clause = factories.pact_clause()
    client = login_as(user=manager)
    for path in (
        f"/pacts/library/{foreign.pact_id}",
        f"/pacts/library/{foreign.pact_id}/edit",
        f"/pacts/library/{foreign.pact_id}/compare",
        f"/pacts/library/versions/{foreign.id}",
        f"/pacts/library/communities/{foreign.community_id}",
        f"/pacts/library/communities/{foreign.community_id}/new",
        f"/pacts/library/clauses/{clause.id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/pacts/library/clauses/new")
    edit = client.post(
        f"/pacts/library/{foreign.pact_id}/edit",
        data=editor_form(token, "公约", [("甲", "乙")], base="1", note="改"),
    )
    assert edit.status_code == 404
    assert (
        client.post(
            f"/pacts/library/clauses/{clause.id}/retire", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert versions(foreign.pact_id) == [1]
    # A unit of another community is not a unit of this one.
    place, units, _manager = office()
    assert (
        client.get(f"/pacts/library/communities/{place.id}/new?unit_id={units[0].id}").status_code
        == 404
    )


def test_saving_without_the_csrf_token_is_refused(login_as):
    _place, units, manager = office()
    first = factories.pact_version(units[0])
    client = login_as(user=manager)
    response = client.post(
        f"/pacts/library/{first.pact_id}/edit",
        data={
            "title": "公约",
            "clauses-0-title": "甲",
            "clauses-0-body": "乙",
            "base": "1",
            "note": "改",
        },
    )
    assert response.status_code == 400
    assert versions(first.pact_id) == [1]


def test_a_company_adds_edits_and_retires_its_own_clauses(login_as):
    _place, _units, manager = office()
    client = login_as(user=manager)
    token = csrf_token(client, "/pacts/library/clauses/new")
    blank = client.post(
        "/pacts/library/clauses/new", data={"csrf_token": token, "title": "车位管理", "body": " "}
    )
    assert blank.status_code == 422 and 'value="车位管理"' in blank.get_data(as_text=True)
    added = client.post(
        "/pacts/library/clauses/new",
        data={"csrf_token": token, "title": "车位管理", "body": "<i>按线停车</i>"},
    )
    assert added.status_code == 302
    clause = db.session.scalar(select(PactClause))
    library = client.get("/pacts/library/clauses").get_data(as_text=True)
    assert "&lt;i&gt;按线停车&lt;/i&gt;" in library and "<i>按线" not in library
    edited = client.post(
        f"/pacts/library/clauses/{clause.id}/edit",
        data={"csrf_token": token, "title": "车位管理", "body": "私家车按划线停放。"},
    )
    assert edited.status_code == 302
    retired = client.post(f"/pacts/library/clauses/{clause.id}/retire", data={"csrf_token": token})
    assert retired.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PactClause)) == 0
    history = client.get("/pacts/library/clauses/history").get_data(as_text=True)
    assert history.count('class="badge badge-history"') == 3
    assert "私家车按划线停放。" in history
    # Another company's manager sees none of it.
    other = login_as(Role.MANAGER)
    assert "车位管理" not in other.get("/pacts/library/clauses/history").get_data(as_text=True)
