"""Reports: collection rates (收缴率) against the targets, arrears (欠费) with their Excel export
and reminder slips, and a resident's own fees.

Every figure is an aggregate computed by the database over bills the user may see; the amounts
owed include late fees as of today, read, never written (see billing's `late_fee_as_of`). One
module per concern; this package hands their names on.
"""

from __future__ import annotations

from app.blueprints.fees.reports.services.arrears import (
    ARREARS_SORTS,
    DEFAULT_ARREARS_SORT,
    ArrearsFilter,
    ArrearsTotals,
    Reminder,
    arrears_rows,
    arrears_totals,
    filter_choices,
    reminder,
    resolve_filter,
)
from app.blueprints.fees.reports.services.collection import (
    BY_NAME,
    CHARTED_KINDS,
    MAX_MONTHS,
    RATE_SORTS,
    TARGETS,
    CollectionReport,
    MonthRange,
    Rate,
    RateRow,
    collection_by_community,
    collection_by_company,
    month_range,
    presets,
    year_to_date,
)
from app.blueprints.fees.reports.services.export import (
    EXPORT_BATCH,
    XLSX_MIMETYPE,
    YUAN_FORMAT,
    export_headings,
    write_arrears_xlsx,
)
from app.blueprints.fees.reports.services.resident import (
    BILL_STATUS_LABELS,
    FeeStanding,
    Month,
    MonthBill,
    bill_months,
    fee_standing,
    months_with_bills,
    own_households,
)

__all__ = [
    "ARREARS_SORTS",
    "BILL_STATUS_LABELS",
    "BY_NAME",
    "CHARTED_KINDS",
    "DEFAULT_ARREARS_SORT",
    "EXPORT_BATCH",
    "MAX_MONTHS",
    "RATE_SORTS",
    "TARGETS",
    "XLSX_MIMETYPE",
    "YUAN_FORMAT",
    "ArrearsFilter",
    "ArrearsTotals",
    "CollectionReport",
    "FeeStanding",
    "Month",
    "MonthBill",
    "MonthRange",
    "Rate",
    "RateRow",
    "Reminder",
    "arrears_rows",
    "arrears_totals",
    "bill_months",
    "collection_by_community",
    "collection_by_company",
    "export_headings",
    "fee_standing",
    "filter_choices",
    "month_range",
    "months_with_bills",
    "own_households",
    "presets",
    "reminder",
    "resolve_filter",
    "write_arrears_xlsx",
    "year_to_date",
]
