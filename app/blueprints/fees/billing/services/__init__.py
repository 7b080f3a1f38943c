"""Billing: fee items and rates, parking spaces and leases, monthly billing runs, late fees.

One module per concern; this package hands their names on, so that callers read
`services.run_billing(...)` whichever module the function lives in.
"""

from __future__ import annotations

from app.blueprints.fees.billing.services.bills import (
    DUE,
    PRINCIPAL_DUE,
)
from app.blueprints.fees.billing.services.items import (
    KIND_ORDER,
    create_fee_item,
    fee_item_rows,
    rate_history,
    set_item_active,
    set_rate,
)
from app.blueprints.fees.billing.services.late_fees import (
    LateFeeTerms,
    assess_late_fees,
    bill_detail,
    due_as_of,
    late_fee_as_of,
    late_fee_rule,
    save_late_fee_rule,
    waivable_fen,
    waive_late_fee,
)
from app.blueprints.fees.billing.services.parking import (
    MAX_SPACES_PER_RANGE,
    add_spaces,
    end_lease,
    household_matches,
    household_row,
    lease_history,
    let_space,
    normalise_plate,
    parking_rows,
    space_numbers,
)
from app.blueprints.fees.billing.services.runs import (
    BILL_KEY,
    BillingPreview,
    KindFigures,
    billing_run_rows,
    check_billable,
    community_rows,
    draw_credit,
    preview_billing,
    property_amount,
    run_billing,
)

__all__ = [
    "BILL_KEY",
    "DUE",
    "KIND_ORDER",
    "MAX_SPACES_PER_RANGE",
    "PRINCIPAL_DUE",
    "BillingPreview",
    "KindFigures",
    "LateFeeTerms",
    "add_spaces",
    "assess_late_fees",
    "bill_detail",
    "billing_run_rows",
    "check_billable",
    "community_rows",
    "create_fee_item",
    "draw_credit",
    "due_as_of",
    "end_lease",
    "fee_item_rows",
    "household_matches",
    "household_row",
    "late_fee_as_of",
    "late_fee_rule",
    "lease_history",
    "let_space",
    "normalise_plate",
    "parking_rows",
    "preview_billing",
    "property_amount",
    "rate_history",
    "run_billing",
    "save_late_fee_rule",
    "set_item_active",
    "set_rate",
    "space_numbers",
    "waivable_fen",
    "waive_late_fee",
]
