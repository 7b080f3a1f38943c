"""Forms of the inspections part: the checklist a steward or leader fills in on their phone, and
the filters of the lists and rankings (read from the query string)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.blueprints.pacts.inspections.services import (
    ITEM_HINTS,
    ITEM_LABELS,
    MAX_PHOTOS,
    REMARKS_LENGTH,
    Level,
)
from app.blueprints.pacts.standing import SpanKind
from app.fields import validate_period_text
from app.inputs import record_id
from app.models import INSPECTION_ITEMS, ITEM_MAX
from app.periods import current_period, parse_period
from app.uploads import ACCEPT, MAX_MEGABYTES

SCORE_MESSAGE = _l("Give a score from 0 to %(max)s.", max=ITEM_MAX)


class ScoreField(RadioField):
    """One checklist item, 0 to ITEM_MAX, as a row of big buttons; anything else is refused in
    the user's language."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(
            label,
            choices=[(n, str(n)) for n in range(ITEM_MAX + 1)],
            coerce=record_id,
            validators=[InputRequired(SCORE_MESSAGE)],
            **kwargs,
        )

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(SCORE_MESSAGE)) from None

    def pre_validate(self, form: FlaskForm) -> None:
        # None (nothing ticked, or not a number) is InputRequired's or the coercion's to say.
        if self.data is not None and self.data not in range(ITEM_MAX + 1):
            raise ValidationError(SCORE_MESSAGE)


class DayField(DateField):
    """A date whose "not a date" message is ours."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter the date as YYYY-MM-DD."))) from None


class InspectionForm(FlaskForm):
    inspected_on = DayField(
        _l("Date of the inspection"),
        validators=[InputRequired(_l("Enter the date of the inspection."))],
    )
    remarks = TextAreaField(
        _l("Remarks (optional)"),
        validators=[
            Optional(),
            Length(max=REMARKS_LENGTH, message=_l("Keep it under 2,000 characters.")),
        ],
        description=_l("What needs doing, e.g. a broken lamp on the 4th floor."),
        render_kw={"rows": 3},
    )
    photos = MultipleFileField(
        _l("Photos (optional)"),
        description=_l(
            "Up to %(n)s JPEG, PNG or WebP photos of up to %(mb)s MB each.",
            n=MAX_PHOTOS,
            mb=MAX_MEGABYTES,
        ),
        render_kw={"accept": ACCEPT},
    )

    def items(self) -> list[ScoreField]:
        """The checklist's fields, in the checklist's order."""
        return [self[item] for item in INSPECTION_ITEMS]

    def scores(self) -> dict[str, int | None]:
        return {item: self[item].data for item in INSPECTION_ITEMS}

    def uploads(self) -> list[Any]:
        """The photos chosen (a file input sends one empty part when none is)."""
        return [f for f in self.photos.data or [] if getattr(f, "filename", None)]

    def validate_photos(self, field: Field) -> None:
        if len(self.uploads()) > MAX_PHOTOS:
            raise ValidationError(_l("Add at most %(n)s photos.", n=MAX_PHOTOS))


# One field per checklist item, named as the item's column.
for _item in INSPECTION_ITEMS:
    setattr(InspectionForm, _item, ScoreField(ITEM_LABELS[_item], description=ITEM_HINTS[_item]))


class _QueryForm(FlaskForm):
    """Read from the query string: a GET changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False


class ChoiceField(SelectField):
    """A select whose "not one of the options" message speaks the user's language; the empty
    first option stands for "all"."""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data in (None, ""):
            return
        if not any(str(value) == str(self.data) for value, *_ in self.iter_choices()):
            raise ValidationError(_l("Choose one of the options."))


def _begun(_form: FlaskForm, field: Field) -> None:
    """A month to rank or list must have begun: the future has no inspections."""
    try:
        period = parse_period(field.data)
    except ValueError:
        return  # validate_period_text has said why
    if period > current_period():
        raise ValidationError(_l("Choose a month that has begun."))


def _month_field(label: Any, **kwargs: Any) -> StringField:
    return StringField(
        label,
        validators=[Optional(), validate_period_text, _begun],
        render_kw={"type": "month", "placeholder": "2026-11"},
        **kwargs,
    )


class SearchForm(_QueryForm):
    q = StringField(
        _l("Community"),
        validators=[Optional(), Length(max=60, message=_l("Keep it under 60 characters."))],
    )


class UnitPickerForm(_QueryForm):
    community = ChoiceField(_l("Community"), validators=[Optional()])


class InspectionFilterForm(_QueryForm):
    """A community's list of inspections, narrowed to a building, a unit, a month."""

    building = ChoiceField(_l("Building"), validators=[Optional()])
    unit = StringField(
        _l("Unit"),
        validators=[Optional(), Length(max=16, message=_l("Keep it under 16 characters."))],
        render_kw={"inputmode": "numeric", "placeholder": _l("e.g. 2")},
    )
    month = _month_field(_l("Month"))

    def __init__(self, *args: Any, buildings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.building.choices = [("", _l("All buildings"))] + [
            (str(bid), str(_l("Building %(number)s", number=number))) for bid, number in buildings
        ]


class RankingForm(_QueryForm):
    span = ChoiceField(_l("Ranked over"), validators=[Optional()])
    month = _month_field(
        _l("Month"), description=_l("For a quarter, any month of it. Empty: the last one ended.")
    )
    level = ChoiceField(_l("Rank"), validators=[Optional()])
    company = ChoiceField(_l("Company"), validators=[Optional()])
    community = ChoiceField(_l("Community"), validators=[Optional()])

    def __init__(
        self,
        *args: Any,
        communities: list[tuple[int, str]],
        companies: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.span.choices = [
            (SpanKind.MONTH.value, _l("Month")),
            (SpanKind.QUARTER.value, _l("Quarter")),
        ]
        self.level.choices = [
            (Level.UNITS.value, _l("Units")),
            (Level.BUILDINGS.value, _l("Buildings")),
        ]
        self.company.choices = [("", _l("Whole city"))] + [
            (str(cid), name) for cid, name in companies or []
        ]
        self.community.choices = [("", _l("All communities"))] + [
            (str(cid), name) for cid, name in communities
        ]
