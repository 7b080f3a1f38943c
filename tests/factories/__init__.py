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
    "building",
    "collector",
    "community",
    "company",
    "fee_item",
    "household",
    "import_job",
    "notice",
    "parking_lease",
    "parking_space",
    "payment",
    "photo_bytes",
    "resident",
    "reversal",
    "service_request",
    "staff",
    "unit",
    "user",
]
