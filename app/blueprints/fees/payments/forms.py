"""Forms of the payments part. Amounts are typed in yuan (MoneyField, whose data is fen).

Each form carries a one-time token, made when the form is first shown and kept through
corrections, which the payment stores as its idempotency key: submitting the same form twice
records one payment.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.blueprints.fees.billing.forms import money_required
from app.blueprints.fees.payments.services import MAX_KEY_LENGTH
from app.fields import MoneyField
from app.inputs import record_id
from app.labels import label
from app.models import PaymentMethod

EXPIRED = _l("This form has expired. Open the household again and re-enter.")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def more_than_zero(_form: object, field: MoneyField) -> None:
    if field.data == 0:
        raise ValidationError(_l("Enter an amount greater than zero."))


class TokenForm(FlaskForm):
    token = HiddenField(
        validators=[DataRequired(EXPIRED), Length(max=MAX_KEY_LENGTH, message=EXPIRED)]
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # A new token when the form is first shown; a submitted form keeps the one it carries.
        if not self.token.data and not self.is_submitted():
            self.token.data = new_token()


class PaymentForm(TokenForm):
    amount = MoneyField(
        _l("Amount received, in yuan"),
        validators=[money_required, more_than_zero],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    method = RadioField(
        _l("Paid by"), choices=[], validators=[InputRequired(_l("Choose how the household paid."))]
    )
    bill_ids = SelectMultipleField(coerce=record_id, choices=[], validate_choice=False)
    note = StringField(
        _l("Note (optional)"),
        validators=[
            Optional(),
            Length(max=200, message=_l("Use at most %(max)d characters.", max=200)),
        ],
    )
    # The amount (in fen) the clerk confirmed may exceed what is owed; a changed amount asks
    # again.
    confirmed_fen = HiddenField()

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.method.choices = [(method.value, label(method)) for method in PaymentMethod]

    @property
    def excess_confirmed(self) -> bool:
        try:
            return record_id(self.confirmed_fen.data) == self.amount.data
        except ValueError:
            return False


class ReversalForm(TokenForm):
    reason = TextAreaField(
        _l("Reason for the reversal"),
        validators=[
            DataRequired(_l("Give the reason for the reversal.")),
            Length(max=200, message=_l("Use at most %(max)d characters.", max=200)),
        ],
        description=_l("e.g. wrong amount entered, or the transfer was returned by the bank."),
        render_kw={"rows": 3},
    )
