"""Filters of the reports. They are GET forms (a report is a bookmarkable URL), so no CSRF
token; the choices of the selects are filled by the view from what the user may see."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from app.fields import MoneyField


def optional_id(value: object) -> int | None:
    """A select's value as an id, or None for its "all" option."""
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[call-overload]


class GetForm(FlaskForm):
    class Meta:
        csrf = False


class MonthsForm(GetForm):
    """Which months a report covers: one month, a range, or (both empty) the year to date.
    The range itself is checked by services.month_range, which names the field at fault."""

    first = StringField(
        _l("From month"),
        description=_l("YYYY-MM. Leave both empty for the year to date."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "placeholder": "2026-01"},
    )
    last = StringField(
        _l("To month"),
        description=_l("YYYY-MM. Empty for the first month alone."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "placeholder": "2026-11"},
    )


def _id_select(text: object) -> SelectField:
    # The ids are checked by the view against what the user may see (404 otherwise), so the
    # select does not check them against its choices.
    return SelectField(text, coerce=optional_id, validate_choice=False, validators=[Optional()])


class ArrearsForm(GetForm):
    company_id = _id_select(_l("Company"))
    community_id = _id_select(_l("Community"))
    building_id = _id_select(_l("Building"))
    unit_id = _id_select(_l("Unit"))
    min_months = IntegerField(
        _l("Owing at least (months)"),
        validators=[
            Optional(),
            NumberRange(1, 120, _l("Enter a number of months from 1 to 120.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": 120},
    )
    min_owed = MoneyField(
        _l("Owing at least (yuan)"),
        validators=[Optional()],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
