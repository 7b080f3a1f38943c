"""Who sees the fees area's records: company staff their company's, residents their own
households' bills, payments and credit."""

from __future__ import annotations

from sqlalchemy import select

from app.authz import (
    Audience,
    Rules,
    in_company_communities,
    in_own_communities,
    in_own_households,
    own_households,
    through,
)
from app.models import (
    Bill,
    BillingRun,
    BillMonthTotal,
    CreditEntry,
    FeeItem,
    FeeRate,
    Household,
    HouseholdCredit,
    LateFeeRule,
    LateFeeWaiver,
    ParkingLease,
    ParkingSpace,
    Payment,
    PaymentAllocation,
    ReceiptCounter,
)

RULES: Rules = {
    FeeItem: {
        Audience.STAFF: in_company_communities(FeeItem.community_id),
        Audience.RESIDENT: in_own_communities(FeeItem.community_id),
    },
    FeeRate: {
        Audience.STAFF: through(FeeRate.fee_item_id, FeeItem),
        Audience.RESIDENT: through(FeeRate.fee_item_id, FeeItem),
    },
    ParkingSpace: {
        Audience.STAFF: in_company_communities(ParkingSpace.community_id),
        Audience.RESIDENT: lambda u: ParkingSpace.id.in_(
            select(ParkingLease.space_id).where(ParkingLease.household_id.in_(own_households(u)))
        ),
    },
    ParkingLease: {
        Audience.STAFF: in_company_communities(ParkingLease.community_id),
        Audience.RESIDENT: in_own_households(ParkingLease.household_id),
    },
    LateFeeRule: {
        Audience.STAFF: in_company_communities(LateFeeRule.community_id),
        Audience.RESIDENT: in_own_communities(LateFeeRule.community_id),
    },
    BillingRun: {
        Audience.STAFF: in_company_communities(BillingRun.community_id),
    },
    Bill: {
        Audience.STAFF: in_company_communities(Bill.community_id),
        Audience.RESIDENT: in_own_households(Bill.household_id),
    },
    BillMonthTotal: {
        Audience.STAFF: in_company_communities(BillMonthTotal.community_id),
    },
    Payment: {
        Audience.STAFF: lambda u: Payment.company_id == u.company_id,
        Audience.RESIDENT: in_own_households(Payment.household_id),
    },
    PaymentAllocation: {
        Audience.STAFF: through(PaymentAllocation.payment_id, Payment),
        Audience.RESIDENT: through(PaymentAllocation.payment_id, Payment),
    },
    HouseholdCredit: {
        Audience.STAFF: through(HouseholdCredit.household_id, Household),
        Audience.RESIDENT: in_own_households(HouseholdCredit.household_id),
    },
    CreditEntry: {
        Audience.STAFF: through(CreditEntry.household_id, Household),
        Audience.RESIDENT: in_own_households(CreditEntry.household_id),
    },
    LateFeeWaiver: {
        Audience.STAFF: through(LateFeeWaiver.bill_id, Bill),
        Audience.RESIDENT: through(LateFeeWaiver.bill_id, Bill),
    },
    ReceiptCounter: {
        Audience.STAFF: lambda u: ReceiptCounter.company_id == u.company_id,
    },
}
