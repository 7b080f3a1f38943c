"""The pact library's rules: clauses built in and a company's own, drafting, versions that are
never changed, copying another pact, and where each version is in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.blueprints.pacts.library import services
from app.blueprints.pacts.library.clauses import BUILT_IN
from app.blueprints.pacts.library.services import ClauseText, InForce, PactDraft, UnitState
from app.blueprints.pacts.library.services import versions as version_rules
from app.blueprints.pacts.library.services.editing import (
    BLANK,
    Move,
    Verb,
    parse_move,
    rearranged,
)
from app.extensions import db
from app.models import AuditEntry, Pact, PactClause, PactVersion, Role
from app.periods import utcnow
from app.rules import RuleError
from tests import factories


def office():
    """A company's community with two units in one building, and one of its managers."""
    place = factories.community()
    block = factories.building(place, number="3", sort_key=3)
    units = [factories.unit(block, number=str(n)) for n in (1, 2)]
    manager = factories.user(Role.MANAGER, company_id=place.company_id)
    return place, units, manager


@pytest.fixture
def english(app, database):
    """A request in English, where the refusals' messages are read."""
    with app.test_request_context(), force_locale("en"):
        yield


def draft(*clauses: tuple[str, str], title: str = "3栋1单元楼道公约", note: str = "") -> PactDraft:
    return PactDraft(title, tuple(ClauseText(t, b) for t, b in clauses), note)


def versions_of(pact_id: int) -> list[tuple[int, str, list]]:
    rows = db.session.scalars(
        select(PactVersion).where(PactVersion.pact_id == pact_id).order_by(PactVersion.number)
    )
    return [(v.number, v.title, v.clauses) for v in rows]


# --- the clause library -------------------------------------------------------------------


def test_built_in_clauses_are_copied_in_the_drafters_language(app, database):
    manager = factories.user(Role.MANAGER)
    codes = ["no_flying_wires", "corridor_clear"]
    with app.test_request_context(), force_locale("zh_CN"):
        chinese = services.picked(codes, manager)
    with app.test_request_context(), force_locale("en"):
        english = services.picked(codes, manager)
    assert [c.title for c in chinese] == ["严禁飞线充电", "楼道畅通，守护消防通道"]
    assert "消防" in chinese[1].body and "充电" in chinese[0].body
    assert [c.title for c in english] == [
        "No flying wires",
        "Keep the corridor clear for fire safety",
    ]
    # Every built-in clause reads in both languages, and differently in each.
    with app.test_request_context(), force_locale("zh_CN"):
        zh = {c.code: (str(c.title), str(c.body)) for c in BUILT_IN}
    with app.test_request_context(), force_locale("en"):
        en = {c.code: (str(c.title), str(c.body)) for c in BUILT_IN}
    assert len(BUILT_IN) >= 7 and all(zh[code] != en[code] for code in zh)


def test_picking_keeps_the_order_and_skips_what_the_drafter_may_not_pick(app, database):
    manager = factories.user(Role.MANAGER)
    own = factories.pact_clause(manager.company_id, title="车位管理", body="按线停车。")
    foreign = factories.pact_clause(title="别家的条款")
    keys = [f"own-{own.id}", "pets", f"own-{foreign.id}", "no_such_clause", "own-x", "pets"]
    with app.test_request_context(), force_locale("zh_CN"):
        found = services.picked(keys, manager)
        library = services.library(manager)
    assert [c.title for c in found] == ["车位管理", "文明养宠"]
    assert [e.key for e in library][-1] == f"own-{own.id}"
    assert len(library) == len(BUILT_IN) + 1


def test_a_company_keeps_its_own_clauses_with_their_history(app, database):
    manager = factories.user(Role.MANAGER)
    other = factories.user(Role.MANAGER)
    clause = services.add_clause(" 电梯文明 ", " 不在电梯内吸烟。 ", manager)
    db.session.commit()
    assert (clause.title, clause.body, clause.company_id) == (
        "电梯文明",
        "不在电梯内吸烟。",
        manager.company_id,
    )
    assert db.session.scalars(services.own_clauses(other)).all() == []
    assert services.edit_clause(clause, "电梯文明", "电梯内不吸烟、不乱扔垃圾。") == {
        "body": ["不在电梯内吸烟。", "电梯内不吸烟、不乱扔垃圾。"]
    }
    db.session.commit()
    services.retire_clause(clause)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PactClause)) == 0
    entries = db.session.execute(services.clause_history(manager)).all()
    assert [row.AuditEntry.action for row in entries] == ["retired", "updated", "created"]
    # The retired clause's last words are still there to read.
    assert entries[0].AuditEntry.changes == {
        "title": "电梯文明",
        "body": "电梯内不吸烟、不乱扔垃圾。",
    }
    assert db.session.execute(services.clause_history(other)).all() == []
    with pytest.raises(RuleError) as refused:
        services.add_clause("标题", "  ", manager)
    assert refused.value.field == "body"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 3


# --- drafting and versions ----------------------------------------------------------------


def test_drafting_a_units_pact_makes_its_version_1(english):
    place, units, manager = office()
    version = services.draft_pact(
        place.id,
        units[0].id,
        draft((" 楼道畅通 ", "不堆放杂物。"), ("", " "), note=" 初稿 "),
        manager,
    )
    db.session.commit()
    pact = db.session.get(Pact, version.pact_id)
    assert (pact.unit_id, pact.community_id) == (units[0].id, place.id)
    assert (version.number, version.note) == (1, "初稿")
    # The blank row is dropped, the rest trimmed.
    assert version.clauses == [{"title": "楼道畅通", "body": "不堆放杂物。"}]
    assert services.latest_version(pact.id, manager).id == version.id
    with pytest.raises(RuleError) as refused:
        services.draft_pact(place.id, units[0].id, draft(("甲", "乙")), manager)
    assert "already has a pact" in str(refused.value.message)


def test_a_community_has_one_community_wide_pact(database):
    place, units, manager = office()
    wide = services.draft_pact(place.id, None, draft(("楼道畅通", "不堆放杂物。")), manager)
    own = services.draft_pact(place.id, units[0].id, draft(("楼道畅通", "不堆放杂物。")), manager)
    db.session.commit()
    assert services.existing_pact(place.id, None, manager).id == wide.pact_id
    assert services.existing_pact(place.id, units[0].id, manager).id == own.pact_id
    assert services.existing_pact(place.id, units[1].id, manager) is None
    with pytest.raises(RuleError):
        services.draft_pact(place.id, None, draft(("甲", "乙")), manager)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (draft(("甲", "乙"), title="  "), "title"),
        (draft(("", ""), ("  ", "")), "clauses"),
        (draft(("甲", "")), "clauses"),
        (draft(*[("甲", "乙")] * (services.MAX_CLAUSES + 1)), "clauses"),
    ],
)
def test_a_draft_that_is_no_pact_is_refused(bad, field):
    with pytest.raises(RuleError) as refused:
        services.checked(bad)
    assert refused.value.field == field


def test_every_save_adds_the_next_version_and_keeps_the_older_ones(database):
    place, units, manager = office()
    first = services.draft_pact(
        place.id, units[0].id, draft(("安静时段", "22:00后请勿喧哗。")), manager
    )
    db.session.commit()
    pact = db.session.get(Pact, first.pact_id)
    second = services.save_version(
        pact, draft(("安静时段", "21:30后请勿喧哗。"), note="提前半小时"), 1, manager
    )
    third = services.save_version(
        pact,
        draft(("安静时段", "21:30后请勿喧哗。"), ("文明养宠", "遛狗牵绳。"), note="加养宠条款"),
        2,
        manager,
    )
    db.session.commit()
    assert (second.number, third.number) == (2, 3)
    assert versions_of(pact.id) == [
        (1, "3栋1单元楼道公约", [{"title": "安静时段", "body": "22:00后请勿喧哗。"}]),
        (2, "3栋1单元楼道公约", [{"title": "安静时段", "body": "21:30后请勿喧哗。"}]),
        (
            3,
            "3栋1单元楼道公约",
            [
                {"title": "安静时段", "body": "21:30后请勿喧哗。"},
                {"title": "文明养宠", "body": "遛狗牵绳。"},
            ],
        ),
    ]
    assert services.latest_version(pact.id, manager).number == 3
    assert list(services.version_ids(pact.id, manager)) == [3, 2, 1]
    listed = db.session.execute(services.versions_of(pact.id, manager)).all()
    assert (listed[0].PactVersion.number, listed[0].author) == (3, manager.display_name)


def test_a_save_from_an_older_version_than_the_latest_is_refused(english):
    place, units, manager = office()
    first = services.draft_pact(place.id, units[0].id, draft(("甲", "乙")), manager)
    pact = db.session.get(Pact, first.pact_id)
    services.save_version(pact, draft(("甲", "乙丙"), note="改"), 1, manager)
    db.session.commit()
    for stale in (1, None, 7):
        with pytest.raises(RuleError) as refused:
            services.save_version(pact, draft(("甲", "丁"), note="又改"), stale, manager)
        assert refused.value.field == "version"
        assert "meanwhile" in str(refused.value.message)
    assert [n for n, _t, _c in versions_of(pact.id)] == [1, 2]


def test_two_saves_claiming_the_same_number_meet_the_constraint(english, monkeypatch):
    """Both editors read version 1 as the latest before either wrote: the unique (pact_id,
    number) lets the first version 2 in and turns the second into the form's message."""
    place, units, manager = office()
    first = services.draft_pact(place.id, units[0].id, draft(("甲", "乙")), manager)
    pact = db.session.get(Pact, first.pact_id)
    services.save_version(pact, draft(("甲", "乙丙"), note="先存的"), 1, manager)
    db.session.commit()
    # The second editor's check still sees version 1 as the latest.
    monkeypatch.setattr(version_rules, "latest_version", lambda *_args: first)
    with pytest.raises(RuleError) as refused:
        services.save_version(pact, draft(("甲", "乙丁"), note="后存的"), 1, manager)
    db.session.rollback()
    assert "meanwhile" in str(refused.value.message)
    assert [(n, c[0]["body"]) for n, _t, c in versions_of(pact.id)] == [(1, "乙"), (2, "乙丙")]


def test_a_save_must_change_something_and_say_what(english):
    place, units, manager = office()
    first = services.draft_pact(place.id, units[0].id, draft(("甲", "乙")), manager)
    pact = db.session.get(Pact, first.pact_id)
    with pytest.raises(RuleError) as unchanged:
        services.save_version(pact, draft((" 甲 ", "乙"), note="没改"), 1, manager)
    assert "Nothing has changed" in str(unchanged.value.message)
    with pytest.raises(RuleError) as silent:
        services.save_version(pact, draft(("甲", "乙丙")), 1, manager)
    assert silent.value.field == "note"


def test_a_pact_is_copied_from_another_units_latest_version(app, database):
    place, units, manager = office()
    source = services.draft_pact(place.id, units[0].id, draft(("甲", "乙")), manager)
    pact = db.session.get(Pact, source.pact_id)
    services.save_version(pact, draft(("甲", "乙丙"), ("丁", "戊"), note="加一条"), 1, manager)
    db.session.commit()
    latest = services.latest_version(pact.id, manager)
    with app.test_request_context(), force_locale("en"):
        copied = services.copy_of(latest, "3栋2单元楼道公约", services.pact_place(pact))
    assert copied.title == "3栋2单元楼道公约"
    assert [c.stored() for c in copied.clauses] == latest.clauses
    assert copied.note == "Copied from Building 3, unit 1, version 2"
    version = services.draft_pact(place.id, units[1].id, copied, manager)
    db.session.commit()
    assert (version.number, version.clauses) == (1, latest.clauses)
    assert version.pact_id != pact.id
    # The source is as it was.
    assert [n for n, _t, _c in versions_of(pact.id)] == [1, 2]


def test_only_the_companys_own_pacts_can_be_copied(database):
    _place, units, manager = office()
    ours = factories.pact_version(units[0], title="我们的公约")
    wide = factories.pact_version(units[1], community_wide=True, title="全小区公约")
    theirs = factories.pact_version(title="别家的公约")
    rows = db.session.execute(services.copy_sources(user=manager)).all()
    assert [row.latest.id for row in rows] == [wide.id, ours.id]
    assert [row.unit_number for row in rows] == [None, "1"]
    assert theirs.id not in {row.latest.id for row in rows}
    assert [r.latest.id for r in db.session.execute(services.copy_sources("我们", manager))] == [
        ours.id
    ]


def test_version_choices_offer_the_units_pact_then_the_community_wide_one(app, database):
    place, units, manager = office()
    own = factories.pact_version(units[0], title="本单元公约")
    own_2 = factories.pact_version(units[1], title="二单元公约")
    wide = factories.pact_version(units[0], community_wide=True, title="全小区公约")
    wide_2 = factories.next_version(wide)
    foreign = factories.pact_version(title="别家的")
    with app.test_request_context(), force_locale("en"):
        choices = services.version_choices(place.id, units[0].id, manager)
        community_only = services.version_choices(place.id, user=manager)
    assert [c.version_id for c in choices] == [own.id, wide_2.id, wide.id]
    assert choices[0].label == "This unit's pact · version 1 · 本单元公约"
    assert [c.version_id for c in community_only] == [wide_2.id, wide.id]
    assert own_2.id not in {c.version_id for c in choices}
    assert services.version_choices(foreign.community_id, user=manager) == []


# --- where each version is in force -------------------------------------------------------


def test_the_version_in_force_is_the_latest_adopted(database):
    place, units, manager = office()
    wide = factories.pact_version(units[0], community_wide=True)
    own = factories.pact_version(units[0])
    now = utcnow()
    factories.adoption(wide, units[0], adopted_at=now - timedelta(days=30))
    factories.adoption(own, adopted_at=now - timedelta(days=2))
    factories.adoption(wide, units[1], adopted_at=now - timedelta(days=30))

    assert services.in_force_by_version(wide.pact_id, manager) == {wide.id: InForce(wide.id, 1, 1)}
    assert services.in_force_by_version(own.pact_id, manager) == {own.id: InForce(own.id, 1, 1)}
    assert [
        row.Unit.id for row in db.session.execute(services.in_force_units(wide.id, manager))
    ] == [units[1].id]
    rows = db.session.execute(services.unit_rows(place.id, user=manager)).all()
    assert [
        (row.Unit.number, row.pact_id, row.latest.id if row.latest else None) for row in rows
    ] == [
        ("1", own.pact_id, own.id),
        ("2", None, None),
    ]
    figures = services.community_figures(place.id, manager)
    assert (figures.units, figures.own_pacts, figures.in_force) == (2, 1, 2)
    community = db.session.execute(services.community_rows(user=manager)).one()
    assert (community.wide_pact_id, community.wide_number) == (wide.pact_id, 1)
    assert (
        db.session.execute(services.community_rows(user=factories.user(Role.MANAGER))).all() == []
    )


def test_units_are_filtered_by_adoption_building_and_version(database):
    place, units, manager = office()
    other_block = factories.building(place, number="12", sort_key=12)
    far = factories.unit(other_block, number="1")
    wide = factories.pact_version(units[0], community_wide=True)
    factories.adoption(wide, units[1])

    def listed(**filters):  # type: ignore[no-untyped-def]
        query = services.unit_rows(place.id, user=manager, **filters)
        return [row.Unit.id for row in db.session.execute(query)]

    assert listed() == [units[0].id, units[1].id, far.id]
    assert listed(state=UnitState.IN_FORCE) == [units[1].id]
    assert listed(state=UnitState.NOT_IN_FORCE) == [units[0].id, far.id]
    assert listed(q="12") == [far.id]
    assert listed(version_id=wide.id) == [units[1].id]


# --- the editor's rows --------------------------------------------------------------------


A, B, C = ClauseText("甲", "一"), ClauseText("乙", "二"), ClauseText("丙", "三")


@pytest.mark.parametrize(
    ("value", "move"),
    [
        ("add", Move(Verb.ADD)),
        ("insert", Move(Verb.INSERT)),
        ("remove:2", Move(Verb.REMOVE, 2)),
        ("up:0", Move(Verb.UP, 0)),
        ("save", None),
        (None, None),
        ("down:x", None),
        ("remove:99999999999", None),
        ("drop:1", None),
    ],
)
def test_the_button_pressed_is_read_from_its_value(value, move):
    assert parse_move(value) == move


def test_rows_are_added_removed_and_moved():
    assert rearranged([A, B], Move(Verb.ADD)) == ([A, B, BLANK], 2)
    assert rearranged([A, BLANK], Move(Verb.INSERT), C) == ([A, C], 1)
    assert rearranged([A, B, C], Move(Verb.REMOVE, 1)) == ([A, C], 1)
    assert rearranged([A, B, C], Move(Verb.REMOVE, 2)) == ([A, B], 1)
    assert rearranged([A], Move(Verb.REMOVE, 0)) == ([BLANK], 0)
    assert rearranged([A, B, C], Move(Verb.UP, 2)) == ([A, C, B], 1)
    assert rearranged([A, B, C], Move(Verb.DOWN, 0)) == ([B, A, C], 1)
    # The first row cannot go up, nor the last down; a row no longer there changes nothing.
    assert rearranged([A, B], Move(Verb.UP, 0)) == ([A, B], 0)
    assert rearranged([A, B], Move(Verb.DOWN, 1)) == ([A, B], 1)
    assert rearranged([A, B], Move(Verb.REMOVE, 5)) == ([A, B], None)


def test_rows_stop_at_the_most_a_pact_holds():
    with pytest.raises(RuleError) as full:
        rearranged([A] * services.MAX_CLAUSES, Move(Verb.ADD))
    assert full.value.field == "clauses"
    with pytest.raises(RuleError) as unknown:
        rearranged([A], Move(Verb.INSERT), None)
    assert unknown.value.field == "library"
