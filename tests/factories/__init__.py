"""Model factories: the smallest valid objects, committed, with sensible unique defaults, by
area; every test imports them from here (`factories.household()`)."""

from tests.factories.base import PASSWORD, company, user
from tests.factories.fees import (
    bill,
    collector,
    fee_item,
    parking_lease,
    parking_space,
    payment,
    reversal,
)
from tests.factories.pacts import (
    board,
    campaign,
    inspection,
    inspection_photo,
    leader_assignment,
    pact_version,
    steward_assignment,
)
from tests.factories.property import (
    activation_code,
    building,
    community,
    household,
    import_job,
    notice,
    photo_bytes,
    resident,
    service_request,
    staff,
    unit,
)

__all__ = [
    "PASSWORD",
    "activation_code",
    "bill",
    "board",
    "building",
    "campaign",
    "collector",
    "community",
    "company",
    "fee_item",
    "household",
    "import_job",
    "inspection",
    "inspection_photo",
    "leader_assignment",
    "notice",
    "pact_version",
    "parking_lease",
    "parking_space",
    "payment",
    "photo_bytes",
    "resident",
    "reversal",
    "service_request",
    "staff",
    "steward_assignment",
    "unit",
    "user",
]
