"""Forms that post a steward or a leader on units' boards, and take one off."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app.blueprints.pacts.stewards import services
from app.blueprints.property.roster.services import RELATIONS
from app.fields import PhoneField
from app.inputs import record_id
from app.models import Staff, StaffPosition
from app.periods import shanghai_today

NOT_A_DAY = _l("Enter a date, e.g. 2026-11-18.")
NOT_LISTED = _l("Choose one of the options.")


def optional_id(value: Any) -> int | None:
    """An id, or None for the empty choice ("none")."""
    return None if value in (None, "") else record_id(value)


def _day(label: Any, missing: Any) -> DateField:
    return DateField(
        label,
        validators=[InputRequired(missing)],
        invalid_value_message=NOT_A_DAY,
        default=shanghai_today,
    )


def _phone(description: Any) -> PhoneField:
    return PhoneField(
        _l("Phone on the board"),
        description=description,
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )


class PostForm(FlaskForm):
    """What every posting asks: from when, and for a building or community whether to fill only
    the gaps (a unit's own form drops that choice)."""

    starts_on = _day(_l("On the board from"), _l("Enter the day they start."))
    only_missing = BooleanField(
        _l("Only the units that have none"),
        description=_l("Leave the units that already have one as they are."),
    )

    def for_one_unit(self) -> PostForm:
        del self.only_missing
        return self

    @property
    def fill_gaps(self) -> bool:
        return "only_missing" in self and bool(self.only_missing.data)


class StewardForm(PostForm):
    staff_id = SelectField(
        _l("Property steward"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose a staff member."))],
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=NOT_LISTED,
    )
    phone = _phone(_l("Leave empty to post their own phone number."))

    def __init__(self, staff: Iterable[Staff], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stewards, others = [], []
        for member in staff:
            shown = f"{member.name} · {member.phone}" if member.phone else member.name
            (stewards if member.position == StaffPosition.STEWARD else others).append(
                (member.id, shown)
            )
        groups = {str(_l("Property stewards")): stewards, str(_l("Other staff")): others}
        self.staff_id.choices = {group: items for group, items in groups.items() if items}


class LeaderForm(PostForm):
    household_id = SelectField(
        _l("Household"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose the leader's household."))],
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=_l("Choose a household of this building."),
        description=_l("The building leader lives in the building."),
    )
    name = StringField(
        _l("Name on the board"),
        validators=[Optional(), Length(max=60, message=_l("Use at most 60 characters."))],
        description=_l("Leave empty to post the owner's name."),
    )
    phone = _phone(_l("Leave empty to post the household's phone number."))
    user_id = SelectField(
        _l("Resident account"),
        coerce=optional_id,
        invalid_value_message=NOT_LISTED,
        invalid_choice_message=_l("Choose an account of the chosen household."),
        description=_l("Linked, the leader can record inspections and canvass."),
    )

    def __init__(self, households: Iterable[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[int, str]]] = {}
        for home in households:
            unit = str(_l("Unit %(u)s", u=home.unit_number))
            groups.setdefault(unit, []).append((home.id, f"{home.room} · {home.owner_name}"))
        self.household_id.choices = groups
        self._set_accounts(self.household_id.data)

    def choose(self, home: Any) -> None:
        """Show `home` (a row of services.household_choices) chosen, with its owner's name and
        phone to post and its accounts to link."""
        self.household_id.data = home.id
        self.name.data, self.phone.data = home.owner_name, home.phone
        self._set_accounts(home.id)

    def _set_accounts(self, household_id: int | None) -> None:
        """The accounts of the chosen household to link, after "none"."""
        self.user_id.choices = [("", str(_l("No account")))] + [
            (row.id, f"{row.display_name} ({RELATIONS.get(row.relation, row.relation)})")
            for row in services.account_choices(household_id)
        ]


class EndForm(FlaskForm):
    ends_on = _day(_l("Leaves the board on"), _l("Enter the day they leave the board."))
