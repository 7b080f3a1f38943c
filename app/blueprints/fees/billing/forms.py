"""Forms of the billing part. Money is typed in yuan (MoneyField, whose data is fen)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from app.fields import MoneyField, validate_period_text
from app.inputs import record_id
from app.labels import label
from app.models import FeeKind, LateFeeMode
from app.money import format_fen
from app.periods import parse_period

# ¥10,000 per m², space or household a month: far above any real fee, low enough to catch a
# typo, and small enough that area × rate always fits a bill's amount.
MAX_RATE_FEN = 10_000_00
MONTH_HINT = _l("YYYY-MM, e.g. 2026-11.")


def money_required(_form: object, field: MoneyField) -> None:
    """An amount must be there; MoneyField already explains text it cannot read."""
    if field.errors:
        raise StopValidation()
    if field.data is None:
        raise StopValidation(_l("Enter an amount."))


def rate_within_limit(_form: object, field: MoneyField) -> None:
    if field.data is not None and field.data > MAX_RATE_FEN:
        raise ValidationError(_l("Enter a rate of at most %(max)s.", max=format_fen(MAX_RATE_FEN)))


def month_field(text: object, required: bool = True, description: object = MONTH_HINT) -> Field:
    validators = (
        [InputRequired(_l("Enter a month as YYYY-MM, e.g. 2026-11.")), validate_period_text]
        if required
        else [Optional(), validate_period_text]
    )
    return StringField(text, validators=validators, description=description)


def period_of(field: StringField) -> int | None:
    return parse_period(field.data) if field.data else None


class BillingForm(FlaskForm):
    """Which month to bill, for which community; 0 stands for every community (admins)."""

    period = month_field(
        _l("Month"),
        description=_l(
            "YYYY-MM. Past months may be billed late; the future only up to next month."
        ),
    )
    community_id = SelectField(
        _l("Community"), coerce=record_id, validators=[InputRequired(_l("Choose a community."))]
    )


class RateForm(FlaskForm):
    rate = MoneyField(
        _l("Rate in yuan"),
        validators=[money_required, rate_within_limit],
        render_kw={"inputmode": "decimal"},
    )
    effective_from = month_field(_l("From month"))


class FeeItemForm(RateForm):
    kind = SelectField(_l("Kind"), choices=[], validators=[InputRequired()])
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter a name, e.g. 物业费.")),
            Length(max=40, message=_l("Use at most %(max)d characters.", max=40)),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, label(kind)) for kind in FeeKind]


class LateFeeRuleForm(FlaskForm):
    enabled = BooleanField(_l("Charge late fees in this community"))
    mode = RadioField(_l("How the late fee is worked out"), choices=[], default="daily_rate")
    daily_rate_per_10k = IntegerField(
        _l("Daily rate, in 1/10,000 of the unpaid amount"),
        default=5,
        validators=[
            InputRequired(_l("Enter a whole number from 0 to 100.")),
            NumberRange(0, 100, _l("Enter a whole number from 0 to 100.")),
        ],
        description=_l("万分之: 5 means 0.05 percent of the unpaid amount a day."),
    )
    fixed = MoneyField(
        _l("Fixed amount in yuan"),
        description=_l("Charged once the grace period has passed."),
    )
    grace_days = IntegerField(
        _l("Grace period in days"),
        default=30,
        validators=[
            InputRequired(_l("Enter a whole number from 0 to 365.")),
            NumberRange(0, 365, _l("Enter a whole number from 0 to 365.")),
        ],
        description=_l("Counted from the last day of the bill's month."),
    )
    cap_percent = IntegerField(
        _l("Cap, as a percentage of the bill"),
        default=20,
        validators=[
            InputRequired(_l("Enter a whole number from 0 to 100.")),
            NumberRange(0, 100, _l("Enter a whole number from 0 to 100.")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Worded as a choice of how to compute; the modes are shown nowhere else.
        self.mode.choices = [
            (LateFeeMode.DAILY_RATE.value, _l("A daily rate on the unpaid amount")),
            (LateFeeMode.FIXED.value, _l("A fixed amount")),
        ]

    def validate_fixed(self, field: MoneyField) -> None:
        if self.mode.data == LateFeeMode.FIXED.value and not field.errors and not field.data:
            raise ValidationError(_l("Enter the fixed amount."))


class SpacesForm(FlaskForm):
    first = StringField(
        _l("Space number"),
        validators=[
            DataRequired(_l("Enter a space number.")),
            Length(max=16, message=_l("Use at most %(max)d characters.", max=16)),
        ],
        description=_l("e.g. A001"),
    )
    last = StringField(
        _l("Up to number (optional)"),
        validators=[Length(max=16, message=_l("Use at most %(max)d characters.", max=16))],
        description=_l("To add a range, e.g. A120 after A001."),
    )


class LeaseForm(FlaskForm):
    household_id = IntegerField(
        _l("Household"),
        validators=[InputRequired(_l("Search for the room and choose the household."))],
    )
    plate = StringField(
        _l("Plate number"),
        validators=[
            DataRequired(_l("Enter a plate number such as 渝A12345 or 鄂ED12345.")),
            Length(max=16, message=_l("Use at most %(max)d characters.", max=16)),
        ],
    )
    start_period = month_field(_l("First month"))
    end_period = month_field(
        _l("Last month (optional)"),
        required=False,
        description=_l("Leave empty for a lease until further notice."),
    )


class EndLeaseForm(FlaskForm):
    end_period = month_field(_l("Last month billed"))


class WaiverForm(FlaskForm):
    amount = MoneyField(_l("Amount to waive, in yuan"), validators=[money_required])
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give the reason for the waiver.")),
            Length(max=200, message=_l("Use at most %(max)d characters.", max=200)),
        ],
    )
