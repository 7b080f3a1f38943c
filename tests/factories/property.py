"""Factories of the property area: places, households, staff, residents, imports, notices,
activation codes, service requests."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import (
    Building,
    Community,
    Company,
    Household,
    ImportJob,
    ImportStatus,
    ManagementMode,
    ResidentHousehold,
    Role,
    Staff,
    StaffPosition,
    Unit,
    User,
)
from tests.factories.base import _next, _save, company, user


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
