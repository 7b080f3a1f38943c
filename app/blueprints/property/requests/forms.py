"""Forms for filing, handling and rating service requests, and the inbox filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.blueprints.property.requests.services import (
    DEPARTMENTS,
    SPOKEN_CHANNELS,
    RequestError,
    clean_departments,
)
from app.inputs import record_id
from app.labels import label
from app.models import RequestCategory, RequestLocation, RequestStatus
from app.uploads import ACCEPT, MAX_MEGABYTES

NOTE_LENGTH = 2000


def _choices(enum_class: Any) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum_class]


def _note(label: Any, required: Any, rows: int = 3) -> TextAreaField:
    """A text box that must be filled in, up to NOTE_LENGTH characters."""
    return TextAreaField(
        label,
        validators=[
            DataRequired(required),
            Length(max=NOTE_LENGTH, message=_l("Keep it under 2,000 characters.")),
        ],
        render_kw={"rows": rows},
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _RequestFields(FlaskForm):
    """What a request says, whoever files it."""

    category = RadioField(
        _l("What kind of request"), validators=[InputRequired(_l("Choose what kind it is."))]
    )
    location = RadioField(_l("Where"), validators=[InputRequired(_l("Choose where it is."))])
    location_note = StringField(
        _l("Where exactly"),
        validators=[Optional(), Length(max=200, message=_l("Keep it under 200 characters."))],
        description=_l("Required for a common area, e.g. the bicycle shed by building 3."),
    )
    description = _note(_l("What is the matter"), _l("Describe the problem."), rows=4)
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("A JPEG, PNG or WebP photo up to %(mb)s MB.", mb=MAX_MEGABYTES),
        render_kw={"accept": ACCEPT},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = _choices(RequestCategory)
        self.location.choices = _choices(RequestLocation)


class NewRequestForm(_RequestFields):
    """A resident's own request, filed from their phone."""

    household = SelectField(
        _l("Household"), coerce=record_id, validators=[InputRequired(_l("Choose your household."))]
    )


class RecordRequestForm(_RequestFields):
    """A request a clerk takes at the window or on the phone for a household."""

    channel = RadioField(
        _l("Taken"), validators=[InputRequired(_l("Say how the request came in."))]
    )
    community = SelectField(
        _l("Community"), coerce=record_id, validators=[InputRequired(_l("Choose the community."))]
    )
    room = StringField(
        _l("Household"),
        validators=[
            DataRequired(_l("Name the household, e.g. 1-2-301.")),
            Length(max=40, message=_l("Keep it under 40 characters.")),
        ],
        description=_l("Building-unit-room, e.g. 1-2-301."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = [(c.value, label(c)) for c in SPOKEN_CHANNELS]


class DispatchForm(FlaskForm):
    staff = SelectField(
        _l("Dispatch to"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose a staff member."))],
    )
    note = StringField(
        _l("Instructions (optional)"),
        validators=[Optional(), Length(max=500, message=_l("Keep it under 500 characters."))],
    )


class NoteForm(FlaskForm):
    note = _note(_l("Progress note"), _l("Write a note."))


class DepartmentsForm(FlaskForm):
    departments = MultiCheckboxField(_l("Departments involved"))
    others = StringField(
        _l("Other departments"),
        validators=[Optional(), Length(max=200, message=_l("Keep it under 200 characters."))],
        description=_l("Separated by commas."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments.choices = [(code, str(name)) for code, name in DEPARTMENTS.items()]
        self.names: list[str] = []

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.names = clean_departments(self.departments.data or [], self.others.data)
        except RequestError as error:
            self.others.errors = [error.message]
            return False
        return True


class ResolveForm(FlaskForm):
    note = _note(_l("What was done"), _l("Say what was done."))


class AcceptForm(FlaskForm):
    rating = RadioField(
        _l("How satisfied are you"),
        coerce=record_id,
        choices=[
            (5, _l("5 · very satisfied")),
            (4, _l("4 · satisfied")),
            (3, _l("3 · so-so")),
            (2, _l("2 · dissatisfied")),
            (1, _l("1 · very dissatisfied")),
        ],
        validators=[InputRequired(_l("Choose a rating from 1 to 5."))],
    )
    note = StringField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=500, message=_l("Keep it under 500 characters."))],
    )


class ReopenForm(FlaskForm):
    reason = _note(_l("What is still wrong"), _l("Say what is still wrong."))


class _QueryForm(FlaskForm):
    """Read from the query string: a GET changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False


class FilterForm(_QueryForm):
    """The inbox and task-list filters."""

    status = SelectField(_l("Status"), validators=[Optional()])
    category = SelectField(_l("Kind"), validators=[Optional()])
    community = SelectField(_l("Community"), validators=[Optional()])
    overdue = BooleanField(_l("Overdue only"))
    filed = SelectField(_l("Filed"), validators=[Optional()])
    q = StringField(
        _l("Search"),
        validators=[Optional(), Length(max=60, message=_l("Keep it under 60 characters."))],
        render_kw={"type": "search", "placeholder": _l("Description, room or owner")},
    )

    def __init__(self, *args: Any, communities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            ("", _l("Not closed")),
            *_choices(RequestStatus),
            ("all", _l("All")),
        ]
        self.category.choices = [("", _l("All kinds")), *_choices(RequestCategory)]
        self.filed.choices = [
            ("", _l("Any time")),
            ("today", _l("Today")),
            ("7d", _l("Last 7 days")),
            ("30d", _l("Last 30 days")),
        ]
        self.community.choices = [("", _l("All communities"))] + [
            (str(cid), name) for cid, name in communities
        ]


class MonthForm(_QueryForm):
    month = StringField(
        _l("Month"),
        validators=[Optional()],
        render_kw={"type": "month", "placeholder": "2026-11"},
    )
