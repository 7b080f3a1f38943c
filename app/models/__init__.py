"""Models by area. Importing this package registers every table on the metadata."""

from app.models.accounts import (
    COMPANY_STAFF_ROLES,
    ActivationCode,
    LoginSession,
    ResidentHousehold,
    Role,
    User,
)
from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.imports import ImportJob, ImportRow, ImportStatus
from app.models.notices import Notice, NoticeBuilding, NoticeRead
from app.models.property import (
    Building,
    Community,
    Company,
    CompanyKind,
    Household,
    ManagementMode,
    Staff,
    StaffPosition,
    Unit,
)
from app.models.service import (
    RequestCategory,
    RequestChannel,
    RequestEvent,
    RequestEventKind,
    RequestLocation,
    RequestStatus,
    ServiceRequest,
)

__all__ = [
    "COMPANY_STAFF_ROLES",
    "ActivationCode",
    "AuditEntry",
    "Base",
    "Building",
    "Community",
    "Company",
    "CompanyKind",
    "Household",
    "ImportJob",
    "ImportRow",
    "ImportStatus",
    "LoginSession",
    "ManagementMode",
    "Notice",
    "NoticeBuilding",
    "NoticeRead",
    "RequestCategory",
    "RequestChannel",
    "RequestEvent",
    "RequestEventKind",
    "RequestLocation",
    "RequestStatus",
    "ResidentHousehold",
    "Role",
    "ServiceRequest",
    "Staff",
    "StaffPosition",
    "Unit",
    "User",
]
