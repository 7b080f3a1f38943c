"""Authorization: the one place that decides what the current user may see and do.

Every view reads data through `visible()` or `get_visible_or_404()`, which add the
user's scope to the query: an admin sees everything, a manager only their company,
a resident only their own households (and the community, building and unit they live
in). Another tenant's object is indistinguishable from a missing one (404); an action
the role may not take at all is forbidden (403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, false, select, true

from app.extensions import db
from app.models import (
    COMPANY_STAFF_ROLES,
    ActivationCode,
    AuditEntry,
    Bill,
    BillingRun,
    BillMonthTotal,
    Building,
    Community,
    Company,
    CreditEntry,
    FeeItem,
    FeeRate,
    Household,
    HouseholdCredit,
    ImportJob,
    ImportRow,
    LateFeeRule,
    LateFeeWaiver,
    LoginSession,
    Notice,
    NoticeBuilding,
    NoticeRead,
    ParkingLease,
    ParkingSpace,
    Payment,
    PaymentAllocation,
    ReceiptCounter,
    RequestEvent,
    ResidentHousehold,
    Role,
    ServiceRequest,
    Staff,
    Unit,
    User,
)

M = TypeVar("M")
Rule = Callable[[User], ColumnElement[bool]]


def _company_communities(user: User) -> Select:
    return select(Community.id).where(Community.company_id == user.company_id)


def _own_households(user: User) -> Select:
    return select(ResidentHousehold.household_id).where(ResidentHousehold.user_id == user.id)


def _in_company_communities(column: Any) -> Rule:
    return lambda user: column.in_(_company_communities(user))


def _in_own_households(column: Any) -> Rule:
    return lambda user: column.in_(_own_households(user))


def _own_communities(user: User) -> Select:
    return select(Household.community_id).where(Household.id.in_(_own_households(user)))


def _company_requests(user: User) -> Select:
    return select(ServiceRequest.id).where(
        ServiceRequest.community_id.in_(_company_communities(user))
    )


def _own_requests(user: User) -> Select:
    return select(ServiceRequest.id).where(
        ServiceRequest.household_id.in_(_own_households(user))
        | (ServiceRequest.reporter_user_id == user.id)
    )


def _notices_addressed_to(user: User) -> ColumnElement[bool]:
    """Notices for a community the resident lives in: to all of it, or to their building."""
    own_homes = _own_households(user)
    own_communities = select(Household.community_id).where(Household.id.in_(own_homes))
    own_buildings = select(Unit.building_id).where(
        Unit.id.in_(select(Household.unit_id).where(Household.id.in_(own_homes)))
    )
    targeted = select(NoticeBuilding.notice_id)
    return Notice.community_id.in_(own_communities) & (
        Notice.id.not_in(targeted)
        | Notice.id.in_(targeted.where(NoticeBuilding.building_id.in_(own_buildings)))
    )


# model -> (company staff rule, resident rule). Managers and stewards share their company's
# scope (what each may *do* is up to the views). Merchants and officers see no property data.
_RULES: dict[type, tuple[Rule, Rule]] = {
    Company: (
        lambda u: Company.id == u.company_id,
        lambda u: Company.id.in_(
            select(Community.company_id).where(
                Community.id.in_(
                    select(Household.community_id).where(Household.id.in_(_own_households(u)))
                )
            )
        ),
    ),
    Community: (
        lambda u: Community.company_id == u.company_id,
        lambda u: Community.id.in_(
            select(Household.community_id).where(Household.id.in_(_own_households(u)))
        ),
    ),
    Building: (
        lambda u: Building.community_id.in_(_company_communities(u)),
        lambda u: Building.id.in_(
            select(Unit.building_id).where(
                Unit.id.in_(select(Household.unit_id).where(Household.id.in_(_own_households(u))))
            )
        ),
    ),
    Unit: (
        lambda u: Unit.community_id.in_(_company_communities(u)),
        lambda u: Unit.id.in_(
            select(Household.unit_id).where(Household.id.in_(_own_households(u)))
        ),
    ),
    Household: (
        lambda u: Household.community_id.in_(_company_communities(u)),
        lambda u: Household.id.in_(_own_households(u)),
    ),
    ResidentHousehold: (
        lambda u: ResidentHousehold.household_id.in_(
            select(Household.id).where(Household.community_id.in_(_company_communities(u)))
        ),
        lambda u: ResidentHousehold.user_id == u.id,
    ),
    Staff: (
        lambda u: Staff.company_id == u.company_id,
        lambda u: false(),
    ),
    ServiceRequest: (
        lambda u: ServiceRequest.community_id.in_(_company_communities(u)),
        lambda u: ServiceRequest.id.in_(_own_requests(u)),
    ),
    RequestEvent: (
        lambda u: RequestEvent.request_id.in_(_company_requests(u)),
        lambda u: RequestEvent.request_id.in_(_own_requests(u)),
    ),
    Notice: (
        lambda u: Notice.community_id.in_(_company_communities(u)),
        _notices_addressed_to,
    ),
    NoticeRead: (
        lambda u: NoticeRead.notice_id.in_(
            select(Notice.id).where(Notice.community_id.in_(_company_communities(u)))
        ),
        lambda u: NoticeRead.user_id == u.id,
    ),
    AuditEntry: (
        lambda u: AuditEntry.company_id == u.company_id,
        lambda u: false(),
    ),
    ImportJob: (
        lambda u: ImportJob.company_id == u.company_id,
        lambda u: false(),
    ),
    ImportRow: (
        lambda u: ImportRow.job_id.in_(
            select(ImportJob.id).where(ImportJob.company_id == u.company_id)
        ),
        lambda u: false(),
    ),
    FeeItem: (
        _in_company_communities(FeeItem.community_id),
        lambda u: FeeItem.community_id.in_(_own_communities(u)),
    ),
    FeeRate: (
        lambda u: FeeRate.fee_item_id.in_(
            select(FeeItem.id).where(FeeItem.community_id.in_(_company_communities(u)))
        ),
        lambda u: FeeRate.fee_item_id.in_(
            select(FeeItem.id).where(FeeItem.community_id.in_(_own_communities(u)))
        ),
    ),
    ParkingSpace: (
        _in_company_communities(ParkingSpace.community_id),
        lambda u: ParkingSpace.id.in_(
            select(ParkingLease.space_id).where(ParkingLease.household_id.in_(_own_households(u)))
        ),
    ),
    ParkingLease: (
        _in_company_communities(ParkingLease.community_id),
        _in_own_households(ParkingLease.household_id),
    ),
    LateFeeRule: (
        _in_company_communities(LateFeeRule.community_id),
        lambda u: LateFeeRule.community_id.in_(_own_communities(u)),
    ),
    BillingRun: (
        _in_company_communities(BillingRun.community_id),
        lambda u: false(),
    ),
    Bill: (
        _in_company_communities(Bill.community_id),
        _in_own_households(Bill.household_id),
    ),
    BillMonthTotal: (
        _in_company_communities(BillMonthTotal.community_id),
        lambda u: false(),
    ),
    Payment: (
        lambda u: Payment.company_id == u.company_id,
        _in_own_households(Payment.household_id),
    ),
    PaymentAllocation: (
        lambda u: PaymentAllocation.payment_id.in_(
            select(Payment.id).where(Payment.company_id == u.company_id)
        ),
        lambda u: PaymentAllocation.payment_id.in_(
            select(Payment.id).where(Payment.household_id.in_(_own_households(u)))
        ),
    ),
    HouseholdCredit: (
        lambda u: HouseholdCredit.household_id.in_(
            select(Household.id).where(Household.community_id.in_(_company_communities(u)))
        ),
        _in_own_households(HouseholdCredit.household_id),
    ),
    CreditEntry: (
        lambda u: CreditEntry.household_id.in_(
            select(Household.id).where(Household.community_id.in_(_company_communities(u)))
        ),
        _in_own_households(CreditEntry.household_id),
    ),
    LateFeeWaiver: (
        lambda u: LateFeeWaiver.bill_id.in_(
            select(Bill.id).where(Bill.community_id.in_(_company_communities(u)))
        ),
        lambda u: LateFeeWaiver.bill_id.in_(
            select(Bill.id).where(Bill.household_id.in_(_own_households(u)))
        ),
    ),
    ReceiptCounter: (
        lambda u: ReceiptCounter.company_id == u.company_id,
        lambda u: false(),
    ),
    ActivationCode: (
        lambda u: ActivationCode.household_id.in_(
            select(Household.id).where(Household.community_id.in_(_company_communities(u)))
        ),
        lambda u: false(),
    ),
    User: (
        lambda u: (
            (User.company_id == u.company_id)
            | User.id.in_(
                select(ResidentHousehold.user_id).where(
                    ResidentHousehold.household_id.in_(
                        select(Household.id).where(
                            Household.community_id.in_(_company_communities(u))
                        )
                    )
                )
            )
        ),
        lambda u: User.id == u.id,
    ),
}


def scope(model: type, user: User | None = None) -> ColumnElement[bool]:
    """The WHERE clause limiting `model` to what `user` (default: the current user) may see."""
    user = user if user is not None else current_user
    if not getattr(user, "is_authenticated", False):
        return false()
    if model is LoginSession:
        return LoginSession.user_id == user.id
    if user.role == Role.ADMIN:
        return true()
    rules = _RULES.get(model)
    if rules is None:
        raise LookupError(f"no visibility rule for {model.__name__}")
    manager_rule, resident_rule = rules
    if user.role in COMPANY_STAFF_ROLES:
        return manager_rule(user)
    if user.role == Role.RESIDENT:
        return resident_rule(user)
    if model is User:
        return User.id == user.id
    return false()


def visible(model: type[M], user: User | None = None) -> Select[tuple[M]]:
    """`select(model)` already limited to what the user may see; add filters and order to it."""
    return select(model).where(scope(model, user))


def get_visible_or_404(model: type[M], object_id: int, user: User | None = None) -> M:
    """One object the user may see, or 404 whether it is missing or someone else's."""
    obj = db.session.scalar(visible(model, user).where(model.id == object_id))  # type: ignore[attr-defined]
    if obj is None:
        abort(404)
    return obj


def roles_required(*roles: Role) -> Callable:
    """Views only these roles may open; others get 403, visitors the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
