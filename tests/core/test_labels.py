"""Labels of stored codes."""

from app.labels import label
from app.models import CompanyKind, ManagementMode, Role, StaffPosition


def test_enums_sharing_a_value_keep_their_own_labels(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert label(Role.MANAGER) == "Property manager"
        assert label(StaffPosition.MANAGER) == "Manager"
        assert label(CompanyKind.SELF_MANAGED) == "Resident self-management"
        assert label(ManagementMode.SELF_MANAGED) == "Self-managed"
