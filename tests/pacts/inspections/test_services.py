"""The rules of recording an inspection, called directly: the score, who may inspect, the date,
the photos, and the figures the dashboards read."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app import uploads
from app.blueprints.pacts.inspections import services
from app.blueprints.pacts.inspections.services import Filters, NotAllowed
from app.extensions import db
from app.models import INSPECTION_ITEMS, Community, Inspection, Role
from app.periods import shanghai_today
from app.rules import RuleError
from app.storage import storage
from tests import factories
from tests.property.requests.test_uploads import gps_exif

FULL = dict.fromkeys(INSPECTION_ITEMS, 5)


@pytest.fixture(autouse=True)
def ctx(app, database):
    """Messages are translated for a request; uploads are stored under the app's folder."""
    with app.test_request_context():
        yield


def scores(*values: int) -> dict[str, int]:
    return dict(zip(INSPECTION_ITEMS, values, strict=True))


def stored_photos() -> set[str]:
    """The names in the photos' storage, their thumbnails' (`thumbs/…`) too."""
    kind = f"{services.PHOTOS}/"
    return {key.removeprefix(kind) for key in storage().keys(kind)}


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("values", "score"),
    [
        ((5, 5, 5, 5, 5, 5), 100),
        ((0, 0, 0, 0, 0, 0), 0),
        ((5, 4, 3, 5, 5, 4), 87),  # 26 of 30 = 86.67
        ((1, 0, 0, 0, 0, 0), 3),  # 1 of 30 = 3.33
        ((3, 3, 3, 3, 3, 3), 60),
        ((4, 4, 4, 4, 4, 5), 83),  # 25 of 30 = 83.33
    ],
)
def test_the_score_is_the_checklist_scaled_to_a_hundred(values, score):
    assert services.score_of(scores(*values)) == score


def test_every_item_has_a_label_and_a_hint():
    assert set(services.ITEM_LABELS) == set(services.ITEM_HINTS) == set(INSPECTION_ITEMS)


# --- who may inspect ------------------------------------------------------------------------


def test_the_posted_steward_the_leader_and_the_managers_may_inspect(place):
    for user in (place.steward, place.leader, place.manager):
        for entrance in (place.unit, place.other_unit):
            assert services.refusal(user, entrance) is None, (user.role, entrance.number)
    # The leader lives in unit 1 but leads unit 2 too: they reach it to inspect it.
    assert services.unit_for(place.leader, place.other_unit.id) is not None


def test_a_resident_who_leads_nothing_is_told_why(place):
    assert services.unit_for(place.neighbour, place.unit.id) is not None  # their own unit
    assert "楼栋长" in str(services.refusal(place.neighbour, place.unit))
    # A unit they neither live in nor lead is not theirs to see at all.
    assert services.unit_for(place.neighbour, place.other_unit.id) is None


def test_a_steward_of_the_company_not_posted_to_the_unit_is_refused(place):
    other = factories.user(Role.STEWARD, company_id=place.company.id)
    factories.staff(place.company, user_id=other.id)
    assert "物业管家" in str(services.refusal(other, place.unit))
    # An account with no staff record is refused the same way.
    bare = factories.user(Role.STEWARD, company_id=place.company.id)
    assert services.refusal(bare, place.unit) is not None


def test_an_ended_assignment_or_a_staff_member_who_left_no_longer_inspects(place):
    ended = factories.user(Role.STEWARD, company_id=place.company.id)
    member = factories.staff(place.company, user_id=ended.id)
    entrance = factories.unit(place.building)
    factories.steward_assignment(
        entrance, staff_id=member.id, starts_on=date(2025, 1, 1), ends_on=date(2026, 6, 30)
    )
    assert services.refusal(ended, entrance) is not None
    assert services.refusal(place.steward, place.unit) is None
    place.staff.is_active = False
    db.session.commit()
    assert services.refusal(place.steward, place.unit) is not None


def test_another_companys_people_do_not_reach_the_unit(place):
    manager = factories.user(Role.MANAGER)
    assert services.unit_for(manager, place.unit.id) is None
    stranger = factories.resident()
    assert services.unit_for(stranger, place.unit.id) is None
    # The district office sees the unit but records nothing.
    admin = factories.user(Role.ADMIN)
    assert services.unit_for(admin, place.unit.id) is not None
    assert services.refusal(admin, place.unit) is not None


def test_the_unit_picker_offers_only_the_users_units(place):
    elsewhere = factories.unit(factories.building(place.community, number="2"))
    factories.inspection(place.unit, inspected_on=date(2026, 11, 3), lighting=2)
    steward_tiles = services.unit_tiles(place.steward, place.community.id)
    assert [(b, [t.unit for t in tiles]) for b, tiles in steward_tiles] == [("1", ["1", "2"])]
    first = steward_tiles[0][1][0]
    assert (first.inspections, first.latest_score) == (1, 90)
    manager_tiles = services.unit_tiles(place.manager, place.community.id)
    assert [b for b, _tiles in manager_tiles] == ["1", "2"]
    assert elsewhere.id in {t.unit_id for _b, tiles in manager_tiles for t in tiles}
    assert services.inspectable_communities(place.neighbour) == []
    assert services.inspectable_communities(place.leader) == [(place.community.id, "兴隆苑")]


# --- recording ------------------------------------------------------------------------------


def test_recording_stores_the_checklist_its_score_and_who_inspected(place):
    today = shanghai_today()
    inspection = services.record_inspection(
        place.steward,
        place.unit,
        inspected_on=today,
        scores=scores(5, 4, 3, 5, 5, 4),
        remarks="  四楼灯坏了  ",
    )
    db.session.commit()
    assert inspection.score == 87 and inspection.lighting == 3
    assert inspection.period == today.year * 100 + today.month
    assert (inspection.building_id, inspection.community_id) == (
        place.building.id,
        place.community.id,
    )
    assert inspection.inspector_user_id == place.steward.id
    assert inspection.inspector_name == "张管家"
    assert inspection.remarks == "四楼灯坏了"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (lambda today: today + timedelta(days=1), "不能晚于今天"),
        (lambda today: today - timedelta(days=services.MAX_AGE_DAYS + 1), "31 天内"),
        (lambda today: date(1999, 1, 1), "31 天内"),
        (lambda today: None, "请填写检查日期"),
    ],
    ids=["tomorrow", "too-old", "last-century", "missing"],
)
def test_a_date_in_the_future_or_long_past_is_refused(place, day, message):
    with pytest.raises(RuleError) as refused:
        services.record_inspection(
            place.leader, place.unit, inspected_on=day(shanghai_today()), scores=FULL
        )
    assert refused.value.field == "inspected_on" and message in str(refused.value.message)
    db.session.rollback()
    assert count(Inspection) == 0


def test_the_oldest_date_allowed_is_accepted(place):
    oldest = shanghai_today() - timedelta(days=services.MAX_AGE_DAYS)
    inspection = services.record_inspection(
        place.manager, place.unit, inspected_on=oldest, scores=FULL
    )
    assert inspection.inspected_on == oldest


@pytest.mark.parametrize("bad", [None, 6, -1, True, "5"])
def test_each_item_needs_a_score_from_0_to_5(place, bad):
    with pytest.raises(RuleError) as refused:
        services.record_inspection(
            place.steward,
            place.unit,
            inspected_on=shanghai_today(),
            scores=FULL | {"lighting": bad},
        )
    assert refused.value.field == "lighting"


def test_someone_who_may_not_inspect_records_nothing(place):
    with pytest.raises(NotAllowed):
        services.record_inspection(
            place.neighbour, place.unit, inspected_on=shanghai_today(), scores=FULL
        )
    assert count(Inspection) == 0


def test_remarks_are_kept_as_typed_and_limited(place):
    with pytest.raises(RuleError) as refused:
        services.record_inspection(
            place.steward,
            place.unit,
            inspected_on=shanghai_today(),
            scores=FULL,
            remarks="长" * (services.REMARKS_LENGTH + 1),
        )
    assert refused.value.field == "remarks"


# --- photos ---------------------------------------------------------------------------------


def test_photos_are_stored_without_their_location(ctx, place):
    data = factories.photo_bytes("JPEG", size=(60, 40), exif=gps_exif())
    names = services.store_photos([io.BytesIO(data)])
    inspection = services.record_inspection(
        place.steward, place.unit, inspected_on=shanghai_today(), scores=FULL, photos=names
    )
    db.session.commit()
    [photo] = services.photos_of(inspection, place.manager)
    assert photo.stored_name == names[0]
    image = Image.open(io.BytesIO(storage().get(f"{services.PHOTOS}/{names[0]}")))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info


def test_a_renamed_non_image_is_refused_and_nothing_is_kept(ctx, place):
    before = stored_photos()
    good = io.BytesIO(factories.photo_bytes("JPEG"))
    renamed = io.BytesIO(b"MZ\x90\x00 an executable called photo.jpg")
    with pytest.raises(uploads.UploadError) as refused:
        services.store_photos([good, renamed])
    assert "JPEG" in refused.value.message
    assert stored_photos() == before


def test_at_most_three_photos(ctx, place):
    names = services.store_photos(
        [io.BytesIO(factories.photo_bytes()) for _ in range(services.MAX_PHOTOS + 1)]
    )
    with pytest.raises(RuleError) as refused:
        services.record_inspection(
            place.steward, place.unit, inspected_on=shanghai_today(), scores=FULL, photos=names
        )
    assert refused.value.field == "photos"
    services.discard_photos(names)
    assert not set(names) & stored_photos()


# --- reading --------------------------------------------------------------------------------


def test_a_communitys_inspections_filtered_by_building_unit_and_month(place):
    other_block = factories.building(place.community, number="2")
    there = factories.unit(other_block, number="1")
    october = factories.inspection(place.unit, inspected_on=date(2026, 10, 9))
    november = factories.inspection(place.other_unit, inspected_on=date(2026, 11, 2))
    across = factories.inspection(there, inspected_on=date(2026, 11, 5))
    factories.inspection()  # another company's

    def found(**filters):
        rows = db.session.execute(
            services.community_inspections(place.community.id, Filters(**filters), place.manager)
        )
        return [row.Inspection.id for row in rows]

    assert found() == [across.id, november.id, october.id]
    assert found(building_id=place.building.id) == [november.id, october.id]
    assert found(unit="1") == [across.id, october.id]
    assert found(building_id=place.building.id, unit="1") == [october.id]
    assert found(period=202611) == [across.id, november.id]


def test_a_units_monthly_averages(place):
    factories.inspection(place.unit, inspected_on=date(2026, 9, 3), lighting=0)  # 83
    factories.inspection(place.unit, inspected_on=date(2026, 9, 20))  # 100
    factories.inspection(place.unit, inspected_on=date(2026, 11, 1))
    trend = services.monthly_averages(place.unit.id, place.leader)
    assert len(trend) == services.TREND_MONTHS and trend[-1].period == 202611
    by_month = {m.period: (m.average, m.inspections) for m in trend}
    assert by_month[202609] == (91.5, 2)
    assert by_month[202610] == (None, 0)
    assert by_month[202611] == (100.0, 1)


def test_inspections_this_month_for_the_dashboards(place):
    factories.inspection(place.unit, inspected_on=date(2026, 11, 3), lighting=2)  # 90
    factories.inspection(place.other_unit, inspected_on=date(2026, 11, 4))  # 100
    factories.inspection(place.unit, inspected_on=date(2026, 10, 30))  # last month
    factories.inspection(inspected_on=date(2026, 11, 5), score=10)  # another company's
    mine = select(Community.id).where(Community.company_id == place.company.id)
    assert services.inspections_this_month(mine) == (2, 95.0)
    assert services.inspections_this_month(mine, 202610) == (1, 100.0)
    nobody = select(Community.id).where(Community.id == -1)
    assert services.inspections_this_month(nobody) == (0, None)
