"""Models by area. Importing this package registers every table on the metadata."""

from app.models.accounts import LoginSession, ResidentHousehold, Role, User
from app.models.base import Base
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

__all__ = [
    "Base",
    "Building",
    "Community",
    "Company",
    "CompanyKind",
    "Household",
    "LoginSession",
    "ManagementMode",
    "ResidentHousehold",
    "Role",
    "Staff",
    "StaffPosition",
    "Unit",
    "User",
]
