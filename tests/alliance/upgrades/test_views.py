"""Upgrade pages: registering with photos, bad input answered with 422 and what was typed, the
review's buttons only an officer of the alliance may press, the photos behind their check,
merchants' text escaped, the lists and the review queue."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app import uploads
from app.blueprints.alliance.upgrades import services
from app.extensions import db
from app.models import MembershipStatus, Upgrade, UpgradePhoto, UpgradeRevision, UpgradeStatus, User
from tests import factories
from tests.conftest import csrf_token
from tests.factories.property import photo_bytes


@pytest.fixture
def world(database):  # type: ignore[no-untyped-def]
    street = factories.alliance()
    member = factories.merchant()
    factories.membership(member, street)
    return {
        "alliance": street,
        "shop": factories.shop(member, street, name="老街面馆"),
        "merchant": db.session.get(User, member.user_id),
        "officer": factories.officer(street),
    }


@pytest.fixture
def merchant(login_as, world):  # type: ignore[no-untyped-def]
    return login_as(user=world["merchant"])


@pytest.fixture
def officer(login_as, world):  # type: ignore[no-untyped-def]
    return login_as(user=world["officer"])


def new_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/alliance/shops/{world['shop'].id}/upgrades/new"


def fields(client, url, **values):  # type: ignore[no-untyped-def]
    return {
        "csrf_token": csrf_token(client, url),
        "work": "更换门头招牌",
        "investment": "150000",
        "starts_on": "2026-09-01",
        "finishes_on": "2026-10-15",
    } | values


def stored_photos() -> set[str]:
    folder = uploads.upload_folder(services.PHOTOS)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def upgrades() -> list[Upgrade]:
    db.session.expire_all()
    return list(db.session.scalars(select(Upgrade).order_by(Upgrade.id)))


def test_a_merchant_registers_an_upgrade_with_a_before_photo(merchant, world):
    url = new_url(world)
    data = fields(merchant, url, investment="¥150,000.50")
    data["photos"] = [(io.BytesIO(photo_bytes("JPEG")), "before.jpg")]
    response = merchant.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    (made,) = upgrades()
    assert response.headers["Location"] == f"/alliance/upgrades/{made.id}"
    assert services.latest_revision(made).investment_fen == 15_000_050
    photo = db.session.scalar(select(UpgradePhoto))
    assert photo.stage.value == "before"
    page = merchant.get(f"/alliance/upgrades/{made.id}").get_data(as_text=True)
    assert f"/alliance/upgrades/photos/{photo.id}" in page
    assert merchant.get(f"/alliance/upgrades/photos/{photo.id}").status_code == 200


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"investment": "12.345"}, "at most two decimals"),
        ({"investment": "abc"}, "at most two decimals"),
        ({"investment": "0"}, "more than zero"),
        ({"investment": "-100"}, "cannot be negative"),
        ({"investment": "99999999999"}, "at most two decimals"),
        ({"investment": "20000000"}, "larger than the portal accepts"),
        ({"investment": ""}, "Enter the investment"),
        ({"finishes_on": "2026-08-01"}, "cannot finish before it starts"),
        ({"starts_on": "2026-13-01"}, "YYYY-MM-DD"),
        ({"work": ""}, "Describe the work"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_what_was_typed(
    merchant, world, values, message
):
    url = new_url(world)
    before = stored_photos()
    data = fields(merchant, url, **values)
    data["photos"] = [(io.BytesIO(photo_bytes()), "before.png")]
    response = merchant.post(
        url, data=data, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "choose the photos again" in page
    if values.get("investment"):
        assert f'value="{values["investment"]}"' in page
    assert upgrades() == [] and stored_photos() == before


def test_a_refused_file_says_why_and_nothing_is_stored(merchant, world):
    url = new_url(world)
    before = stored_photos()
    data = fields(merchant, url)
    data["photos"] = [
        (io.BytesIO(photo_bytes()), "good.png"),
        (io.BytesIO(b"MZ\x90\x00 not a picture"), "shop.jpg"),
    ]
    response = merchant.post(
        url, data=data, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP photo" in response.get_data(as_text=True)
    assert upgrades() == [] and stored_photos() == before


def test_only_a_member_merchant_registers_and_only_for_their_own_shop(login_as, world):
    applicant = factories.merchant()
    factories.membership(applicant, world["alliance"], status=MembershipStatus.APPLIED)
    their_shop = factories.shop(applicant, world["alliance"])
    client = login_as(user=db.session.get(User, applicant.user_id))
    response = client.get(f"/alliance/shops/{their_shop.id}/upgrades/new")
    assert response.status_code == 403
    assert client.get(new_url(world)).status_code == 404


def submitted_upgrade(world) -> Upgrade:  # type: ignore[no-untyped-def]
    made = factories.upgrade(world["shop"], status=UpgradeStatus.SUBMITTED)
    return made


def open_revision_id(made: Upgrade) -> int:
    return db.session.scalar(
        select(UpgradeRevision.id).where(
            UpgradeRevision.upgrade_id == made.id, UpgradeRevision.decision.is_(None)
        )
    )


def test_an_approval_cannot_be_forged(merchant, login_as, world):
    made = submitted_upgrade(world)
    revision_id = open_revision_id(made)
    url = f"/alliance/upgrades/{made.id}/approve"
    token = csrf_token(merchant, f"/alliance/upgrades/{made.id}")
    assert (
        merchant.post(url, data={"csrf_token": token, "revision_id": revision_id}).status_code
        == 403
    )
    assert (
        merchant.post(
            f"/alliance/upgrades/{made.id}/return",
            data={"csrf_token": token, "revision_id": revision_id, "reason": "x"},
        ).status_code
        == 403
    )
    stranger = login_as(user=factories.officer())
    token = csrf_token(stranger, "/alliance/upgrades")
    assert (
        stranger.post(url, data={"csrf_token": token, "revision_id": revision_id}).status_code
        == 404
    )
    assert (
        upgrades()[0].status == UpgradeStatus.SUBMITTED
        and upgrades()[0].approved_revision_id is None
    )


def test_the_officer_reviews_on_the_upgrade_page(officer, world):
    made = submitted_upgrade(world)
    page_url = f"/alliance/upgrades/{made.id}"
    page = officer.get(page_url).get_data(as_text=True)
    assert 'id="approve-form"' in page and 'id="return-form"' in page
    token = csrf_token(officer, page_url)
    revision_id = open_revision_id(made)
    refused = officer.post(
        f"{page_url}/return",
        data={"csrf_token": token, "revision_id": revision_id, "reason": " "},
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "Say what the merchant should fix" in body and 'id="review"' in body
    assert "<html" not in body  # the review section alone
    approved = officer.post(
        f"{page_url}/approve",
        data={"csrf_token": token, "revision_id": revision_id},
        headers={"HX-Request": "true"},
    )
    assert approved.status_code == 204 and approved.headers["HX-Redirect"] == page_url
    (made,) = upgrades()
    assert made.status == UpgradeStatus.APPROVED and made.approved_revision_id == revision_id
    again = officer.post(
        f"{page_url}/approve", data={"csrf_token": token, "revision_id": revision_id}
    )
    assert again.status_code == 302  # a second click approves nothing more


def test_merchants_text_is_escaped_everywhere(merchant, officer, world):
    made = factories.upgrade(
        world["shop"], status=UpgradeStatus.RETURNED, work="<script>alert(1)</script>招牌"
    )
    for client, url in (
        (merchant, f"/alliance/upgrades/{made.id}"),
        (officer, f"/alliance/upgrades/{made.id}"),
        (merchant, f"/alliance/upgrades/{made.id}/edit"),
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


def test_the_upgrade_page_compares_revisions(merchant, world):
    made = factories.upgrade(world["shop"], status=UpgradeStatus.APPROVED)
    token = csrf_token(merchant, f"/alliance/upgrades/{made.id}/edit")
    response = merchant.post(
        f"/alliance/upgrades/{made.id}/edit",
        data={
            "csrf_token": token,
            "work": "更换门头铜字招牌，外立面刷新",
            "investment": "180000",
            "starts_on": "2026-09-01",
            "finishes_on": "2026-10-15",
            "note": "铜字更贵",
        },
    )
    assert response.status_code == 302
    page = merchant.get(f"/alliance/upgrades/{made.id}").get_data(as_text=True)
    assert "<ins>铜字</ins>" in page
    assert "¥180,000.00" in page and "¥150,000.00" in page
    only = merchant.get(
        f"/alliance/upgrades/{made.id}?older=2&newer=1", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert only.lstrip().startswith('<section id="comparison"') and "<del>铜字</del>" in only


def test_photos_are_shown_only_to_whom_may_see_them(app, login_as, world):
    draft = factories.upgrade(world["shop"], status=UpgradeStatus.DRAFT)
    photo = factories.upgrade_photo(draft)
    url = f"/alliance/upgrades/photos/{photo.id}"
    assert login_as(user=world["officer"]).get(url).status_code == 200
    assert login_as(user=factories.officer()).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 404
    shown = factories.upgrade_photo(factories.upgrade(world["shop"], status=UpgradeStatus.APPROVED))
    assert app.test_client().get(f"/alliance/upgrades/photos/{shown.id}").status_code == 200


def test_after_photo_then_completion(merchant, world):
    made = factories.upgrade(world["shop"], status=UpgradeStatus.APPROVED)
    page_url = f"/alliance/upgrades/{made.id}"
    token = csrf_token(merchant, page_url)
    early = merchant.post(
        f"{page_url}/complete",
        data={"csrf_token": token, "completed_on": "2026-11-01"},
        headers={"Accept-Language": "en"},
    )
    assert early.status_code == 422
    assert "photo of the finished shopfront" in early.get_data(as_text=True)
    added = merchant.post(
        f"{page_url}/photos",
        data={"csrf_token": token, "photos": [(io.BytesIO(photo_bytes()), "after.png")]},
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    done = merchant.post(
        f"{page_url}/complete", data={"csrf_token": token, "completed_on": "2026-11-01"}
    )
    assert done.status_code == 302
    (made,) = upgrades()
    assert made.status == UpgradeStatus.COMPLETED and str(made.completed_on) == "2026-11-01"


def test_the_review_queue_and_the_lists(officer, merchant, world):
    waiting = submitted_upgrade(world)
    factories.upgrade(world["shop"], status=UpgradeStatus.DRAFT)
    queue = officer.get("/alliance/upgrades/review", headers={"Accept-Language": "en"})
    body = queue.get_data(as_text=True)
    assert queue.status_code == 200 and f"/alliance/upgrades/{waiting.id}" in body
    assert "1 waiting" in body
    listed = officer.get("/alliance/upgrades?status=submitted").get_data(as_text=True)
    assert listed.count('href="/alliance/upgrades/') >= 1
    assert officer.get("/alliance/upgrades?status=nonsense").status_code == 422
    mine = merchant.get("/alliance/upgrades").get_data(as_text=True)
    assert "老街面馆" in mine and new_url(world) in mine
    assert db.session.scalar(select(func.count(Upgrade.id))) == 2


def test_an_upgrade_under_review_is_not_edited(merchant, world):
    made = submitted_upgrade(world)
    url = f"/alliance/upgrades/{made.id}/edit"
    response = merchant.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{made.id}")
    posted = merchant.post(url, data=fields(merchant, f"/alliance/upgrades/{made.id}", note="x"))
    assert posted.status_code == 302
    assert db.session.scalar(select(func.count(UpgradeRevision.id))) == 1


def test_the_edit_form_shows_the_latest_figures_in_yuan(merchant, world):
    made = factories.upgrade(world["shop"], status=UpgradeStatus.RETURNED, investment_fen=8_650_050)
    page = merchant.get(f"/alliance/upgrades/{made.id}/edit").get_data(as_text=True)
    assert 'value="86500.50"' in page and 'name="note"' in page


def _noise_jpeg(width: int, height: int) -> bytes:
    """A camera-sized photo: noise compresses badly, so a few megapixels make megabytes."""
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(
        out, "JPEG", quality=95
    )
    return out.getvalue()


def test_a_ten_megabyte_photo_is_kept_and_a_forty_megabyte_file_refused(merchant, world):
    url = new_url(world)
    big = _noise_jpeg(3600, 2700)
    assert len(big) > 10 * 1024 * 1024
    data = fields(merchant, url)
    data["photos"] = [(io.BytesIO(big), "shopfront.jpg")]
    before = stored_photos()
    assert merchant.post(url, data=data, content_type="multipart/form-data").status_code == 302
    kept = stored_photos()
    assert len(kept - before) == 1

    data = fields(merchant, url)
    data["photos"] = [(io.BytesIO(b"\xff\xd8\xff" + bytes(40 * 1024 * 1024)), "huge.jpg")]
    refused = merchant.post(url, data=data, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "20 MB" in refused.get_data(as_text=True)
    assert stored_photos() == kept
