"""Forms of the members part: signing up, applying, deciding, shops, the charter, the
pledge, and the district office's new alliance."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.blueprints.alliance.members.services import normalise_credit_code
from app.blueprints.auth.forms import new_password_field, repeat_password_field
from app.fields import PhoneField
from app.inputs import record_id
from app.labels import label
from app.models import Alliance, Mechanism, ShopCategory, ShopOrigin, User
from app.rules import RuleError

NOT_LISTED = _l("Choose one of the options.")
MAX_AREA = Decimal("999999.99")  # Shop.floor_area_m2 is NUMERIC(8, 2)


def _text(label_text: Any, missing: Any, most: int, **kwargs: Any) -> StringField:
    return StringField(
        label_text,
        validators=[
            DataRequired(missing),
            Length(max=most, message=_l("Use at most %(max)d characters.", max=most)),
        ],
        **kwargs,
    )


def _optional_text(label_text: Any, most: int, field: type = StringField, **kwargs: Any) -> Any:
    return field(
        label_text,
        validators=[
            Optional(),
            Length(max=most, message=_l("Use at most %(max)d characters.", max=most)),
        ],
        **kwargs,
    )


class CreditCodeField(StringField):
    """The 18-character credit code: `.data` is the code as stored when it is right; what was
    typed is shown again either way."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw_text.strip():
            try:
                self.data = normalise_credit_code(self.raw_text)
            except RuleError as error:
                self.process_errors.append(str(error.message))

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return self.data or ""


class BusinessForm(FlaskForm):
    business_name = _text(
        _l("Business name"),
        _l("Enter the business name on the licence."),
        100,
        render_kw={"autocomplete": "organization"},
    )
    credit_code = CreditCodeField(
        _l("Unified social credit code"),
        validators=[InputRequired(_l("Enter the 18-character credit code from the licence."))],
        description=_l("18 digits and letters, as printed on the business licence."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    legal_representative = _text(
        _l("Legal representative"), _l("Enter the legal representative's name."), 40
    )
    contact_name = _text(
        _l("Contact person"),
        _l("Enter whom the alliance may contact."),
        40,
        render_kw={"autocomplete": "name"},
    )
    contact_phone = PhoneField(
        _l("Contact phone"),
        validators=[InputRequired(_l("Enter a phone number the alliance can call."))],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )


class SignUpForm(BusinessForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Choose a username.")),
            Length(min=3, max=64, message=_l("Use 3 to 64 characters.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
        description=_l("You will sign in with it."),
    )
    password = new_password_field(_l("Password"), _l("Choose a password."))
    confirm_password = repeat_password_field(
        "password",
        _l("Repeat the password"),
        _l("Repeat the password."),
        _l("The two passwords differ."),
    )


class ApplyForm(FlaskForm):
    alliance_id = SelectField(
        _l("Alliance"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose the alliance of your street."))],
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=NOT_LISTED,
    )
    message = _optional_text(
        _l("Message to the officers"),
        500,
        TextAreaField,
        description=_l("Optional: your shops on the street, what you plan."),
    )

    def __init__(self, alliances: Iterable[Alliance], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alliance_id.choices = [(a.id, f"{a.name} · {a.street}") for a in alliances]


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("decline", _l("Decline"))],
        validators=[InputRequired(_l("Approve or decline the application."))],
        invalid_choice_message=NOT_LISTED,
    )
    reason = _optional_text(
        _l("Reason"),
        500,
        TextAreaField,
        description=_l("Required to decline: the merchant reads it."),
    )


class FloorAreaField(StringField):
    """Square metres, at most two decimals, more than 0: `.data` a Decimal, or None."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        text = self.raw_text.strip().replace(",", "")
        if not text:
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value <= 0 or value > MAX_AREA:
            self.process_errors.append(str(_l("Enter the floor area in m², e.g. 48.5.")))
        elif value.as_tuple().exponent < -2:  # type: ignore[operator]
            self.process_errors.append(str(_l("Use at most two decimals.")))
        else:
            self.data = value.quantize(Decimal("0.01"))

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return "" if self.data is None else f"{self.data.normalize():f}"


class ShopForm(FlaskForm):
    alliance_id = SelectField(
        _l("Alliance"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose the alliance of the shop's street."))],
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=NOT_LISTED,
    )
    name = _text(_l("Shop name"), _l("Enter the shop's name."), 80)
    address = _text(_l("Address on the street"), _l("Enter the shop's address on the street."), 120)
    category = SelectField(
        _l("Category"),
        coerce=ShopCategory,
        validators=[InputRequired(_l("Choose a category."))],
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=NOT_LISTED,
    )
    origin = RadioField(
        _l("The shop is"),
        coerce=ShopOrigin,
        validators=[InputRequired(_l("Say whether the shop was upgraded or is new."))],
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=NOT_LISTED,
    )
    floor_area_m2 = FloorAreaField(
        _l("Floor area (m²)"),
        validators=[InputRequired(_l("Enter the floor area in m², e.g. 48.5."))],
        render_kw={"inputmode": "decimal"},
    )
    opening_hours = _optional_text(
        _l("Opening hours"), 80, description=_l("e.g. 09:00–21:00, closed on Mondays")
    )
    description = _optional_text(_l("Description"), 2000, TextAreaField)
    public_phone = PhoneField(
        _l("Public phone"),
        description=_l("Optional. Only this number is shown in the public directory."),
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )

    def __init__(self, alliances: Iterable[Alliance], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alliance_id.choices = [(a.id, a.name) for a in alliances]
        # Labels are read in the reader's language, so the choices are set per request.
        self.category.choices = [(c, label(c)) for c in ShopCategory]
        self.origin.choices = [
            (ShopOrigin.UPGRADED, _l("An existing shop whose front was upgraded")),
            (ShopOrigin.NEW, _l("A new shop on the renovated street")),
        ]

    def for_existing_shop(self) -> ShopForm:
        """An edited shop stays in its alliance."""
        del self.alliance_id
        return self

    def values(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class PledgeForm(FlaskForm):
    agree = BooleanField(
        _l("I pledge to keep the four mechanisms as worded above for a year."),
        validators=[DataRequired(_l("Tick the box to sign the pledge."))],
    )


class CharterForm(FlaskForm):
    honest_trading = TextAreaField()
    fair_competition = TextAreaField()
    differentiated_offers = TextAreaField()
    shared_traffic = TextAreaField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for mechanism in Mechanism:
            field = self[mechanism.value]
            field.label.text = label(mechanism)
            field.validators = [
                DataRequired(_l("Word each of the four mechanisms.")),
                Length(max=1000, message=_l("Use at most %(max)d characters.", max=1000)),
            ]

    def wordings(self) -> dict[Mechanism, str]:
        return {mechanism: self[mechanism.value].data for mechanism in Mechanism}


class AllianceForm(FlaskForm):
    name = _text(_l("Name"), _l("Enter the alliance's name."), 80)
    street = _text(_l("Shopping street"), _l("Enter the renovated street."), 80)
    city = _text(_l("City"), _l("Enter the city."), 40)
    district = _text(_l("District"), _l("Enter the district."), 40)
    description = _optional_text(_l("Description"), 2000, TextAreaField)
    officer_id = SelectField(
        _l("First officer"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose the officer who runs the alliance."))],
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=_l("Choose an officer who runs no alliance yet."),
        description=_l("Officer accounts that run no alliance yet."),
    )

    def __init__(self, officers: Iterable[User], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer_id.choices = [(u.id, f"{u.display_name} ({u.username})") for u in officers]
