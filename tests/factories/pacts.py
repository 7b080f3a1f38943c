"""Factories of the pacts area: assignments, boards, pacts with a version, campaigns,
inspections. Each writes the rows directly (the services' rules are tested on the services)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    INSPECTION_ITEMS,
    ITEM_MAX,
    CampaignScope,
    CampaignStatus,
    Community,
    Household,
    Inspection,
    InspectionPhoto,
    Pact,
    PactClause,
    PactVersion,
    Role,
    SigningCampaign,
    StewardAssignment,
    StewardBoard,
    StewardKind,
    Unit,
    UnitPact,
    User,
)
from app.periods import utcnow
from tests.factories.base import _next, _save, company, user
from tests.factories.property import household, staff, unit


def _author(community_id: int) -> User:
    """A manager of the community's company."""
    return user(Role.MANAGER, company_id=db.session.get(Community, community_id).company_id)


def steward_assignment(entrance: Unit | None = None, **fields) -> StewardAssignment:  # type: ignore[no-untyped-def]
    entrance = entrance or unit()
    member = staff(db.session.get(Community, entrance.community_id).company)
    values = {
        "unit_id": entrance.id,
        "community_id": entrance.community_id,
        "kind": StewardKind.STEWARD,
        "staff_id": member.id,
        "name": member.name,
        "phone": "13800138000",
        "starts_on": date(2026, 1, 1),
        "assigned_by_user_id": _author(entrance.community_id).id,
    }
    return _save(StewardAssignment(**(values | fields)))


def leader_assignment(home: Household | None = None, **fields) -> StewardAssignment:  # type: ignore[no-untyped-def]
    home = home or household()
    values = {
        "unit_id": home.unit_id,
        "community_id": home.community_id,
        "kind": StewardKind.LEADER,
        "household_id": home.id,
        "name": home.owner_name,
        "phone": "13900139000",
        "starts_on": date(2026, 1, 1),
        "assigned_by_user_id": _author(home.community_id).id,
    }
    return _save(StewardAssignment(**(values | fields)))


def board(entrance: Unit | None = None, **fields) -> StewardBoard:  # type: ignore[no-untyped-def]
    entrance = entrance or unit()
    values = {
        "unit_id": entrance.id,
        "community_id": entrance.community_id,
        "token": secrets.token_urlsafe(16),
        "issued_at": utcnow(),
    }
    return _save(StewardBoard(**(values | fields)))


def pact_version(
    entrance: Unit | None = None, community_wide: bool = False, **fields
) -> PactVersion:  # type: ignore[no-untyped-def]
    entrance = entrance or unit()
    author = _author(entrance.community_id)
    pact = _save(
        Pact(
            community_id=entrance.community_id,
            unit_id=None if community_wide else entrance.id,
            created_by_user_id=author.id,
        )
    )
    values = {
        "pact_id": pact.id,
        "community_id": entrance.community_id,
        "number": 1,
        "title": f"楼道公约{_next()}",
        "clauses": [{"title": "消防通道", "body": "楼道内不堆放杂物，保持消防通道畅通。"}],
        "created_by_user_id": author.id,
    }
    return _save(PactVersion(**(values | fields)))


def campaign(version: PactVersion | None = None, **fields) -> SigningCampaign:  # type: ignore[no-untyped-def]
    """An open campaign over the version's unit (or its community, for a community-wide
    pact), in round 1, its household count taken from the scope."""
    version = version or pact_version()
    pact = db.session.get(Pact, version.pact_id)
    if pact.unit_id is not None:
        target = {"scope": CampaignScope.UNIT, "unit_id": pact.unit_id}
        households = select(func.count()).where(Household.unit_id == pact.unit_id)
    else:
        target = {"scope": CampaignScope.COMMUNITY}
        households = select(func.count()).where(Household.community_id == version.community_id)
    values = {
        "community_id": version.community_id,
        "version_id": version.id,
        "title": version.title,
        "status": CampaignStatus.OPEN,
        "current_round": 1,
        "household_count": db.session.scalar(households),
        "opened_at": utcnow(),
        "created_by_user_id": version.created_by_user_id,
        **target,
    }
    return _save(SigningCampaign(**(values | fields)))


def inspection(entrance: Unit | None = None, score: int | None = None, **fields) -> Inspection:  # type: ignore[no-untyped-def]
    """An inspection with every item at ITEM_MAX (score 100) unless told otherwise."""
    entrance = entrance or unit()
    day = fields.pop("inspected_on", date(2026, 11, 10))
    items = {item: fields.pop(item, ITEM_MAX) for item in INSPECTION_ITEMS}
    inspector = fields.pop("inspector", None) or _author(entrance.community_id)
    total = sum(items.values())
    values = {
        "unit_id": entrance.id,
        "community_id": entrance.community_id,
        "building_id": entrance.building_id,
        "inspected_on": day,
        "period": day.year * 100 + day.month,
        "inspector_user_id": inspector.id,
        "inspector_name": inspector.display_name,
        "score": score if score is not None else round(total * 100 / (ITEM_MAX * len(items))),
        **items,
    }
    return _save(Inspection(**(values | fields)))


def pact_clause(company_id: int | None = None, **fields) -> PactClause:  # type: ignore[no-untyped-def]
    """A clause of a company's own pact library."""
    if company_id is None:
        company_id = company().id
    values = {
        "company_id": company_id,
        "title": f"车位管理{_next()}",
        "body": "私家车按划线停放，不占用消防车道。",
        "created_by_user_id": user(Role.MANAGER, company_id=company_id).id,
    }
    return _save(PactClause(**(values | fields)))


def adoption(version: PactVersion, entrance: Unit | None = None, **fields) -> UnitPact:  # type: ignore[no-untyped-def]
    """The version in force on a unit (by default the pact's own unit), as an adopted campaign
    over it leaves it."""
    pact = db.session.get(Pact, version.pact_id)
    unit_id = entrance.id if entrance is not None else pact.unit_id
    adopted_at = fields.pop("adopted_at", utcnow())
    over = campaign(
        version,
        status=CampaignStatus.ADOPTED,
        adopted_at=adopted_at,
        scope=CampaignScope.UNIT,
        unit_id=unit_id,
    )
    values = {
        "unit_id": unit_id,
        "community_id": version.community_id,
        "version_id": version.id,
        "campaign_id": over.id,
        "adopted_at": adopted_at,
    }
    return _save(UnitPact(**(values | fields)))


def next_version(version: PactVersion, **fields) -> PactVersion:  # type: ignore[no-untyped-def]
    """The pact's next version after `version`, its text the same unless told otherwise."""
    values = {
        "pact_id": version.pact_id,
        "community_id": version.community_id,
        "number": version.number + 1,
        "title": version.title,
        "clauses": list(version.clauses),
        "note": "修订",
        "created_by_user_id": version.created_by_user_id,
    }
    return _save(PactVersion(**(values | fields)))


def inspection_photo(of: Inspection | None = None, **fields) -> InspectionPhoto:  # type: ignore[no-untyped-def]
    """A real photo stored as the inspections part stores one, attached to an inspection."""
    import io

    from app.uploads import save_image
    from tests.factories.property import photo_bytes

    of = of or inspection()
    values = {
        "inspection_id": of.id,
        "stored_name": save_image(io.BytesIO(photo_bytes()), "inspections"),
    }
    return _save(InspectionPhoto(**(values | fields)))
