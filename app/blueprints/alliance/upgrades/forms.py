"""Forms of the upgrades part: registering and editing an upgrade (investment typed in yuan, a
MoneyField whose data is fen), the review's decision, photos, completion, and the lists'
filters (read from the query string)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.blueprints.alliance.upgrades.services import (
    NOTE_LENGTH,
    PHOTO_MAX_MEGABYTES,
    PHOTOS_PER_UPLOAD,
    REASON_LENGTH,
    WORK_LENGTH,
    UpgradeDraft,
)
from app.fields import MoneyField
from app.inputs import record_id
from app.listing import SEARCH_LENGTH
from app.models import UpgradeStatus
from app.uploads import ACCEPT


class DayField(DateField):
    """A date whose "not a date" message is ours."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter the date as YYYY-MM-DD."))) from None


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(max)d characters.", max=limit))


class PhotosField(MultipleFileField):
    def uploads(self) -> list[Any]:
        """The photos chosen (a file input sends one empty part when none is)."""
        return [f for f in self.data or [] if getattr(f, "filename", None)]

    def pre_validate(self, form: FlaskForm) -> None:
        if len(self.uploads()) > PHOTOS_PER_UPLOAD:
            raise ValidationError(_l("Add at most %(n)s photos at a time.", n=PHOTOS_PER_UPLOAD))


def _photos(label: Any) -> PhotosField:
    return PhotosField(
        label,
        description=_l(
            "Up to %(n)s JPEG, PNG or WebP photos of up to %(mb)s MB each.",
            n=PHOTOS_PER_UPLOAD,
            mb=PHOTO_MAX_MEGABYTES,
        ),
        render_kw={"accept": ACCEPT},
    )


class UpgradeForm(FlaskForm):
    """The upgrade's text and figures; the registration's form also takes before photos."""

    work = TextAreaField(
        _l("Work being done"),
        validators=[InputRequired(_l("Describe the work being done.")), _too_long(WORK_LENGTH)],
        description=_l("E.g. a new sign board, the facade repainted, the old shutters replaced."),
        render_kw={"rows": 4},
    )
    investment = MoneyField(
        _l("Investment (yuan)"),
        validators=[InputRequired(_l("Enter the investment in yuan."))],
        description=_l("In yuan, with at most two decimals, e.g. 150000 or 86500.50."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    starts_on = DayField(
        _l("Work starts"), validators=[InputRequired(_l("Enter the day the work starts."))]
    )
    finishes_on = DayField(
        _l("Work finishes"), validators=[InputRequired(_l("Enter the day the work finishes."))]
    )
    note = TextAreaField(
        _l("What changed"),
        validators=[Optional(), _too_long(NOTE_LENGTH)],
        description=_l("Say what you changed, for the officer who reviews it again."),
        render_kw={"rows": 2},
    )
    photos = _photos(_l("Photos before the upgrade (optional)"))

    def validate_investment(self, field: Field) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("The investment must be more than zero."))

    def validate_finishes_on(self, field: Field) -> None:
        starts = self.starts_on.data
        if field.data is not None and starts is not None and field.data < starts:
            raise ValidationError(_l("The work cannot finish before it starts."))

    def draft(self) -> UpgradeDraft:
        return UpgradeDraft(
            work=self.work.data or "",
            investment_fen=self.investment.data,
            starts_on=self.starts_on.data,
            finishes_on=self.finishes_on.data,
        )


class RevisionForm(FlaskForm):
    """A step on one revision (submit, approve): the revision the user read."""

    revision_id = HiddenField()

    def revision(self) -> int | None:
        try:
            return record_id(self.revision_id.data)
        except ValueError:
            return None


class ReturnForm(RevisionForm):
    reason = TextAreaField(
        _l("What should the merchant fix?"),
        validators=[
            InputRequired(_l("Say what the merchant should fix.")),
            _too_long(REASON_LENGTH),
        ],
        render_kw={"rows": 3},
    )


class PhotoForm(FlaskForm):
    photos = _photos(_l("Photos"))

    def validate_photos(self, field: Field) -> None:
        if not self.photos.uploads():
            raise ValidationError(_l("Choose at least one photo."))


class CompleteForm(FlaskForm):
    completed_on = DayField(
        _l("Completed on"),
        validators=[InputRequired(_l("Enter the day the work was completed."))],
    )


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


class ListForm(_QueryForm):
    q = StringField(
        _l("Shop or merchant"),
        validators=[Optional(), _too_long(SEARCH_LENGTH)],
    )
    status = ChoiceField(_l("Status"), validators=[Optional()])

    def __init__(self, *args: Any, labels: dict[UpgradeStatus, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _l("Every status"))] + [
            (status.value, labels[status]) for status in UpgradeStatus
        ]

    def chosen_status(self) -> UpgradeStatus | None:
        value = None if self.status.errors else self.status.data
        return UpgradeStatus(value) if value else None

    def query(self) -> str:
        return "" if self.q.errors else (self.q.data or "").strip()


class CompareForm(_QueryForm):
    """Two revisions of an upgrade to compare, by number."""

    older = ChoiceField(_l("Older revision"), validators=[Optional()])
    newer = ChoiceField(_l("Newer revision"), validators=[Optional()])

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(n), str(n)) for n in numbers]
        self.older.choices = choices
        self.newer.choices = choices

    def pair(self) -> tuple[int, int] | None:
        if self.errors or not self.older.data or not self.newer.data:
            return None
        older, newer = int(self.older.data), int(self.newer.data)
        return (older, newer) if older != newer else None
