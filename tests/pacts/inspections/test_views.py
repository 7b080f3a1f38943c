"""Inspection pages: recording from a phone (with photos), who is refused and how, bad input
answered with 422 and what was typed, the lists, a unit's history, the rankings and the honour
board."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.blueprints.pacts.inspections import services
from app.extensions import db
from app.models import INSPECTION_ITEMS, Inspection, InspectionPhoto, Role
from app.periods import shanghai_today
from app.storage import storage
from tests import factories
from tests.conftest import csrf_token
from tests.property.requests.test_uploads import gps_exif

NEW = "/pacts/inspections/new"


def form_of(client, unit, **fields):  # type: ignore[no-untyped-def]
    url = f"{NEW}?unit_id={unit.id}"
    return url, {
        "csrf_token": csrf_token(client, url),
        "inspected_on": shanghai_today().isoformat(),
        **dict.fromkeys(INSPECTION_ITEMS, "5"),
        "remarks": "",
    } | fields


def inspections() -> list[Inspection]:
    db.session.expire_all()
    return list(db.session.scalars(select(Inspection).order_by(Inspection.id)))


def stored_photos() -> set[str]:
    """The names in the photos' storage, their thumbnails' (`thumbs/…`) too."""
    kind = f"{services.PHOTOS}/"
    return {key.removeprefix(kind) for key in storage().keys(kind)}


@pytest.fixture
def steward(login_as, place):
    return login_as(user=place.steward)


@pytest.fixture
def manager(login_as, place):
    return login_as(user=place.manager)


def test_a_steward_records_an_inspection_with_photos(steward, manager, login_as, place, app, files):
    url, data = form_of(steward, place.unit, lighting="3", cleanliness="4")
    data["remarks"] = "<script>alert(1)</script> 四楼灯坏了"
    data["photos"] = [
        (io.BytesIO(factories.photo_bytes("JPEG", size=(60, 40), exif=gps_exif())), "IMG_1.jpg"),
        (io.BytesIO(factories.photo_bytes("PNG")), "IMG_2.png"),
    ]
    response = steward.post(url, data=data)
    assert response.status_code == 302
    [saved] = inspections()
    assert response.headers["Location"] == f"/pacts/inspections/{saved.id}"
    assert (saved.score, saved.lighting, saved.cleanliness) == (90, 3, 4)
    assert saved.inspector_name == "张管家"

    page = manager.get(f"/pacts/inspections/{saved.id}").get_data(as_text=True)
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; 四楼灯坏了" in page and "<script>alert" not in page
    )
    assert "张管家" in page and ">90<" in page
    photos = db.session.scalars(
        select(InspectionPhoto).where(InspectionPhoto.inspection_id == saved.id)
    ).all()
    assert len(photos) == 2 and all("IMG_" not in p.stored_name for p in photos)
    first = f"/pacts/inspections/photos/{photos[0].id}"
    assert first in page
    served = manager.get(first)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert not image.getexif(), "the GPS position must be gone"
    assert f'src="{first}?size=thumb"' in page
    thumb = manager.get(f"{first}?size=thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.data != served.data
    # The building's residents see it; another company does not.
    leader = login_as(user=place.leader)
    assert leader.get(first).status_code == 200
    stranger = login_as(Role.MANAGER)
    assert stranger.get(first).status_code == 404
    assert stranger.get(f"{first}?size=thumb").status_code == 404
    assert stranger.get(f"/pacts/inspections/{saved.id}").status_code == 404


def test_the_form_is_dated_today_and_offers_six_rows_of_buttons(steward, place):
    page = steward.get(f"{NEW}?unit_id={place.unit.id}").get_data(as_text=True)
    assert f'value="{shanghai_today().isoformat()}"' in page
    assert f'max="{shanghai_today().isoformat()}"' in page
    assert page.count('class="segmented"') == len(INSPECTION_ITEMS)
    assert page.count('type="radio"') == len(INSPECTION_ITEMS) * 6
    assert "楼道畅通" in page and "照明完好" in page
    assert 'enctype="multipart/form-data"' in page and "multiple" in page


def test_a_future_date_is_422_and_keeps_what_was_typed(steward, place):
    tomorrow = (shanghai_today() + timedelta(days=1)).isoformat()
    url, data = form_of(steward, place.unit, inspected_on=tomorrow, lighting="2")
    data["remarks"] = "楼梯间堆了纸箱"
    response = steward.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "不能晚于今天" in html
    assert f'value="{tomorrow}"' in html and "楼梯间堆了纸箱" in html
    assert re.search(r'id="lighting-2"[^>]*checked|checked[^>]*id="lighting-2"', html)
    assert inspections() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lighting": ""}, "lighting"),
        ({"lighting": "6"}, "lighting"),
        ({"cleanliness": "abc"}, "cleanliness"),
        ({"inspected_on": "2026-02-30"}, "inspected_on"),
        ({"inspected_on": "1999-01-01"}, "inspected_on"),
        ({"remarks": "长" * 2001}, "remarks"),
    ],
    ids=["no-score", "score-too-high", "not-a-number", "no-such-day", "too-old", "long-remarks"],
)
def test_bad_input_is_422_with_the_message_on_its_field(steward, place, fields, field):
    url, data = form_of(steward, place.unit, **fields)
    response = steward.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert inspections() == []


def test_a_renamed_non_image_is_refused_and_nothing_is_stored(steward, place):
    before = stored_photos()
    url, data = form_of(steward, place.unit)
    data["remarks"] = "消防栓被挡住"
    data["photos"] = [
        (io.BytesIO(factories.photo_bytes("JPEG")), "good.jpg"),
        (io.BytesIO(b"MZ\x90\x00 this is an exe"), "photo.jpg"),
    ]
    response = steward.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "不是 JPEG、PNG 或 WebP 照片" in html and "消防栓被挡住" in html
    assert inspections() == [] and stored_photos() == before


def test_too_many_photos_are_refused_before_any_is_stored(steward, place):
    before = stored_photos()
    url, data = form_of(steward, place.unit)
    data["photos"] = [
        (io.BytesIO(factories.photo_bytes()), f"{n}.png") for n in range(services.MAX_PHOTOS + 1)
    ]
    response = steward.post(url, data=data)
    assert response.status_code == 422 and 'id="photos-error"' in response.get_data(as_text=True)
    assert inspections() == [] and stored_photos() == before


def test_a_refused_inspection_discards_its_photos(steward, place, monkeypatch):
    """The photos are stored before the inspection; if it is then refused, they go too."""
    before = stored_photos()

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        from app.rules import RuleError

        raise RuleError("refused", "remarks")

    monkeypatch.setattr(services, "record_inspection", refuse)
    url, data = form_of(steward, place.unit)
    data["photos"] = [(io.BytesIO(factories.photo_bytes("JPEG")), "a.jpg")]
    assert steward.post(url, data=data).status_code == 422
    assert stored_photos() == before


def test_another_companys_unit_is_404(steward, manager, place):
    foreign = factories.unit()
    for client in (steward, manager):
        assert client.get(f"{NEW}?unit_id={foreign.id}").status_code == 404
        _url, data = form_of(client, place.unit)
        assert client.post(f"{NEW}?unit_id={foreign.id}", data=data).status_code == 404
        assert client.get(f"/pacts/inspections/units/{foreign.id}").status_code == 404
    assert inspections() == []


def test_a_resident_who_is_not_the_leader_is_refused_clearly(login_as, place):
    neighbour = login_as(user=place.neighbour)
    response = neighbour.get(f"{NEW}?unit_id={place.unit.id}")
    assert response.status_code == 403
    assert "楼栋长" in response.get_data(as_text=True)
    token = csrf_token(neighbour, "/pacts/inspections/honours")
    data = {"csrf_token": token, "inspected_on": shanghai_today().isoformat()}
    assert neighbour.post(f"{NEW}?unit_id={place.unit.id}", data=data).status_code == 403
    picker = neighbour.get(NEW).get_data(as_text=True)
    assert "您还不是任何单元的楼栋长" in picker
    assert inspections() == []


def test_a_steward_not_posted_to_the_unit_is_refused(login_as, place):
    other = factories.user(Role.STEWARD, company_id=place.company.id)
    factories.staff(place.company, user_id=other.id)
    response = login_as(user=other).get(f"{NEW}?unit_id={place.unit.id}")
    assert response.status_code == 403


def test_the_leader_records_for_a_unit_of_their_building(login_as, place):
    leader = login_as(user=place.leader)
    picker = leader.get(NEW).get_data(as_text=True)
    assert f"unit_id={place.other_unit.id}" in picker
    url, data = form_of(leader, place.other_unit)
    assert leader.post(url, data=data).status_code == 302
    [saved] = inspections()
    assert saved.unit_id == place.other_unit.id and saved.inspector_user_id == place.leader.id
    history = leader.get(f"/pacts/inspections/units/{place.other_unit.id}")
    assert history.status_code == 200 and f"/pacts/inspections/{saved.id}" in history.get_data(
        as_text=True
    )


def test_a_post_without_its_csrf_token_is_refused(steward, place):
    _url, data = form_of(steward, place.unit)
    del data["csrf_token"]
    assert steward.post(f"{NEW}?unit_id={place.unit.id}", data=data).status_code == 400
    assert inspections() == []


def test_recording_through_htmx_redirects_the_page(steward, place):
    url, data = form_of(steward, place.unit)
    response = steward.post(url, data=data, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/pacts/inspections/{inspections()[0].id}"


def test_a_refusal_through_htmx_swaps_the_form_alone(steward, place):
    url, data = form_of(steward, place.unit, lighting="")
    response = steward.post(url, data=data, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.lstrip().startswith('<form id="inspection-form"') and "<html" not in html


def test_the_picker_shows_the_stewards_units(steward, place):
    factories.unit(place.building, number="9")  # no steward posted
    page = steward.get(NEW).get_data(as_text=True)
    assert f"unit_id={place.unit.id}" in page and f"unit_id={place.other_unit.id}" in page
    assert page.count(f'href="{NEW}?unit_id=') == 2


def test_the_communitys_list_filters_and_refuses_a_bad_month(manager, place):
    october = factories.inspection(place.unit, inspected_on=date(2026, 10, 9))
    november = factories.inspection(place.other_unit, inspected_on=date(2026, 11, 2))
    url = f"/pacts/inspections/communities/{place.community.id}"
    page = manager.get(url).get_data(as_text=True)
    assert (
        f"/pacts/inspections/{october.id}" in page and f"/pacts/inspections/{november.id}" in page
    )
    page = manager.get(f"{url}?month=2026-10").get_data(as_text=True)
    assert f"/pacts/inspections/{october.id}" in page
    assert f"/pacts/inspections/{november.id}" not in page
    page = manager.get(f"{url}?building={place.building.id}&unit=2").get_data(as_text=True)
    assert f"/pacts/inspections/{november.id}" in page
    assert f"/pacts/inspections/{october.id}" not in page
    for bad in ("2026-13", "3000-01"):
        response = manager.get(f"{url}?month={bad}")
        assert response.status_code == 422 and 'id="month-error"' in response.get_data(as_text=True)
    assert manager.get(f"{url}?building=999999").status_code == 422
    index = manager.get("/pacts/inspections").get_data(as_text=True)
    assert "兴隆苑" in index and url in index


def test_the_rankings_page_defaults_to_last_month_and_pages(manager, place):
    factories.inspection(place.unit, inspected_on=date(2026, 10, 9), score=70)
    factories.inspection(place.other_unit, inspected_on=date(2026, 10, 10), score=95)
    factories.inspection(place.unit, inspected_on=date(2026, 8, 1), score=100)
    page = manager.get("/pacts/inspections/rankings").get_data(as_text=True)
    assert "2026-10" in page
    assert page.index("1栋2单元") < page.index("1栋1单元")
    quarter = manager.get("/pacts/inspections/rankings?span=quarter&month=2026-08")
    html = quarter.get_data(as_text=True)
    assert quarter.status_code == 200 and "2026年第3季度" in html
    buildings = manager.get("/pacts/inspections/rankings?level=buildings").get_data(as_text=True)
    assert "1栋" in buildings
    for bad in ("span=week", "month=2027-01", "level=floors"):
        assert manager.get(f"/pacts/inspections/rankings?{bad}").status_code == 422


def test_the_district_office_ranks_the_city_or_one_company(login_as, place):
    factories.inspection(place.unit, inspected_on=date(2026, 10, 9), score=70)
    factories.inspection(inspected_on=date(2026, 10, 9), score=99)
    admin = login_as(Role.ADMIN)
    city = admin.get("/pacts/inspections/rankings").get_data(as_text=True)
    assert "99.0" in city and "70.0" in city and 'name="company"' in city
    company = admin.get(f"/pacts/inspections/rankings?company={place.company.id}")
    html = company.get_data(as_text=True)
    assert "70.0" in html and "99.0" not in html and "兴隆苑" in html


def test_the_honour_board_page(login_as, manager, place):
    factories.inspection(place.unit, inspected_on=date(2026, 10, 9))
    factories.inspection(inspected_on=date(2026, 10, 9))  # another company's community
    page = manager.get("/pacts/inspections/honours").get_data(as_text=True)
    assert "兴隆苑" in page and "最美单元" in page and "最美楼栋" in page
    assert page.count('class="honour-roll"') == 1
    resident = login_as(user=place.neighbour)
    mine = resident.get("/pacts/inspections/honours").get_data(as_text=True)
    assert "兴隆苑" in mine and mine.count('class="honour-roll"') == 1
    assert f'{NEW}"' not in mine  # the neighbour leads nothing
    leader = login_as(user=place.leader).get("/pacts/inspections/honours").get_data(as_text=True)
    assert f'href="{NEW}"' in leader


def test_a_unit_history_shows_its_months_and_inspections(login_as, place):
    factories.inspection(place.unit, inspected_on=date(2026, 9, 3), score=80)
    latest = factories.inspection(place.unit, inspected_on=date(2026, 11, 3))
    neighbour = login_as(user=place.neighbour)
    page = neighbour.get(f"/pacts/inspections/units/{place.unit.id}").get_data(as_text=True)
    assert f"/pacts/inspections/{latest.id}" in page and "<meter" in page
    assert "记录检查" not in page  # the neighbour may not inspect
    steward_page = login_as(user=place.steward).get(f"/pacts/inspections/units/{place.unit.id}")
    assert f"{NEW}?unit_id={place.unit.id}" in steward_page.get_data(as_text=True)
    # A unit of the community the neighbour neither lives in nor leads is not theirs.
    assert neighbour.get(f"/pacts/inspections/units/{place.other_unit.id}").status_code == 404


def test_staff_pages_are_closed_to_residents(login_as, place):
    resident = login_as(user=place.neighbour)
    for url in (
        "/pacts/inspections",
        f"/pacts/inspections/communities/{place.community.id}",
        "/pacts/inspections/rankings",
    ):
        assert resident.get(url).status_code == 403
