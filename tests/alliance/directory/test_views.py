"""The public directory: anyone reaches it, signed in or not, and it shows the shops of approved
members only, with the photos of approved upgrades, the badge and the pledge state; it cannot
be made to list an applicant's or a declined merchant's shop, nor a draft's photos."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.extensions import db
from app.models import MembershipStatus, Merchant, PhotoStage, Role, ShopCategory, UpgradeStatus
from tests import factories
from tests.alliance.directory.helpers import upgrade_photo
from tests.conftest import login


def owner_of(member):
    return db.session.get(Merchant, member.merchant_id)


@pytest.fixture
def street(database):
    """One alliance with a listed tea house (pledge in force, an approved upgrade with photos and
    a draft with its own photo), a listed inn (pledge lapsed), the shop of an applicant and of a
    declined merchant; and another alliance's shop."""
    alliance = factories.alliance(name="弹子石商业联盟", street="弹子石老街")
    member = owner_of(factories.membership(to=alliance))
    tea = factories.shop(
        member,
        alliance,
        name="老街茶馆",
        category=ShopCategory.BAR_CAFE,
        description="<script>alert('x')</script>江边喝茶",
        public_phone="023-62881234",
    )
    factories.pledge(member, alliance, signed_on=date(2026, 6, 1))
    approved = factories.upgrade(tea, work="新门头与木招牌")
    before = upgrade_photo(approved, PhotoStage.BEFORE)
    after = upgrade_photo(approved, PhotoStage.AFTER)
    draft = upgrade_photo(factories.upgrade(tea, status=UpgradeStatus.DRAFT, work="草稿中的改造"))
    returned = upgrade_photo(factories.upgrade(tea, status=UpgradeStatus.RETURNED))

    lapsed = owner_of(factories.membership(to=alliance))
    inn = factories.shop(lapsed, alliance, name="江景民宿", category=ShopCategory.LODGING)
    factories.pledge(lapsed, alliance, signed_on=date(2025, 6, 1))

    pending = owner_of(factories.membership(to=alliance, status=MembershipStatus.APPLIED))
    applicant = factories.shop(pending, alliance, name="申请中小店")
    applicant_photo = upgrade_photo(factories.upgrade(applicant))
    declined = owner_of(factories.membership(to=alliance, status=MembershipStatus.DECLINED))
    refused = factories.shop(declined, alliance, name="被拒小店")

    elsewhere = factories.shop(name="别的街小店")
    return {
        "alliance": alliance,
        "tea": tea,
        "inn": inn,
        "applicant": applicant,
        "refused": refused,
        "elsewhere": elsewhere,
        "photos": {"before": before, "after": after},
        "hidden_photos": [draft, returned, applicant_photo],
        "member": member,
    }


def directory(client, street, **args):
    return client.get(f"/alliance/directory/{street['alliance'].id}", query_string=args)


def test_a_visitor_sees_the_listed_shops_with_badge_pledge_and_photo(client, street):
    response = directory(client, street)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "老街茶馆" in html and "江景民宿" in html
    assert "申请中小店" not in html and "被拒小店" not in html and "别的街小店" not in html
    assert re.search(r'id="shops-title"[^>]*>[^<]*\b2\b', html)  # two found
    assert html.count("alliance-badge-mark") >= 1
    assert html.count("pledge-in-force") == 1 and html.count("pledge-none") == 1
    assert f"/alliance/directory/photos/{street['photos']['after'].id}" in html
    assert 'href="tel:+862362881234"' in html
    assert street["member"].contact_phone not in html
    assert "csrf_token" not in html  # the same page for everyone: no session started
    assert "Set-Cookie" not in response.headers


def test_the_category_filter_and_the_search_narrow_the_list_in_sql(client, street):
    lodging = directory(client, street, category="lodging").get_data(as_text=True)
    assert "江景民宿" in lodging and "老街茶馆" not in lodging
    found = directory(client, street, q="茶").get_data(as_text=True)
    assert "老街茶馆" in found and "江景民宿" not in found
    by_description = directory(client, street, q="江边").get_data(as_text=True)
    assert "老街茶馆" in by_description
    assert "申请中小店" not in directory(client, street, q="申请").get_data(as_text=True)
    nothing = directory(client, street, q="100%_").get_data(as_text=True)
    assert "老街茶馆" not in nothing


def test_htmx_gets_the_results_alone(client, street):
    response = client.get(
        f"/alliance/directory/{street['alliance'].id}?q=茶", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="shops"')
    assert "老街茶馆" in html and "<html" not in html


def test_an_unknown_category_is_refused_with_a_message(client, street):
    response = directory(client, street, category="casino")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "field-error" in html
    assert "老街茶馆" in html  # the list, unfiltered


def test_merchants_text_is_escaped(client, street):
    html = client.get(f"/alliance/directory/shops/{street['tea'].id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;江边喝茶" in html


def test_a_shop_page_shows_approved_upgrades_with_their_photos_only(client, street):
    html = client.get(f"/alliance/directory/shops/{street['tea'].id}").get_data(as_text=True)
    assert "新门头与木招牌" in html
    assert "草稿中的改造" not in html
    for photo in street["photos"].values():
        assert f"/alliance/directory/photos/{photo.id}" in html
    for photo in street["hidden_photos"]:
        assert f"/alliance/directory/photos/{photo.id}" not in html


def test_photos_of_drafts_returned_upgrades_and_unlisted_shops_are_not_served(client, street):
    shown = client.get(f"/alliance/directory/photos/{street['photos']['after'].id}")
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    for photo in street["hidden_photos"]:
        assert client.get(f"/alliance/directory/photos/{photo.id}").status_code == 404


def test_unlisted_shops_have_no_page(client, street):
    for name in ("applicant", "refused"):
        assert client.get(f"/alliance/directory/shops/{street[name].id}").status_code == 404
    assert client.get("/alliance/directory/999999").status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.RESIDENT, Role.OFFICER])
def test_every_role_sees_what_the_public_sees(app, street, role):
    account = (
        factories.officer(street["alliance"])
        if role is Role.OFFICER
        else (factories.resident() if role is Role.RESIDENT else factories.user(role))
    )
    client = app.test_client()
    login(client, account)
    html = directory(client, street).get_data(as_text=True)
    assert "老街茶馆" in html and "申请中小店" not in html
    for photo in street["hidden_photos"]:
        assert client.get(f"/alliance/directory/photos/{photo.id}").status_code == 404


def test_the_index_lists_every_alliance_with_its_listed_shops(client, street):
    html = client.get("/alliance/directory/").get_data(as_text=True)
    assert "弹子石商业联盟" in html
    assert f'/alliance/directory/{street["alliance"].id}"' in html
