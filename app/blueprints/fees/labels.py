"""Labels of the fees area's stored codes, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import CreditReason, FeeKind, PaymentKind, PaymentMethod

LABELS = [
    (FeeKind.PROPERTY, _l("Property fee")),
    (FeeKind.PARKING, _l("Parking fee")),
    (FeeKind.FIXED, _l("Fixed monthly charge")),
    (PaymentMethod.CASH, _l("Cash")),
    (PaymentMethod.WECHAT, _l("WeChat Pay")),
    (PaymentMethod.ALIPAY, _l("Alipay")),
    (PaymentMethod.BANK, _l("Bank transfer")),
    (PaymentKind.PAYMENT, _l("Payment")),
    (PaymentKind.REVERSAL, _l("Reversal")),
    (CreditReason.OVERPAYMENT, _l("Overpayment kept as credit")),
    (CreditReason.PREPAYMENT, _l("Paid in advance")),
    (CreditReason.APPLIED, _l("Used for a bill")),
    (CreditReason.REVERSED, _l("Taken back by a reversal")),
]
