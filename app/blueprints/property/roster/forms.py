"""Forms of the roster. Parsing rules shared with the services (areas, ranges) live in the
services, so that a form and a test of the service refuse the same input; phones follow the
project's one rule through `PhoneField`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.validators import ValidationError as WTFormsValidationError

from app.blueprints.property.roster import services
from app.fields import PhoneField
from app.inputs import record_id
from app.labels import label
from app.models import ManagementMode, StaffPosition
from app.rules import RuleError, show_on_form


def _checked_by(parser: Any) -> Any:
    """A WTForms validator running one of the services' parsers on the field's text."""

    def validate(_form: FlaskForm, field: Field) -> None:
        try:
            parser(field.data)
        except RuleError as error:
            raise WTFormsValidationError(str(error.message)) from None

    return validate


class ChoiceField(SelectField):
    """A select whose "not one of the options" message speaks the user's language."""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data is None or not any(value == self.data for value, *_ in self.iter_choices()):
            raise WTFormsValidationError(str(_l("Choose one of the options.")))


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is ours, in the user's language."""

    def __init__(self, *args: Any, invalid: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(self.invalid)) from None


class ReturnForm(FlaskForm):
    # Where a dialog's form sends the manager back to: the list as they left it.
    next = HiddenField()


class HouseholdEditForm(FlaskForm):
    """The fields a manager changes in a row of the household list."""

    owner_name = StringField(
        _l("Owner"),
        validators=[Optional(), Length(max=60, message=_l("At most 60 characters."))],
    )
    phone = PhoneField(_l("Phone"), render_kw={"inputmode": "tel", "autocomplete": "off"})
    area_m2 = StringField(
        _l("Floor area (m²)"),
        validators=[
            DataRequired(_l("Enter the floor area, e.g. 89.5.")),
            _checked_by(services.parse_area),
        ],
        render_kw={"inputmode": "decimal"},
    )

    def values(self) -> dict[str, Any]:
        return {
            "owner_name": (self.owner_name.data or "").strip(),
            "phone": self.phone.data,
            "area_m2": services.parse_area(self.area_m2.data),
        }


class HouseholdForm(HouseholdEditForm, ReturnForm):
    unit_id = ChoiceField(_l("Building and unit"), coerce=record_id)
    room = StringField(
        _l("Room"),
        validators=[
            DataRequired(_l("Enter the room number, e.g. 302.")),
            Regexp(r"^\s*[0-9A-Za-z-]{1,16}\s*$", message=_l("Letters and digits only, e.g. 302.")),
        ],
    )
    floor = WholeNumberField(
        _l("Floor"),
        invalid=_l("Enter the floor as a whole number."),
        validators=[
            InputRequired(_l("Enter the floor as a whole number.")),
            NumberRange(-5, 200, message=_l("The floor must be between -5 and 200.")),
        ],
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, units: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [
            (unit_id, _l("%(community)s, building %(b)s unit %(u)s", community=c, b=b, u=u))
            for unit_id, c, b, u in units
        ]


class CommunityForm(ReturnForm):
    company_id = ChoiceField(_l("Property company"), coerce=record_id)
    name = StringField(
        _l("Community name"),
        validators=[
            DataRequired(_l("Enter the community's name.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
    )
    city = StringField(
        _l("City"),
        validators=[DataRequired(_l("Enter the city.")), Length(max=40)],
    )
    district = StringField(
        _l("District"),
        validators=[DataRequired(_l("Enter the district.")), Length(max=40)],
    )
    street = StringField(
        _l("Street or town"),
        validators=[DataRequired(_l("Enter the street or town (镇街).")), Length(max=60)],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=160)])
    built_year = WholeNumberField(
        _l("Year built"),
        invalid=_l("A year between 1900 and 2100."),
        validators=[
            Optional(),
            NumberRange(1900, 2100, message=_l("A year between 1900 and 2100.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    management_mode = ChoiceField(_l("Management"))

    def __init__(self, companies: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company_id.choices = companies
        self.management_mode.choices = [(m.value, label(m)) for m in ManagementMode]

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data.strip(),
            "city": self.city.data.strip(),
            "district": self.district.data.strip(),
            "street": self.street.data.strip(),
            "address": (self.address.data or "").strip() or None,
            "built_year": self.built_year.data,
            "management_mode": ManagementMode(self.management_mode.data),
        }


class BuildingForm(ReturnForm):
    number = StringField(
        _l("Building number"),
        validators=[
            DataRequired(_l("Enter the building number, e.g. 3.")),
            _checked_by(services.building_number),
        ],
        description=_l("As on the building, e.g. 3 for 3栋."),
    )
    floors = WholeNumberField(
        _l("Floors"),
        invalid=_l("Enter the number of floors as a whole number."),
        validators=[
            InputRequired(_l("Enter the number of floors as a whole number.")),
            NumberRange(1, services.MAX_FLOORS, message=_l("A building has from 1 to 200 floors.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    sort_key = WholeNumberField(
        _l("Order in lists"),
        invalid=_l("Enter a whole number, e.g. 3."),
        validators=[
            InputRequired(_l("Enter a whole number, e.g. 3.")),
            NumberRange(
                0,
                services.MAX_SORT_KEY,
                message=_l("A whole number from 0 to %(most)s.", most=services.MAX_SORT_KEY),
            ),
        ],
        description=_l("Lists show buildings by this number, smallest first."),
        render_kw={"inputmode": "numeric"},
    )

    def values(self) -> dict[str, Any]:
        return {
            "number": services.building_number(self.number.data),
            "floors": self.floors.data,
            "sort_key": self.sort_key.data,
        }


class UnitForm(ReturnForm):
    number = StringField(
        _l("Unit number"),
        validators=[
            DataRequired(_l("Enter the unit number, e.g. 2.")),
            _checked_by(services.unit_number),
        ],
        description=_l("The entrance's number, e.g. 2 for 2单元."),
    )

    def values(self) -> dict[str, Any]:
        return {"number": services.unit_number(self.number.data)}


class StaffForm(ReturnForm):
    company_id = ChoiceField(_l("Property company"), coerce=record_id)
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the name.")), Length(max=60)],
    )
    phone = PhoneField(_l("Phone"), render_kw={"inputmode": "tel"})
    position = ChoiceField(_l("Position"))
    is_party_member = BooleanField(_l("Party member (党员)"))

    def __init__(self, companies: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company_id.choices = companies
        self.position.choices = [(p.value, label(p)) for p in StaffPosition]

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data.strip(),
            "phone": self.phone.data,
            "position": StaffPosition(self.position.data),
            "is_party_member": bool(self.is_party_member.data),
        }


class AccountForm(ReturnForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Regexp(
                r"^[a-z0-9][a-z0-9._-]{2,63}$",
                message=_l("3 to 64 lower-case letters, digits, dots, dashes or underscores."),
            ),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    role = ChoiceField(_l("Role"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, label(r)) for r in services.ACCOUNT_ROLES]


class StaffStatusForm(ReturnForm):
    active = HiddenField()


class UnlinkForm(ReturnForm):
    user_id = HiddenField(validators=[DataRequired()])


def _numbers_field(label: object, description: object) -> StringField:
    """A field of the generator taking numbers as a range or a list ("1-6", "1, 2, 5")."""
    return StringField(
        label,
        validators=[DataRequired(_l('Write a range like "1-6" or a list like "1, 2, 5".'))],
        description=description,
    )


class GeneratorForm(FlaskForm):
    building = StringField(
        _l("Building"),
        validators=[DataRequired(_l("Enter the building number, e.g. 3."))],
        description=_l("The building's number, e.g. 3."),
    )
    units = _numbers_field(_l("Units"), _l('Entrances (单元), e.g. "1-3".'))
    floors = _numbers_field(_l("Floor range"), _l('e.g. "1-6".'))
    rooms = _numbers_field(
        _l("Rooms on each floor"), _l('e.g. "01-02": floor 6 then has rooms 601 and 602.')
    )
    areas = StringField(
        _l("Floor area (m²)"),
        validators=[DataRequired(_l("Enter the floor area, e.g. 89.5."))],
        description=_l('One area for every room, or one per room on a floor: "72.4, 89.5".'),
    )

    def spec(self) -> services.BuildingSpec | None:
        """The parsed spec, or None with the offending field's error added."""
        try:
            return services.parse_spec(
                self.building.data,
                self.units.data,
                self.floors.data,
                self.rooms.data,
                self.areas.data,
            )
        except RuleError as error:
            show_on_form(self, error)
            return None
