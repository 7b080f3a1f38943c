"""Signing campaign pages: a manager sets one up and takes its steps, canvassers work through
the households (htmx rows, the full form), the sheet of visits prints, a resident signs for
their own household only; bad input is 422 with the input kept, and every POST needs CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import to_user_timezone
from sqlalchemy import func, select

from app.blueprints.pacts.campaigns import services
from app.extensions import db
from app.models import (
    Answer,
    AnswerChannel,
    CampaignAnswer,
    CampaignScope,
    CampaignStatus,
    CampaignVote,
    Role,
    SigningCampaign,
)
from app.periods import utcnow
from tests import factories
from tests.conftest import csrf_token

HTMX = {"HX-Request": "true"}


@pytest.fixture
def place(database):
    company = factories.company()
    community = factories.community(company, name="桃花苑")
    block = factories.building(community, number="3")
    entrance = factories.unit(block, number="1")
    homes = [factories.household(entrance, room=f"{n}01", floor=n) for n in (1, 2, 3)]
    other_block = factories.building(community, number="4")
    far = factories.household(factories.unit(other_block, number="2"), room="101")
    steward = factories.user(Role.STEWARD, company_id=company.id, display_name="网格员小周")
    return {
        "company": company,
        "community": community,
        "block": block,
        "entrance": entrance,
        "homes": homes,
        "far": far,
        "steward_user": steward,
        "version": factories.pact_version(
            entrance,
            community_wide=True,
            title="桃花苑楼道公约",
            clauses=[
                {"title": "消防通道", "body": "楼道内不堆放杂物。<script>alert(1)</script>"},
                {"title": "电动车", "body": "不在楼道内充电。"},
            ],
        ),
    }


@pytest.fixture
def manager(login_as, place):
    return login_as(user=factories.user(Role.MANAGER, company_id=place["company"].id))


@pytest.fixture
def steward(login_as, place):
    return login_as(user=place["steward_user"])


@pytest.fixture
def resident(login_as, place):
    return login_as(user=factories.resident(place["homes"][0]))


def building_campaign(place, **fields):
    """An open campaign over building 3 (three households, two needed)."""
    return factories.campaign(
        place["version"],
        scope=CampaignScope.BUILDING,
        building_id=place["block"].id,
        household_count=3,
        **fields,
    )


def page(client, path, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def new_form(client, place, **fields):
    return {
        "csrf_token": csrf_token(client, "/pacts/campaigns/new"),
        "community_id": place["community"].id,
        "version_id": place["version"].id,
        "title": "三号楼楼道公约征集",
        "scope": "building",
        "building_id": place["block"].id,
        "unit_id": "",
        "threshold": "2/3",
        "custom_percent": "",
    } | fields


def latest_campaign():
    db.session.expire_all()
    return db.session.scalar(select(SigningCampaign).order_by(SigningCampaign.id.desc()))


# --- the manager ----------------------------------------------------------------------------


def test_a_manager_drafts_opens_and_moves_a_campaign_through_its_rounds(manager, place):
    html = page(manager, "/pacts/campaigns/new")
    assert "桃花苑楼道公约 · v1" in html and "3-1" in html
    response = manager.post(
        "/pacts/campaigns/new",
        data=new_form(manager, place, threshold="custom", custom_percent="60"),
    )
    assert response.status_code == 302
    campaign = latest_campaign()
    assert response.headers["Location"] == f"/pacts/campaigns/{campaign.id}"
    assert campaign.status == CampaignStatus.DRAFT and campaign.building_id == place["block"].id
    assert (campaign.threshold_numerator, campaign.threshold_denominator) == (3, 5)
    detail = page(manager, f"/pacts/campaigns/{campaign.id}")
    assert "三号楼楼道公约征集" in detail and "60%" in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "<script>alert" not in detail

    token = csrf_token(manager, f"/pacts/campaigns/{campaign.id}")
    opened = manager.post(f"/pacts/campaigns/{campaign.id}/open", data={"csrf_token": token})
    assert opened.status_code == 302
    assert latest_campaign().household_count == 3
    # htmx: the page navigates; twice the same round is refused in the steps' section.
    moved = manager.post(
        f"/pacts/campaigns/{campaign.id}/round",
        data={"csrf_token": token, "round": 2},
        headers=HTMX,
    )
    assert (
        moved.status_code == 204
        and moved.headers["HX-Redirect"] == f"/pacts/campaigns/{campaign.id}"
    )
    again = manager.post(
        f"/pacts/campaigns/{campaign.id}/round",
        data={"csrf_token": token, "round": 2},
        headers=HTMX,
    )
    assert again.status_code == 422
    body = again.get_data(as_text=True)
    assert 'id="campaign-actions"' in body and "已在第 2 轮" in body and "<html" not in body
    assert latest_campaign().current_round == 2
    closed = manager.post(f"/pacts/campaigns/{campaign.id}/close", data={"csrf_token": token})
    assert closed.status_code == 302 and latest_campaign().status == CampaignStatus.CLOSED
    listing = page(manager, "/pacts/campaigns?status=closed")
    assert "三号楼楼道公约征集" in listing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"threshold": "custom", "custom_percent": ""}, "请输入"),
        ({"threshold": "custom", "custom_percent": "150"}, "1 到 100"),
        ({"scope": "building", "building_id": ""}, "请选择"),
        ({"version_id": "999999"}, None),
    ],
    ids=["custom-without-percent", "percent-too-big", "building-missing", "foreign-version"],
)
def test_a_bad_campaign_form_is_422_and_keeps_what_was_typed(manager, place, fields, message):
    response = manager.post("/pacts/campaigns/new", data=new_form(manager, place, **fields))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "三号楼楼道公约征集" in html
    if message:
        assert message in html
    assert db.session.scalar(select(func.count(SigningCampaign.id))) == 0


def test_a_units_own_pact_is_refused_for_a_building(manager, place):
    own = factories.pact_version(place["entrance"])
    response = manager.post(
        "/pacts/campaigns/new", data=new_form(manager, place, version_id=own.id)
    )
    assert response.status_code == 422
    assert "只有该单元的住户" in response.get_data(as_text=True)


def test_choosing_a_community_brings_its_pacts_and_places(manager, place):
    other = factories.community(place["company"], name="李子坝")
    factories.pact_version(factories.unit(factories.building(other, number="8"), number="2"))
    html = page(manager, f"/pacts/campaigns/targets?community_id={other.id}", headers=HTMX)
    assert 'id="campaign-targets"' in html and "8-2" in html and "桃花苑楼道公约" not in html
    assert "<html" not in html


def test_a_new_campaign_link_from_a_pact_preselects_it(manager, place):
    html = page(manager, f"/pacts/campaigns/new?version_id={place['version'].id}")
    assert re.search(
        rf'<option selected value="{place["version"].id}"|value="{place["version"].id}" selected',
        html,
    )


def test_who_may_open_which_page(login_as, manager, steward, resident, place):
    campaign = building_campaign(place)
    assert steward.get("/pacts/campaigns/new").status_code == 403
    assert resident.get(f"/pacts/campaigns/{campaign.id}/canvass").status_code == 403
    assert manager.get(f"/pacts/campaigns/{campaign.id}/sign").status_code == 403
    token = csrf_token(steward, f"/pacts/campaigns/{campaign.id}")
    assert (
        steward.post(
            f"/pacts/campaigns/{campaign.id}/close", data={"csrf_token": token}
        ).status_code
        == 403
    )
    outsider = login_as(Role.MANAGER)
    assert outsider.get(f"/pacts/campaigns/{campaign.id}").status_code == 404
    assert outsider.get(f"/pacts/campaigns/{campaign.id}/visits").status_code == 404
    assert "签约征集" in page(steward, "/pacts/campaigns")


def test_every_post_needs_its_csrf_token(manager, resident, place):
    campaign = building_campaign(place)
    home = place["homes"][0]
    for path in (
        f"/pacts/campaigns/{campaign.id}/close",
        f"/pacts/campaigns/{campaign.id}/canvass/{home.id}",
        f"/pacts/campaigns/{campaign.id}/households/{home.id}",
    ):
        assert manager.post(path, data={"answer": "agree"}).status_code == 400
        assert manager.post(path, data={"answer": "agree"}, headers=HTMX).status_code == 400
    refused = resident.post(
        f"/pacts/campaigns/{campaign.id}/sign", data={"household_id": home.id, "answer": "agree"}
    )
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 0
    assert latest_campaign().status == CampaignStatus.OPEN


def test_progress_shows_bars_and_counts_by_unit(manager, place):
    campaign = building_campaign(place)
    staff = place["steward_user"]
    with manager.application.test_request_context():
        services.record_answer(staff, campaign, place["homes"][0].id, Answer.AGREE)
        services.record_answer(staff, campaign, place["homes"][1].id, Answer.ABSENT)
        db.session.commit()
    html = page(manager, f"/pacts/campaigns/{campaign.id}")
    assert html.count('class="support-bar') >= 2 and "bar-threshold" in html
    assert 'style="' not in html
    assert "还需 1 户同意" in html
    units = page(manager, f"/pacts/campaigns/{campaign.id}?page=1", headers=HTMX)
    assert 'id="units"' in units and "3-1" in units and "<html" not in units


# --- canvassers -----------------------------------------------------------------------------


def test_a_canvasser_records_answers_from_the_list(steward, place):
    campaign = building_campaign(place)
    html = page(steward, f"/pacts/campaigns/{campaign.id}/canvass")
    assert "301" in html and "王小萍" in html
    assert "4-2" not in html  # building 4 is not asked
    token = csrf_token(steward, f"/pacts/campaigns/{campaign.id}/canvass")
    home = place["homes"][0]
    row = steward.post(
        f"/pacts/campaigns/{campaign.id}/canvass/{home.id}",
        data={
            "csrf_token": token,
            "answer": "absent",
            "next": f"/pacts/campaigns/{campaign.id}/canvass",
        },
        headers=HTMX,
    )
    assert row.status_code == 200
    body = row.get_data(as_text=True)
    assert body.strip().startswith(f'<tr id="household-{home.id}"') and "不在家" in body
    assert "网格员小周" in body  # asked by the one who recorded it
    # The counts above the list follow, out of band, in a template that may stand by a row.
    assert "<template>" in body and 'id="canvass-support" hx-swap-oob="true"' in body
    assert "不在家 1" in body
    answer = db.session.scalar(select(CampaignAnswer))
    assert (answer.channel, answer.round, answer.asked_by) == (AnswerChannel.DOOR, 1, "网格员小周")
    # Without script the browser goes back to the list it came from.
    back = steward.post(
        f"/pacts/campaigns/{campaign.id}/canvass/{home.id}",
        data={
            "csrf_token": token,
            "answer": "agree",
            "next": f"/pacts/campaigns/{campaign.id}/canvass?state=pending",
        },
    )
    assert back.status_code == 302
    assert back.headers["Location"] == f"/pacts/campaigns/{campaign.id}/canvass?state=pending"
    pending = page(steward, f"/pacts/campaigns/{campaign.id}/canvass?state=pending")
    assert f'id="household-{home.id}"' not in pending


def test_a_quick_answer_to_a_closed_campaign_is_refused_in_its_row(steward, place):
    campaign = building_campaign(place)
    token = csrf_token(steward, f"/pacts/campaigns/{campaign.id}/canvass")
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, utcnow()
    db.session.commit()
    home = place["homes"][0]
    row = steward.post(
        f"/pacts/campaigns/{campaign.id}/canvass/{home.id}",
        data={"csrf_token": token, "answer": "agree"},
        headers=HTMX,
    )
    assert row.status_code == 422
    assert "已结束" in row.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 0


def test_households_outside_the_campaign_or_company_are_not_found(steward, place):
    campaign = building_campaign(place)
    token = csrf_token(steward, f"/pacts/campaigns/{campaign.id}/canvass")
    for home in (place["far"], factories.household()):
        for path in (
            f"/pacts/campaigns/{campaign.id}/canvass/{home.id}",
            f"/pacts/campaigns/{campaign.id}/households/{home.id}",
        ):
            assert (
                steward.post(path, data={"csrf_token": token, "answer": "agree"}).status_code == 404
            )
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 0


def test_the_full_door_form_keeps_what_was_typed_when_refused(steward, place):
    campaign = building_campaign(place, opened_at=utcnow() - timedelta(days=2), current_round=2)
    home = place["homes"][1]
    path = f"/pacts/campaigns/{campaign.id}/households/{home.id}"
    html = page(steward, path)
    assert 'value="网格员小周"' in html  # asked by: the canvasser, unless told
    future = to_user_timezone(utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "csrf_token": csrf_token(steward, path),
        "answer": "disagree",
        "round": "1",
        "asked_by": "业委会 老王",
        "answered_at": future,
        "remark": "要求先修好楼道灯",
    }
    refused = steward.post(path, data=data)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "要求先修好楼道灯" in body and "业委会 老王" in body and "将来" in body
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 0

    yesterday = to_user_timezone(utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    done = steward.post(path, data=data | {"answered_at": yesterday}, headers=HTMX)
    assert done.status_code == 204
    answer = db.session.scalar(select(CampaignAnswer))
    assert (answer.round, answer.asked_by, answer.remark) == (1, "业委会 老王", "要求先修好楼道灯")
    history = page(steward, path)
    assert "要求先修好楼道灯" in history and "网格员小周" in history


def test_the_visits_sheet_lists_who_has_not_agreed_for_a4(steward, place):
    campaign = building_campaign(place)
    with steward.application.test_request_context():
        services.record_answer(place["steward_user"], campaign, place["homes"][0].id, Answer.AGREE)
        services.record_answer(
            place["steward_user"], campaign, place["homes"][1].id, Answer.DISAGREE
        )
        db.session.commit()
    html = page(steward, f"/pacts/campaigns/{campaign.id}/visits")
    assert 'class="visit-sheet"' in html and "3栋1单元" in html
    rooms = re.findall(r'<th scope="row">(\d+) <small>', html)
    assert rooms == ["201", "301"]
    assert html.count('class="write-in-sign"') == 3  # the head and two rows
    css = steward.get("/static/css/app.css").get_data(as_text=True)
    assert "@page visits { size: A4" in css and ".visit-sheet { page: visits;" in css


# --- residents ------------------------------------------------------------------------------


def test_a_resident_reads_the_pact_and_signs_for_their_household(resident, place):
    campaign = building_campaign(place)
    path = f"/pacts/campaigns/{campaign.id}/sign"
    html = page(resident, path)
    assert "不在楼道内充电" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    assert "尚未征询" in html
    home = place["homes"][0]
    token = csrf_token(resident, path)
    signed = resident.post(
        path, data={"csrf_token": token, "household_id": home.id, "answer": "agree"}, headers=HTMX
    )
    assert signed.status_code == 200
    body = signed.get_data(as_text=True)
    assert 'id="sign-households"' in body and "谢谢" in body and "<html" not in body
    vote = db.session.get(CampaignVote, (campaign.id, home.id))
    assert vote.answer == Answer.AGREE
    # Changing one's mind while it is open.
    again = resident.post(
        path, data={"csrf_token": token, "household_id": home.id, "answer": "disagree"}
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(CampaignVote, (campaign.id, home.id)).answer == Answer.DISAGREE
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 2


@pytest.mark.parametrize("whose", ["neighbour", "stranger"])
def test_a_resident_cannot_sign_for_another_household(resident, place, whose):
    campaign = building_campaign(place)
    path = f"/pacts/campaigns/{campaign.id}/sign"
    other = place["homes"][1] if whose == "neighbour" else factories.household()
    response = resident.post(
        path,
        data={
            "csrf_token": csrf_token(resident, path),
            "household_id": other.id,
            "answer": "agree",
        },
    )
    assert response.status_code == 422
    assert "只能为自己的住户" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 0


def test_a_resident_cannot_sign_a_closed_or_adopted_campaign(resident, place):
    campaign = building_campaign(place)
    path = f"/pacts/campaigns/{campaign.id}/sign"
    token = csrf_token(resident, path)
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, utcnow()
    db.session.commit()
    html = page(resident, path)
    assert "已结束" in html and 'value="agree"' not in html
    response = resident.post(
        path, data={"csrf_token": token, "household_id": place["homes"][0].id, "answer": "agree"}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(CampaignAnswer.id))) == 0


def test_a_resident_sees_only_campaigns_that_ask_them(login_as, place):
    campaign = building_campaign(place)
    elsewhere = login_as(user=factories.resident(place["far"]))
    assert elsewhere.get(f"/pacts/campaigns/{campaign.id}/sign").status_code == 404
    draft = factories.campaign(
        factories.pact_version(place["entrance"]),
        status=CampaignStatus.DRAFT,
        opened_at=None,
        household_count=None,
    )
    own = login_as(user=factories.resident(place["homes"][2]))
    assert own.get(f"/pacts/campaigns/{draft.id}/sign").status_code == 404
