"""Signing campaigns' rules, called directly: the threshold's arithmetic, the scope a pact
allows, the steps and who may take them, one household one voice (the latest answer counts,
every answer kept), the adoption, the refusals that write nothing, and the counts the pages
show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.blueprints.pacts.campaigns import services
from app.blueprints.pacts.campaigns.services import (
    CampaignDraft,
    CampaignError,
    CanvassFilters,
    NotAllowed,
    State,
    Threshold,
)
from app.extensions import db
from app.models import (
    Answer,
    AnswerChannel,
    AuditEntry,
    CampaignAnswer,
    CampaignScope,
    CampaignStatus,
    CampaignVote,
    Role,
    SigningCampaign,
    UnitPact,
)
from app.periods import utcnow
from tests import factories


@pytest.fixture
def place(app, database):
    """A community of two buildings: building A with units A1 (3 households) and A2 (2),
    building B with unit B1 (1); a manager, a steward and a resident of each A1 household; in
    a request context in English, so that refusals can be read."""
    company = factories.company()
    community = factories.community(company)
    a = factories.building(community, number="1", sort_key=1)
    b = factories.building(community, number="2", sort_key=2)
    a1 = factories.unit(a, number="1")
    a2 = factories.unit(a, number="2")
    b1 = factories.unit(b, number="1")
    homes = {
        "a1": [factories.household(a1, room=f"10{n}", floor=1) for n in range(1, 4)],
        "a2": [factories.household(a2, room=f"20{n}", floor=2) for n in range(1, 3)],
        "b1": [factories.household(b1, room="101", floor=1)],
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield {
            "company": company,
            "community": community,
            "buildings": (a, b),
            "units": (a1, a2, b1),
            "homes": homes,
            "manager": factories.user(Role.MANAGER, company_id=company.id),
            "steward": factories.user(
                Role.STEWARD, company_id=company.id, display_name="网格员小周"
            ),
            "residents": [factories.resident(home) for home in homes["a1"]],
            "wide": factories.pact_version(a1, community_wide=True),
            "unit_pact": factories.pact_version(a1),
        }


def draft(place, scope=CampaignScope.COMMUNITY, **fields):
    values = {"version_id": place["wide"].id, "title": "", "scope": scope} | fields
    campaign = services.create_campaign(place["manager"], CampaignDraft(**values))
    db.session.commit()
    return campaign


def opened(place, at=None, **fields):
    campaign = draft(place, **fields)
    services.open_campaign(place["manager"], campaign, now=at)
    db.session.commit()
    return campaign


def answers_of(campaign):
    return db.session.scalar(select(func.count()).where(CampaignAnswer.campaign_id == campaign.id))


def vote_of(campaign, home):
    db.session.expire_all()
    return db.session.get(CampaignVote, (campaign.id, home.id))


# --- the threshold --------------------------------------------------------------------------


def test_the_threshold_is_whole_number_arithmetic():
    two_thirds = Threshold(2, 3)
    assert two_thirds.needed(30) == 20 and two_thirds.reached(20, 30)
    assert not two_thirds.reached(19, 30)
    assert two_thirds.needed(31) == 21 and not two_thirds.reached(20, 31)
    assert Threshold(1, 2).needed(7) == 4 and Threshold(3, 4).needed(8) == 6
    assert Threshold.percent(60) == Threshold(3, 5) and Threshold.percent(55) == Threshold(11, 20)
    assert Threshold.percent(50).key == "1/2" and Threshold.percent(55).key == "custom"
    assert Threshold.percent(100).needed(9) == 9
    assert not Threshold(0, 3).valid and not Threshold(4, 3).valid


def test_a_custom_percentage_sets_the_campaigns_threshold(place):
    campaign = opened(place, threshold=Threshold.percent(60))
    assert (campaign.threshold_numerator, campaign.threshold_denominator) == (3, 5)
    assert campaign.household_count == 6
    assert services.progress(campaign).needed == 4  # 60% of 6 is 3.6: four households


def test_a_threshold_outside_1_to_100_percent_is_refused(place):
    with pytest.raises(CampaignError) as refused:
        draft(place, threshold=Threshold(0, 100))
    assert refused.value.field == "custom_percent"


# --- the scope and the draft ----------------------------------------------------------------


def test_a_units_own_pact_is_signed_by_that_unit_alone(place):
    a1 = place["units"][0]
    campaign = draft(place, CampaignScope.UNIT, version_id=place["unit_pact"].id)
    assert (campaign.scope, campaign.unit_id) == (CampaignScope.UNIT, a1.id)
    assert campaign.title == place["unit_pact"].title  # empty: the pact's title
    for scope, extra in [
        (CampaignScope.COMMUNITY, {}),
        (CampaignScope.BUILDING, {"building_id": place["buildings"][0].id}),
        (CampaignScope.UNIT, {"unit_id": place["units"][1].id}),
    ]:
        with pytest.raises(CampaignError) as refused:
            draft(place, scope, version_id=place["unit_pact"].id, **extra)
        assert refused.value.field == "scope"


def test_a_community_wide_pact_goes_to_a_unit_a_building_or_everyone(place):
    a, _b = place["buildings"]
    building = draft(place, CampaignScope.BUILDING, building_id=a.id)
    unit = draft(place, CampaignScope.UNIT, unit_id=place["units"][2].id)
    assert building.building_id == a.id and unit.unit_id == place["units"][2].id
    elsewhere = factories.building(factories.community(place["company"]))
    with pytest.raises(CampaignError) as refused:
        draft(place, CampaignScope.BUILDING, building_id=elsewhere.id)
    assert refused.value.field == "building_id"
    with pytest.raises(CampaignError):
        draft(place, CampaignScope.UNIT, unit_id=None)


def test_a_pact_of_another_company_is_not_found(place):
    theirs = factories.pact_version(community_wide=True)
    with pytest.raises(CampaignError) as refused:
        draft(place, version_id=theirs.id)
    assert refused.value.field == "version_id"
    assert db.session.scalar(select(func.count(SigningCampaign.id))) == 0


def test_only_a_manager_of_the_company_drafts_and_steps(place):
    with pytest.raises(NotAllowed):
        services.create_campaign(
            place["steward"], CampaignDraft(place["wide"].id, "", CampaignScope.COMMUNITY)
        )
    campaign = draft(place)
    stranger = factories.user(Role.MANAGER)
    for step in (
        lambda user: services.open_campaign(user, campaign),
        lambda user: services.delete_campaign(user, campaign),
        lambda user: services.update_campaign(
            user, campaign, CampaignDraft(place["wide"].id, "x", CampaignScope.COMMUNITY)
        ),
    ):
        with pytest.raises(NotAllowed):
            step(place["steward"])
        with pytest.raises(NotAllowed):
            step(stranger)


def test_a_draft_changes_and_is_deleted_but_an_open_campaign_is_not(place):
    campaign = draft(place)
    db.session.commit()
    services.update_campaign(
        place["manager"],
        campaign,
        CampaignDraft(
            place["wide"].id,
            "  一单元  楼道公约 ",
            CampaignScope.UNIT,
            unit_id=place["units"][0].id,
            threshold=Threshold(3, 4),
        ),
    )
    db.session.commit()
    assert campaign.title == "一单元 楼道公约" and campaign.unit_id == place["units"][0].id
    assert campaign.threshold_numerator == 3
    services.open_campaign(place["manager"], campaign)
    db.session.commit()
    with pytest.raises(CampaignError, match="draft"):
        services.update_campaign(
            place["manager"], campaign, CampaignDraft(place["wide"].id, "x", CampaignScope.UNIT)
        )
    db.session.rollback()
    with pytest.raises(CampaignError, match="draft"):
        services.delete_campaign(place["manager"], campaign)
    db.session.rollback()
    other = draft(place, CampaignScope.UNIT, unit_id=place["units"][2].id)
    services.delete_campaign(place["manager"], other)
    db.session.commit()
    assert db.session.get(SigningCampaign, other.id) is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "campaign").order_by(AuditEntry.id)
    ).all()
    assert actions == ["created", "updated", "opened", "created", "deleted"]


# --- opening, rounds, closing ---------------------------------------------------------------


def test_opening_counts_the_households_in_scope(place):
    building = opened(place, scope=CampaignScope.BUILDING, building_id=place["buildings"][0].id)
    assert building.status == CampaignStatus.OPEN and building.current_round == 1
    assert building.household_count == 5 and building.opened_at is not None
    with pytest.raises(CampaignError, match="open already"):
        services.open_campaign(place["manager"], building)


def test_a_scope_without_households_cannot_open(place):
    empty = factories.unit(place["buildings"][1], number="9")
    campaign = draft(place, CampaignScope.UNIT, unit_id=empty.id)
    with pytest.raises(CampaignError, match="No household"):
        services.open_campaign(place["manager"], campaign)
    db.session.rollback()
    assert db.session.get(SigningCampaign, campaign.id).status == CampaignStatus.DRAFT


def test_households_are_asked_in_one_open_campaign_at_a_time(place):
    a, b = place["buildings"]
    opened(place, scope=CampaignScope.BUILDING, building_id=a.id)
    for overlapping in (
        draft(place),
        draft(place, CampaignScope.UNIT, unit_id=place["units"][1].id),
        draft(place, CampaignScope.UNIT, version_id=place["unit_pact"].id),
    ):
        with pytest.raises(CampaignError, match="being asked already"):
            services.open_campaign(place["manager"], overlapping)
        db.session.rollback()
    elsewhere = opened(place, scope=CampaignScope.BUILDING, building_id=b.id)
    assert elsewhere.status == CampaignStatus.OPEN


def test_rounds_move_one_at_a_time_up_to_three(place):
    campaign = opened(place)
    with pytest.raises(CampaignError, match="one round at a time"):
        services.next_round(place["manager"], campaign, 3)
    services.next_round(place["manager"], campaign, 2)
    db.session.commit()
    # The same form sent twice does not skip round 3.
    with pytest.raises(CampaignError, match="round 2 already"):
        services.next_round(place["manager"], campaign, 2)
    services.next_round(place["manager"], campaign, 3)
    with pytest.raises(CampaignError, match="last round"):
        services.next_round(place["manager"], campaign, 4)
    assert campaign.current_round == 3
    with pytest.raises(NotAllowed):
        services.next_round(place["steward"], campaign, 3)


def test_a_closed_campaign_takes_no_more_answers(place):
    campaign = opened(place)
    services.close_campaign(place["manager"], campaign)
    db.session.commit()
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None
    with pytest.raises(CampaignError, match="closed"):
        services.sign(place["residents"][0], campaign, place["homes"]["a1"][0].id, Answer.AGREE)
    db.session.rollback()
    with pytest.raises(CampaignError, match="closed"):
        services.record_answer(place["steward"], campaign, place["homes"]["a1"][0].id, Answer.AGREE)
    db.session.rollback()
    with pytest.raises(CampaignError, match="Only an open"):
        services.close_campaign(place["manager"], campaign)
    db.session.rollback()
    assert answers_of(campaign) == 0


def test_a_draft_takes_no_answers(place):
    campaign = draft(place)
    db.session.commit()
    home = place["homes"]["a1"][0]
    with pytest.raises(CampaignError, match="not opened yet"):
        services.record_answer(place["manager"], campaign, home.id, Answer.AGREE)
    db.session.rollback()
    # A resident does not even see a draft.
    with pytest.raises(NotAllowed):
        services.sign(place["residents"][0], campaign, home.id, Answer.AGREE)
    db.session.rollback()
    assert answers_of(campaign) == 0


# --- answers --------------------------------------------------------------------------------


def test_a_resident_signs_for_their_own_household_and_changes_their_mind(place):
    campaign = opened(place)
    resident, home = place["residents"][0], place["homes"]["a1"][0]
    services.sign(resident, campaign, home.id, Answer.AGREE)
    db.session.commit()
    vote = vote_of(campaign, home)
    assert vote.answer == Answer.AGREE
    assert campaign.agreed_count == 1
    services.sign(resident, campaign, home.id, Answer.DISAGREE)
    db.session.commit()
    assert vote_of(campaign, home).answer == Answer.DISAGREE
    assert db.session.get(SigningCampaign, campaign.id).agreed_count == 0
    history = services.answer_history(campaign, home.id, place["manager"])
    assert [(row.CampaignAnswer.answer, row.CampaignAnswer.channel) for row in history] == [
        (Answer.DISAGREE, AnswerChannel.ONLINE),
        (Answer.AGREE, AnswerChannel.ONLINE),
    ]
    assert history[0].recorder == resident.display_name


def test_a_resident_may_not_answer_for_another_household(place):
    campaign = opened(place)
    resident = place["residents"][0]
    for other in (place["homes"]["a1"][1], place["homes"]["b1"][0], factories.household()):
        with pytest.raises(CampaignError, match="your own household") as refused:
            services.sign(resident, campaign, other.id, Answer.AGREE)
        assert refused.value.field == "household_id"
        db.session.rollback()
    with pytest.raises(CampaignError, match="agree or disagree"):
        services.sign(resident, campaign, place["homes"]["a1"][0].id, Answer.ABSENT)
    db.session.rollback()
    assert answers_of(campaign) == 0
    assert db.session.scalar(select(func.count()).select_from(CampaignVote)) == 0


def test_a_household_outside_the_scope_is_not_asked(place):
    campaign = opened(place, scope=CampaignScope.UNIT, unit_id=place["units"][1].id)
    with pytest.raises(CampaignError, match="does not ask"):
        services.record_answer(place["steward"], campaign, place["homes"]["a1"][0].id, Answer.AGREE)
    db.session.rollback()
    # The resident of A1 is not asked by A2's campaign: they do not see it at all.
    with pytest.raises(NotAllowed):
        services.sign(place["residents"][0], campaign, place["homes"]["a1"][0].id, Answer.AGREE)


def test_staff_of_another_company_may_not_canvass(place):
    campaign = opened(place)
    outsider = factories.user(Role.STEWARD)
    with pytest.raises(NotAllowed):
        services.record_answer(outsider, campaign, place["homes"]["a1"][0].id, Answer.AGREE)
    db.session.rollback()
    with pytest.raises(NotAllowed):
        services.record_answer(
            factories.user(Role.ADMIN), campaign, place["homes"]["a1"][0].id, Answer.AGREE
        )
    db.session.rollback()
    assert answers_of(campaign) == 0


def test_the_latest_answer_counts_whoever_recorded_it(place):
    campaign = opened(place, at=utcnow() - timedelta(days=3))
    home, resident = place["homes"]["a1"][0], place["residents"][0]
    services.next_round(place["manager"], campaign, 2)
    services.sign(resident, campaign, home.id, Answer.DISAGREE)
    db.session.commit()
    # A round-1 sheet typed in now: older than the signature, kept but not counted.
    earlier = utcnow() - timedelta(minutes=2)
    late = services.record_answer(
        place["steward"],
        campaign,
        home.id,
        Answer.AGREE,
        round=1,
        answered_at=earlier,
        asked_by="业委会 老王",
        remark="同意，希望尽快整治楼道",
    )
    db.session.commit()
    assert vote_of(campaign, home).answer == Answer.DISAGREE
    assert late.round == 1 and late.asked_by == "业委会 老王" and late.channel == AnswerChannel.DOOR
    # A visit after the signature overrides it.
    later = services.record_answer(place["steward"], campaign, home.id, Answer.AGREE)
    db.session.commit()
    vote = vote_of(campaign, home)
    assert (vote.answer, vote.answer_id) == (Answer.AGREE, later.id)
    assert later.round == 2 and later.asked_by == "网格员小周"  # the canvasser's name
    assert answers_of(campaign) == 3
    assert db.session.get(SigningCampaign, campaign.id).agreed_count == 1


def test_of_two_answers_at_the_same_moment_the_one_recorded_last_counts(place):
    campaign = opened(place)
    home = place["homes"]["a1"][0]
    moment = utcnow().replace(second=0, microsecond=0)
    services.record_answer(place["steward"], campaign, home.id, Answer.AGREE, answered_at=moment)
    second = services.record_answer(
        place["manager"], campaign, home.id, Answer.ABSENT, answered_at=moment
    )
    db.session.commit()
    assert vote_of(campaign, home).answer_id == second.id


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"round": 2}, "round", "from 1 to 1"),
        ({"round": 0}, "round", "from 1 to 1"),
        ({"answered_at": "future"}, "answered_at", "future"),
        ({"answered_at": "before"}, "answered_at", "cannot be earlier"),
        ({"asked_by": "王" * 61}, "asked_by", "at most 60"),
        ({"remark": "好" * 201}, "remark", "at most 200"),
    ],
)
def test_a_door_answer_is_checked(place, fields, field, message):
    fields = dict(fields)  # the parameters are shared by every backend's run: change a copy
    campaign = opened(place)
    # One moment for the test and the service: "the future" is five minutes after it.
    now = max(utcnow(), campaign.opened_at) + timedelta(minutes=1)
    if fields.get("answered_at") == "future":
        fields["answered_at"] = now + timedelta(minutes=5)
    elif fields.get("answered_at") == "before":
        fields["answered_at"] = campaign.opened_at - timedelta(days=1)
    with pytest.raises(CampaignError, match=message) as refused:
        services.record_answer(
            place["steward"], campaign, place["homes"]["a1"][0].id, Answer.AGREE, **fields, now=now
        )
    assert refused.value.field == field
    db.session.rollback()
    assert answers_of(campaign) == 0


# --- adoption -------------------------------------------------------------------------------


def test_support_reaching_the_threshold_adopts_the_pact_once(place):
    a = place["buildings"][0]
    campaign = opened(place, scope=CampaignScope.BUILDING, building_id=a.id)  # 5 households
    assert services.progress(campaign).needed == 4  # two thirds of 5
    homes = place["homes"]["a1"] + place["homes"]["a2"]
    for home in homes[:3]:
        services.record_answer(place["steward"], campaign, home.id, Answer.AGREE)
    services.record_answer(place["steward"], campaign, homes[3].id, Answer.DISAGREE)
    db.session.commit()
    assert campaign.status == CampaignStatus.OPEN and campaign.agreed_count == 3
    assert db.session.scalar(select(func.count(UnitPact.id))) == 0

    services.sign(place["residents"][0], campaign, homes[0].id, Answer.AGREE)  # no change
    db.session.commit()
    assert campaign.status == CampaignStatus.OPEN
    services.record_answer(place["manager"], campaign, homes[4].id, Answer.AGREE)
    db.session.commit()
    assert campaign.status == CampaignStatus.ADOPTED and campaign.adopted_at is not None
    assert campaign.agreed_count == 4
    adopted = db.session.execute(
        select(UnitPact.unit_id, UnitPact.version_id, UnitPact.adopted_at).order_by(
            UnitPact.unit_id
        )
    ).all()
    # Both units of the building, not building 2's.
    assert [row.unit_id for row in adopted] == sorted(u.id for u in place["units"][:2])
    assert {row.version_id for row in adopted} == {place["wide"].id}
    assert {row.adopted_at for row in adopted} == {campaign.adopted_at}

    with pytest.raises(CampaignError, match="adopted"):
        services.record_answer(place["steward"], campaign, homes[3].id, Answer.AGREE)
    db.session.rollback()
    with pytest.raises(CampaignError, match="Only an open"):
        services.close_campaign(place["manager"], campaign)
    db.session.rollback()
    assert db.session.scalar(select(func.count(UnitPact.id))) == 2
    entries = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "campaign", AuditEntry.entity_id == campaign.id
        )
    ).all()
    assert entries.count("adopted") == 1


def test_a_unit_pact_adopted_is_in_force_on_its_unit(place):
    from app.blueprints.pacts.standing import pacts_in_force

    campaign = opened(place, scope=CampaignScope.UNIT, version_id=place["unit_pact"].id)
    for resident, home in zip(place["residents"][:2], place["homes"]["a1"][:2], strict=True):
        services.sign(resident, campaign, home.id, Answer.AGREE)
    db.session.commit()
    assert campaign.status == CampaignStatus.ADOPTED
    a1 = place["units"][0]
    version, adoption = pacts_in_force([a1.id], place["manager"])[a1.id]
    assert version.id == place["unit_pact"].id and adoption.campaign_id == campaign.id


# --- what the pages read --------------------------------------------------------------------


def test_progress_is_counted_by_unit_and_building(place):
    campaign = opened(place)
    a1, a2, _b1 = place["homes"]["a1"], place["homes"]["a2"], place["homes"]["b1"]
    steward = place["steward"]
    services.record_answer(steward, campaign, a1[0].id, Answer.AGREE)
    services.record_answer(steward, campaign, a1[1].id, Answer.DISAGREE)
    services.record_answer(steward, campaign, a2[0].id, Answer.ABSENT)
    db.session.commit()

    total = services.progress(campaign)
    assert (total.households, total.agreed, total.disagreed, total.absent, total.unasked) == (
        6,
        1,
        1,
        1,
        3,
    )
    assert (total.needed, total.missing, total.reached) == (4, 3, False)
    units = db.session.execute(services.progress_by_unit(campaign)).all()
    assert [(u.unit_number, u.households, u.agreed, u.disagreed, u.absent) for u in units] == [
        ("1", 3, 1, 1, 0),
        ("2", 2, 0, 0, 1),
        ("1", 1, 0, 0, 0),
    ]
    buildings = services.progress_by_building(campaign)
    assert [(b.building_number, b.households, b.agreed) for b in buildings] == [
        ("1", 5, 1),
        ("2", 1, 0),
    ]
    tallies = services.tallies([campaign])
    assert tallies[campaign.id].agreed == 1 and tallies[campaign.id].absent == 1


def test_the_canvass_list_filters_and_the_visits_left(place):
    campaign = opened(place)
    a1 = place["homes"]["a1"]
    services.record_answer(place["steward"], campaign, a1[0].id, Answer.AGREE)
    services.record_answer(place["steward"], campaign, a1[1].id, Answer.ABSENT)
    db.session.commit()
    staff = place["steward"]

    def rooms(**filters):
        query = services.canvass_rows(campaign, CanvassFilters(**filters), staff)
        return [(row.unit_number, row.room) for row in db.session.execute(query)]

    assert rooms() == [
        ("1", "101"),
        ("1", "102"),
        ("1", "103"),
        ("2", "201"),
        ("2", "202"),
        ("1", "101"),
    ]
    assert rooms(state=State.AGREE) == [("1", "101")]
    assert rooms(state=State.UNASKED, unit_id=place["units"][0].id) == [("1", "103")]
    assert rooms(building_id=place["buildings"][1].id) == [("1", "101")]
    assert rooms(q="20") == [("2", "201"), ("2", "202")]
    left = services.visits(campaign, user=staff)
    assert [(row.building_number, row.room) for row in left] == [
        ("1", "102"),
        ("1", "103"),
        ("1", "201"),
        ("1", "202"),
        ("2", "101"),
    ]
    # Another company's staff see none of these households.
    assert services.visits(campaign, user=factories.user(Role.STEWARD)) == []


def test_the_state_other_parts_show_a_resident(place):
    campaign = opened(place, scope=CampaignScope.UNIT, unit_id=place["units"][0].id)
    resident, home = place["residents"][0], place["homes"]["a1"][0]
    state = services.campaign_state_for_household(campaign, home.id)
    assert (state.answer, state.open) == (None, True)
    services.sign(resident, campaign, home.id, Answer.AGREE)
    db.session.commit()
    state = services.campaign_state_for_household(campaign, home.id)
    assert (state.answer, state.channel, state.round) == (Answer.AGREE, AnswerChannel.ONLINE, 1)

    found = services.open_campaigns_for_households([home.id], resident)
    assert [(c.id, h, a) for c, h, a in found] == [(campaign.id, home.id, Answer.AGREE)]
    # Nothing for another's household, for a closed campaign, or outside the scope.
    assert services.open_campaigns_for_households([place["homes"]["a2"][0].id], resident) == []
    assert services.open_campaigns_for_households([place["homes"]["b1"][0].id]) == []
    services.close_campaign(place["manager"], campaign)
    db.session.commit()
    assert services.open_campaigns_for_households([home.id], resident) == []
    assert not services.campaign_state_for_household(campaign, home.id).open
