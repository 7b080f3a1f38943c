"""What every part of fees says about a bill: what it still owes, and reloading bills after a
bulk UPDATE.

Bill.paid_fen is what has been paid towards a bill: the sum of its payment allocations plus the
credit drawn onto it (CreditEntry rows with reason "applied" and the bill's id). Payments pay the
principal first, so the unpaid principal of a bill is amount_fen - paid_fen while that is
positive; late fees grow on that.
"""

from __future__ import annotations

from sqlalchemy import case

from app.extensions import db
from app.models import Bill

# What a bill still owes as stored: its amount and late fee, less waivers and what has been
# paid. (A page shows `due_as_of`, which adds the late fee grown since it was last assessed.)
DUE = Bill.amount_fen + Bill.late_fee_fen - Bill.late_fee_waived_fen - Bill.paid_fen
# Payments pay a bill's principal first: what is left of its amount.
PRINCIPAL_DUE = case((Bill.paid_fen < Bill.amount_fen, Bill.amount_fen - Bill.paid_fen), else_=0)


def expire_loaded(*models: type) -> None:
    """Bulk UPDATEs bypass the session: objects of these models already loaded are reloaded
    on next access, so a caller never reads a stale paid_fen or late fee."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, models):
            db.session.expire(obj)
