"""Who sees the fees area's records: company staff their company's, residents their own
households' bills, payments and credit."""

from __future__ import annotations

from sqlalchemy import select

from app.authz import (
    Audience,
    Rules,
    company_communities,
    in_company_communities,
    in_own_households,
    own_communities,
    own_households,
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
        Audience.RESIDENT: lambda u: FeeItem.community_id.in_(own_communities(u)),
    },
    FeeRate: {
        Audience.STAFF: lambda u: FeeRate.fee_item_id.in_(
            select(FeeItem.id).where(FeeItem.community_id.in_(company_communities(u)))
        ),
        Audience.RESIDENT: lambda u: FeeRate.fee_item_id.in_(
            select(FeeItem.id).where(FeeItem.community_id.in_(own_communities(u)))
        ),
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
        Audience.RESIDENT: lambda u: LateFeeRule.community_id.in_(own_communities(u)),
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
        Audience.STAFF: lambda u: PaymentAllocation.payment_id.in_(
            select(Payment.id).where(Payment.company_id == u.company_id)
        ),
        Audience.RESIDENT: lambda u: PaymentAllocation.payment_id.in_(
            select(Payment.id).where(Payment.household_id.in_(own_households(u)))
        ),
    },
    HouseholdCredit: {
        Audience.STAFF: lambda u: HouseholdCredit.household_id.in_(
            select(Household.id).where(Household.community_id.in_(company_communities(u)))
        ),
        Audience.RESIDENT: in_own_households(HouseholdCredit.household_id),
    },
    CreditEntry: {
        Audience.STAFF: lambda u: CreditEntry.household_id.in_(
            select(Household.id).where(Household.community_id.in_(company_communities(u)))
        ),
        Audience.RESIDENT: in_own_households(CreditEntry.household_id),
    },
    LateFeeWaiver: {
        Audience.STAFF: lambda u: LateFeeWaiver.bill_id.in_(
            select(Bill.id).where(Bill.community_id.in_(company_communities(u)))
        ),
        Audience.RESIDENT: lambda u: LateFeeWaiver.bill_id.in_(
            select(Bill.id).where(Bill.household_id.in_(own_households(u)))
        ),
    },
    ReceiptCounter: {
        Audience.STAFF: lambda u: ReceiptCounter.company_id == u.company_id,
    },
}
