"""Service request pages: filing from a phone, the inbox, dispatch, my tasks, the verdict, the
live status block, photos, figures, and bad input answered with 422 and a message."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    RequestCategory,
    RequestChannel,
    RequestStatus,
    Role,
    ServiceRequest,
)
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def place(database):
    company = factories.company()
    community = factories.community(company, name="兴隆苑")
    block = factories.building(community, number="1")
    home = factories.household(factories.unit(block, number="1"), room="101")
    steward_user = factories.user(Role.STEWARD, company_id=company.id)
    return {
        "company": company,
        "community": community,
        "home": home,
        "steward_user": steward_user,
        "steward": factories.staff(company, user_id=steward_user.id, name="张管家"),
    }


@pytest.fixture
def resident(login_as, place):
    return login_as(user=factories.resident(place["home"]))


@pytest.fixture
def manager(login_as, place):
    return login_as(user=factories.user(Role.MANAGER, company_id=place["company"].id))


@pytest.fixture
def steward(login_as, place):
    return login_as(user=place["steward_user"])


def new_request_form(client, **fields):
    home_id = re.search(
        r'<option[^>]*value="(\d+)"', client.get("/property/requests/new").get_data(as_text=True)
    )[1]
    return {
        "csrf_token": csrf_token(client, "/property/requests/new"),
        "household": home_id,
        "category": "repair",
        "location": "household",
        "location_note": "",
        "description": "厨房水管漏水，地面都湿了",
    } | fields


def latest() -> ServiceRequest:
    db.session.expire_all()
    return db.session.scalar(select(ServiceRequest).order_by(ServiceRequest.id.desc()))


def test_a_resident_files_a_request_with_a_photo(resident, manager, login_as, place, files):
    data = new_request_form(resident)
    data["photo"] = (io.BytesIO(factories.photo_bytes("JPEG")), "IMG_0001.jpg")
    response = resident.post("/property/requests/new", data=data)
    assert response.status_code == 302
    item = latest()
    assert response.headers["Location"] == f"/property/requests/{item.id}"
    assert item.channel == RequestChannel.APP and item.status == RequestStatus.SUBMITTED
    assert item.photo and "IMG_0001" not in item.photo

    page = resident.get(f"/property/requests/{item.id}").get_data(as_text=True)
    assert "厨房水管漏水" in page and "已受理" in page
    assert f'href="/property/requests/{item.id}/photo"' in page
    assert f'src="/property/requests/{item.id}/photo?size=thumb"' in page
    photo = resident.get(f"/property/requests/{item.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.data == files.get(f"requests/{item.photo}")
    thumb = manager.get(f"/property/requests/{item.id}/photo?size=thumb")
    assert thumb.status_code == 200 and thumb.data == files.get(
        f"requests/thumbs/{item.photo.removesuffix('.jpg')}.jpg"
    )
    # Neither a neighbour nor another company sees it.
    neighbour = login_as(user=factories.resident(factories.household()))
    for size in ("", "?size=thumb"):
        assert neighbour.get(f"/property/requests/{item.id}/photo{size}").status_code == 404
    assert neighbour.get(f"/property/requests/{item.id}").status_code == 404
    assert login_as(Role.MANAGER).get(f"/property/requests/{item.id}").status_code == 404
    # It appears in the resident's list and in the manager's inbox.
    assert f"#{item.id}" in resident.get("/property/requests/mine").get_data(as_text=True)
    assert f"#{item.id}" in manager.get("/property/requests/inbox").get_data(as_text=True)


def test_filing_through_htmx_redirects_the_page(resident):
    response = resident.post(
        "/property/requests/new", data=new_request_form(resident), headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/property/requests/{latest().id}"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": "   "}, "请描述"),
        ({"location": "common_area"}, "公共区域"),
        ({"category": "bribe"}, None),
        ({"household": "999999"}, None),
    ],
    ids=["no-description", "common-area-without-note", "bad-category", "someone-elses-home"],
)
def test_bad_input_is_422_and_keeps_what_was_typed(resident, fields, message):
    data = new_request_form(resident, **fields)
    data.setdefault("location_note", "")
    if "description" not in fields:
        data["description"] = "楼下的路灯坏了"
    response = resident.post("/property/requests/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html or 'role="alert"' in html
    if message:
        assert message in html
    if "description" not in fields:
        assert "楼下的路灯坏了" in html
    assert latest() is None


@pytest.mark.parametrize(
    ("payload", "filename"),
    [
        (b"MZ\x90\x00 this is an exe", "photo.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.png"),
    ],
)
def test_a_fake_photo_is_refused(resident, payload, filename):
    data = new_request_form(resident)
    data["photo"] = (io.BytesIO(payload), filename)
    response = resident.post("/property/requests/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "不是 JPEG、PNG 或 WebP 照片" in html
    assert "厨房水管漏水" in html
    assert latest() is None


def test_a_manager_records_a_phone_request(manager, place):
    token = csrf_token(manager, "/property/requests/record")
    data = {
        "csrf_token": token,
        "channel": "phone",
        "community": str(place["community"].id),
        "room": "1-1-999",
        "category": "complaint",
        "location": "corridor",
        "location_note": "",
        "description": "楼道里堆满了纸箱",
    }
    response = manager.post("/property/requests/record", data=data)
    assert response.status_code == 422
    assert "没有这户" in response.get_data(as_text=True)
    response = manager.post("/property/requests/record", data=data | {"room": "1栋1单元101室"})
    assert response.status_code == 302
    item = latest()
    assert item.channel == RequestChannel.PHONE and item.household_id == place["home"].id
    assert item.category == RequestCategory.COMPLAINT


def test_the_whole_loop_through_the_pages(resident, manager, steward, place):
    resident.post("/property/requests/new", data=new_request_form(resident))
    item = latest()
    url = f"/property/requests/{item.id}"
    token = csrf_token(manager, url)
    assert (
        manager.post(
            f"{url}/dispatch",
            data={
                "csrf_token": token,
                "dispatch-staff": place["steward"].id,
                "dispatch-note": "尽快",
            },
        ).status_code
        == 302
    )

    tasks = steward.get("/property/requests/tasks").get_data(as_text=True)
    assert f"#{item.id}" in tasks
    token = csrf_token(steward, url)
    assert (
        steward.post(f"{url}/note", data={"csrf_token": token, "note-note": ""}).status_code == 422
    )
    assert (
        steward.post(
            f"{url}/note", data={"csrf_token": token, "note-note": "已上门查看"}
        ).status_code
        == 302
    )
    assert (
        steward.post(
            f"{url}/departments",
            data={
                "csrf_token": token,
                "departments-departments": ["property", "water"],
                "departments-others": "街道办",
            },
        ).status_code
        == 302
    )
    assert (
        steward.post(
            f"{url}/resolve", data={"csrf_token": token, "resolve-note": "更换了水管"}
        ).status_code
        == 302
    )

    token = csrf_token(resident, url)
    page = resident.get(url).get_data(as_text=True)
    assert "更换了水管" in page and "张管家" in page and "供水" in page
    missing = resident.post(f"{url}/accept", data={"csrf_token": token})
    assert missing.status_code == 422
    assert "请选择 1 到 5 的评分" in missing.get_data(as_text=True)
    assert (
        resident.post(f"{url}/reopen", data={"csrf_token": token, "reopen-reason": " "}).status_code
        == 422
    )
    assert (
        resident.post(f"{url}/accept", data={"csrf_token": token, "accept-rating": "5"}).status_code
        == 302
    )
    item = latest()
    assert item.status == RequestStatus.CLOSED and item.rating == 5
    assert item.departments == ["property", "water", "街道办"]


def test_a_step_from_a_stale_page_is_explained(manager, place):
    item = factories.service_request(place["home"], status=RequestStatus.RESOLVED)
    url = f"/property/requests/{item.id}"
    response = manager.post(
        f"{url}/dispatch",
        data={"csrf_token": csrf_token(manager, url), "dispatch-staff": place["steward"].id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "只有等待处理的工单才能派单" in response.get_data(as_text=True)


def test_who_may_post_what(resident, steward, login_as, place):
    item = factories.service_request(place["home"])
    url = f"/property/requests/{item.id}"
    # Dispatched to someone else: the steward may read it but not act on it.
    other = factories.staff(place["company"])
    item.status, item.assignee_staff_id = RequestStatus.DISPATCHED, other.id
    db.session.commit()
    token = csrf_token(steward, url)
    assert (
        steward.post(f"{url}/note", data={"csrf_token": token, "note-note": "x"}).status_code == 403
    )
    assert steward.post(f"{url}/dispatch", data={"csrf_token": token}).status_code == 403
    token = csrf_token(resident, url)
    assert resident.post(f"{url}/resolve", data={"csrf_token": token}).status_code == 403
    # A manager gives no verdict on a request the resident filed online.
    item.status = RequestStatus.RESOLVED
    db.session.commit()
    manager = login_as(user=factories.user(Role.MANAGER, company_id=place["company"].id))
    response = manager.post(
        f"{url}/accept", data={"csrf_token": csrf_token(manager, url), "accept-rating": "5"}
    )
    assert response.status_code == 403


def test_the_status_block_polls_until_the_resident_must_answer(resident, place):
    item = factories.service_request(place["home"])
    url = f"/property/requests/{item.id}"
    live = resident.get(url, headers={"HX-Request": "true"})
    html = live.get_data(as_text=True)
    assert live.status_code == 200 and html.lstrip().startswith('<section id="live"')
    assert 'hx-trigger="every 10s"' in html and "<html" not in html
    item.status = RequestStatus.RESOLVED
    db.session.commit()
    html = resident.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "every 10s" not in html and "accept-rating" in html
    item.status, item.rating = RequestStatus.CLOSED, 4
    db.session.commit()
    html = resident.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "every 10s" not in html and "accept-rating" not in html


def test_inbox_filters_search_and_overdue_badge(manager, place):
    from datetime import timedelta

    from app.periods import utcnow

    late = factories.service_request(
        place["home"],
        category=RequestCategory.SAFETY,
        description="电表箱冒烟",
        due_at=utcnow() - timedelta(hours=2),
    )
    factories.service_request(place["home"], description="建议增加晾衣架")
    html = manager.get("/property/requests/inbox?overdue=y").get_data(as_text=True)
    assert "电表箱冒烟" in html and "建议增加晾衣架" not in html and "已超时" in html
    html = manager.get("/property/requests/inbox?q=晾衣", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert html.lstrip().startswith('<section id="results"')
    assert "建议增加晾衣架" in html and "电表箱冒烟" not in html
    bad = manager.get("/property/requests/inbox?status=lost&category=safety")
    assert bad.status_code == 422
    assert f"#{late.id}" in bad.get_data(as_text=True)


def test_figures_for_managers_and_the_district(manager, login_as, place):
    factories.service_request(place["home"], category=RequestCategory.COMPLAINT)
    html = manager.get("/property/requests/figures").get_data(as_text=True)
    assert "兴隆苑" in html and "投诉" in html
    html = manager.get("/property/requests/figures?month=2025-11").get_data(as_text=True)
    assert "2025-11" in html
    bad = manager.get("/property/requests/figures?month=November")
    assert bad.status_code == 422 and "2026-11" in bad.get_data(as_text=True)
    admin = login_as(Role.ADMIN)
    assert place["company"].name in admin.get("/property/requests/figures").get_data(as_text=True)


def test_menus_and_the_stewards_landing(resident, manager, steward, login_as):
    assert "/property/requests/mine" in resident.get("/property/my-home").get_data(as_text=True)
    assert "/property/requests/inbox" in manager.get("/property/dashboard").get_data(as_text=True)
    assert steward.get("/").headers["Location"] == "/property/requests/tasks"
    admin = login_as(Role.ADMIN)
    assert "/property/requests/figures" in admin.get("/property/overview").get_data(as_text=True)


def test_an_unlinked_steward_has_an_empty_task_list(login_as, place):
    factories.service_request(place["home"])
    unlinked = login_as(user=factories.user(Role.STEWARD, company_id=place["company"].id))
    response = unlinked.get("/property/requests/tasks")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="empty"' in html and "req-table" not in html


def test_the_pages_speak_english_too(resident, manager, place):
    item = factories.service_request(place["home"], status=RequestStatus.RESOLVED)
    english = {"Accept-Language": "en"}
    for client, path, text in [
        (resident, f"/property/requests/{item.id}", "Is it resolved?"),
        (resident, "/property/requests/new", "What kind of request"),
        (manager, "/property/requests/inbox", "Service requests"),
        (manager, "/property/requests/record", "Record a request"),
        (manager, "/property/requests/figures", "Average time to resolve"),
    ]:
        html = client.get(path, headers=english).get_data(as_text=True)
        assert text in html, path
