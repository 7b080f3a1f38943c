"""Model factories: the smallest valid objects, committed, with sensible unique defaults."""

from __future__ import annotations

import itertools
from decimal import Decimal

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    COMPANY_STAFF_ROLES,
    Bill,
    Building,
    Community,
    Company,
    CompanyKind,
    FeeItem,
    FeeKind,
    FeeRate,
    Household,
    ImportJob,
    ImportStatus,
    ManagementMode,
    ParkingLease,
    ParkingSpace,
    ResidentHousehold,
    Role,
    Staff,
    StaffPosition,
    Unit,
    User,
)

PASSWORD = "correct horse battery"
# A cheap scrypt cost keeps tests fast; check_password_hash reads the cost from the hash.
_FAST_HASH_METHOD = "scrypt:1024:8:1"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def _save(obj):  # type: ignore[no-untyped-def]
    db.session.add(obj)
    db.session.commit()
    return obj


def company(**fields) -> Company:  # type: ignore[no-untyped-def]
    n = _next()
    values = {
        "name": f"测试物业{n}",
        "code": f"C{n}",
        "kind": CompanyKind.RED,
        "city": "宜昌市",
        "district": "西陵区",
        "founding_street": "学院街道",
    }
    return _save(Company(**(values | fields)))


def community(owner: Company | None = None, **fields) -> Community:  # type: ignore[no-untyped-def]
    owner = owner or company()
    values = {
        "name": f"测试小区{_next()}",
        "city": owner.city,
        "district": owner.district,
        "street": "学院街道",
        "management_mode": ManagementMode.RED_PROPERTY,
    }
    return _save(Community(company_id=owner.id, **(values | fields)))


def building(place: Community | None = None, **fields) -> Building:  # type: ignore[no-untyped-def]
    place = place or community()
    values = {"number": str(_next()), "floors": 6}
    return _save(Building(community_id=place.id, **(values | fields)))


def unit(block: Building | None = None, **fields) -> Unit:  # type: ignore[no-untyped-def]
    block = block or building()
    values = {"number": str(_next())}
    return _save(Unit(building_id=block.id, community_id=block.community_id, **(values | fields)))


def household(entrance: Unit | None = None, **fields) -> Household:  # type: ignore[no-untyped-def]
    entrance = entrance or unit()
    values = {
        "room": f"{_next():04d}",
        "floor": 1,
        "area_m2": Decimal("89.50"),
        "owner_name": "王小萍",
        "phone": "13800000000",
    }
    return _save(
        Household(unit_id=entrance.id, community_id=entrance.community_id, **(values | fields))
    )


def staff(employer: Company | None = None, **fields) -> Staff:  # type: ignore[no-untyped-def]
    employer = employer or company()
    values = {"name": "李管家", "position": StaffPosition.STEWARD, "is_party_member": False}
    return _save(Staff(company_id=employer.id, **(values | fields)))


def user(role: Role = Role.ADMIN, password: str = PASSWORD, **fields) -> User:  # type: ignore[no-untyped-def]
    n = _next()
    values = {"username": f"user{n}", "display_name": f"用户{n}"}
    if role in COMPANY_STAFF_ROLES and "company_id" not in fields:
        values["company_id"] = company().id
    account = User(role=role, **(values | fields))
    account.password_hash = generate_password_hash(password, method=_FAST_HASH_METHOD)
    return _save(account)


def resident(home: Household | None = None, **fields) -> User:  # type: ignore[no-untyped-def]
    home = home or household()
    account = user(Role.RESIDENT, **fields)
    _save(ResidentHousehold(user_id=account.id, household_id=home.id, relation="owner"))
    return account


def import_job(place: Community | None = None, **fields) -> ImportJob:  # type: ignore[no-untyped-def]
    place = place or community()
    uploader = fields.pop("user", None) or user(Role.MANAGER, company_id=place.company_id)
    values = {"filename": "花名册.xlsx", "status": ImportStatus.INVALID, "errors": []}
    return _save(
        ImportJob(
            company_id=place.company_id,
            community_id=place.id,
            user_id=uploader.id,
            **(values | fields),
        )
    )


def fee_item(place: Community | None = None, **fields) -> FeeItem:  # type: ignore[no-untyped-def]
    """A fee item with one rate (`rate_fen`, default ¥1.20) in force since 2000-01."""
    place = place or community()
    rate_fen = fields.pop("rate_fen", 120)
    effective_from = fields.pop("effective_from", 200001)
    values = {"kind": FeeKind.PROPERTY, "name": f"物业费{_next()}", "active": True}
    item = _save(FeeItem(community_id=place.id, **(values | fields)))
    _save(FeeRate(fee_item_id=item.id, effective_from=effective_from, amount_fen=rate_fen))
    return item


def parking_space(place: Community | None = None, **fields) -> ParkingSpace:  # type: ignore[no-untyped-def]
    place = place or community()
    return _save(ParkingSpace(community_id=place.id, **({"number": f"A{_next():03d}"} | fields)))


def parking_lease(space: ParkingSpace, home: Household, **fields) -> ParkingLease:  # type: ignore[no-untyped-def]
    values = {"plate": "渝A12345", "start_period": 202601, "end_period": None}
    return _save(
        ParkingLease(
            space_id=space.id,
            community_id=space.community_id,
            household_id=home.id,
            **(values | fields),
        )
    )


def bill(home: Household | None = None, item: FeeItem | None = None, **fields) -> Bill:  # type: ignore[no-untyped-def]
    """A bill as a billing run issues it (¥100.00 for 2026-01 unless told)."""
    home = home or household()
    item = item or fee_item(db.session.get(Community, home.community_id))
    values = {"period": 202601, "quantity": Decimal("1"), "rate_fen": 10000, "amount_fen": 10000}
    return _save(
        Bill(
            household_id=home.id,
            community_id=home.community_id,
            fee_item_id=item.id,
            **(values | fields),
        )
    )


def notice(place: Community | None = None, buildings=(), **fields):  # type: ignore[no-untyped-def]
    """A notice in force since an hour ago, to the whole community unless `buildings` given."""
    from datetime import timedelta

    from app.models import Notice, NoticeBuilding
    from app.periods import utcnow

    place = place or community()
    author = fields.pop("author", None) or user(Role.MANAGER, company_id=place.company_id)
    values = {
        "title": "停水通知",
        "body": "明天上午9点至12点停水。\n请提前储水。",
        "pinned": False,
        "published_at": utcnow() - timedelta(hours=1),
        "expires_at": None,
    }
    item = _save(Notice(community_id=place.id, author_user_id=author.id, **(values | fields)))
    for block in buildings:
        db.session.add(
            NoticeBuilding(notice_id=item.id, building_id=block.id, community_id=place.id)
        )
    db.session.commit()
    return item


def activation_code(  # type: ignore[no-untyped-def]
    home: Household | None = None, code: str = "ABCD-EFGH-JKMN-PQRS", **fields
):
    """An outstanding activation code for `home`, valid for 30 days, whose text is `code`."""
    from datetime import timedelta

    from app.blueprints.auth.activation_services import code_hash
    from app.models import ActivationCode
    from app.periods import utcnow

    home = home or household()
    issuer = fields.pop("issuer", None) or user(Role.ADMIN)
    values = {"relation": "owner", "expires_at": utcnow() + timedelta(days=30)}
    return _save(
        ActivationCode(
            household_id=home.id,
            code_hash=code_hash(code),
            created_by_user_id=issuer.id,
            **(values | fields),
        )
    )


# ---- Payments (part: payments): through the counter's service, as a clerk records them ----


def collector(home: Household) -> User:
    """A manager of the company running `home`'s community, to take its payments."""
    place = db.session.get(Community, home.community_id)
    return user(Role.MANAGER, company_id=place.company_id)


def payment(home: Household | None = None, amount_fen: int = 10000, **fields):  # type: ignore[no-untyped-def]
    """A payment of `amount_fen` (default ¥100.00) by cash, committed: it pays the household's
    open bills oldest first (or `bill_ids`) and keeps the rest as credit. `clerk=`, `method=`,
    `key=` (the idempotency key), `bill_ids=` and `note=` may be given."""
    from app.blueprints.fees.payments.services import record_payment
    from app.models import PaymentMethod

    home = home or household()
    clerk = fields.pop("clerk", None) or collector(home)
    method = fields.pop("method", PaymentMethod.CASH)
    key = fields.pop("key", None) or f"factory-payment-{_next()}"
    paid = record_payment(home, amount_fen, method, clerk, key, **fields)
    db.session.commit()
    return paid


def reversal(paid, reason: str = "录入金额有误", **fields):  # type: ignore[no-untyped-def]
    """The reversal (冲正) of payment `paid`, committed."""
    from app.blueprints.fees.payments.services import reverse_payment

    home = db.session.get(Household, paid.household_id)
    clerk = fields.pop("clerk", None) or collector(home)
    key = fields.pop("key", None) or f"factory-reversal-{_next()}"
    reversed_payment = reverse_payment(paid, reason, clerk, key)
    db.session.commit()
    return reversed_payment


# ---- Service requests (part: requests) ----


def photo_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), **save_options) -> bytes:  # type: ignore[no-untyped-def]
    """A small real image, encoded as `fmt` (PNG, JPEG, WEBP); `exif=` etc. go to Pillow."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 30)).save(out, format=fmt, **save_options)
    return out.getvalue()


def service_request(home: Household | None = None, photo: bool = False, **fields):  # type: ignore[no-untyped-def]
    """A request filed online for `home` (a repair in the home unless told), with a stored photo
    when `photo` is true. Fields such as `status` or `created_at` may be given."""
    import io
    from datetime import timedelta

    from app.models import (
        RequestCategory,
        RequestChannel,
        RequestEvent,
        RequestEventKind,
        RequestLocation,
        RequestStatus,
        ServiceRequest,
    )
    from app.periods import utcnow
    from app.uploads import save_image

    home = home or household()
    filed = fields.pop("created_at", None) or utcnow()
    category = fields.pop("category", RequestCategory.REPAIR)
    values = {
        "channel": RequestChannel.APP,
        "location": RequestLocation.HOUSEHOLD,
        "description": "厨房水管漏水",
        "status": RequestStatus.SUBMITTED,
        "departments": [],
        "due_at": filed + timedelta(hours=72),
        "photo": save_image(io.BytesIO(photo_bytes()), "requests") if photo else None,
    }
    item = _save(
        ServiceRequest(
            community_id=home.community_id,
            household_id=home.id,
            unit_id=home.unit_id,
            category=category,
            created_at=filed,
            **(values | fields),
        )
    )
    _save(RequestEvent(request_id=item.id, at=filed, kind=RequestEventKind.FILED))
    return item
