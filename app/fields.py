"""Form fields and validators every area's forms share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

from app.money import MoneyError, fen_to_yuan, parse_yuan
from app.periods import FIRST_PERIOD, LAST_PERIOD, PeriodOutOfRange, format_period, parse_period
from app.phones import normalise_phone
from app.rules import RuleError


class MoneyField(StringField):
    """A text input for yuan whose `.data` is integer fen (None when empty or invalid), keeping
    exactly what the user typed for redisplay."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw_text.strip():
            try:
                self.data = parse_yuan(self.raw_text)
            except MoneyError as error:
                self.process_errors.append(str(error))

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return str(fen_to_yuan(self.data)) if self.data is not None else ""


class PhoneField(StringField):
    """An optional phone number whose `.data` is the number as stored (`app.phones`), None when
    empty or refused, keeping exactly what the user typed for redisplay."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return  # left out of the submission, as StringField does: the stored number stands
        self.raw_text = valuelist[0]
        self.data = None
        if self.raw_text.strip():
            try:
                self.data = normalise_phone(self.raw_text)
            except RuleError as error:
                self.process_errors.append(str(error.message))

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return self.data or ""


def validate_period_text(_form: object, field: StringField) -> None:
    """WTForms validator for a yyyy-mm month field."""
    try:
        parse_period(field.data)
    except PeriodOutOfRange as error:
        raise ValidationError(
            _l(
                "Choose a month between %(first)s and %(last)s.",
                first=format_period(FIRST_PERIOD),
                last=format_period(LAST_PERIOD),
            )
        ) from error
    except ValueError as error:
        raise ValidationError(_l("Enter a month as YYYY-MM, e.g. 2026-11.")) from error
