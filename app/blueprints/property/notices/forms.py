"""The notice form. Times are entered in the user's time zone (Asia/Shanghai) and stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.blueprints.property.notices.services import NoticeDraft
from app.inputs import record_id
from app.models import Notice
from app.periods import utcnow

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_now() -> datetime:
    """Now on the user's wall clock, to the minute, as a datetime-local field shows it."""
    return to_user_timezone(utcnow()).replace(tzinfo=None, second=0, microsecond=0)


def from_local(value: datetime | None) -> datetime | None:
    return to_utc(value).replace(tzinfo=UTC) if value is not None else None


def to_local(value: datetime | None) -> datetime | None:
    return to_user_timezone(value).replace(tzinfo=None) if value is not None else None


class BuildingsField(SelectMultipleField):
    """Building checkboxes; WTForms' own message for a foreign choice is not translated."""

    def pre_validate(self, form: FlaskForm) -> None:
        offered = {choice[0] for choice in self.choices or []}
        if any(value not in offered for value in self.data or []):
            raise ValidationError(_l("Choose buildings of the chosen community."))


class NoticeForm(FlaskForm):
    community_id = SelectField(
        _l("Community"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose a community."))],
    )
    building_ids = BuildingsField(
        _l("Buildings"),
        coerce=record_id,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("Tick none to address the whole community."),
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(max=120, message=_l("Use at most %(max)d characters.", max=120)),
        ],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Enter the text of the notice.")),
            Length(max=10000, message=_l("Use at most %(max)d characters.", max=10000)),
        ],
        render_kw={"rows": 8},
        description=_l("Plain text; line breaks are kept."),
    )
    pinned = BooleanField(_l("Pin to the top"))
    published_at = DateTimeLocalField(
        _l("Publish at"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter when to publish the notice."))],
        description=_l("A later time schedules the notice."),
    )
    expires_at = DateTimeLocalField(
        _l("Expires at"),
        format=LOCAL_FORMAT,
        validators=[Optional()],
        description=_l("Leave empty to keep the notice until it is expired by hand."),
    )

    @classmethod
    def for_notice(cls, notice: Notice) -> NoticeForm:
        return cls(
            community_id=notice.community_id,
            building_ids=[b.building_id for b in notice.buildings],
            title=notice.title,
            body=notice.body,
            pinned=notice.pinned,
            published_at=to_local(notice.published_at),
            expires_at=to_local(notice.expires_at),
        )

    def set_buildings(self, buildings: list[tuple[int, str]]) -> None:
        self.building_ids.choices = [
            (building_id, str(_l("Building %(number)s", number=number)))
            for building_id, number in buildings
        ]

    def chosen_community(self) -> int | None:
        """The community picked (or submitted), falling back to the first on offer."""
        if self.community_id.data in {c[0] for c in self.community_id.choices or []}:
            return self.community_id.data
        return self.community_id.choices[0][0] if self.community_id.choices else None

    def validate_expires_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.published_at.data and field.data <= self.published_at.data:
            raise ValidationError(_l("The expiry must be later than the publish time."))

    def draft(self) -> NoticeDraft:
        return NoticeDraft(
            community_id=self.community_id.data,
            title=self.title.data,
            body=self.body.data,
            pinned=self.pinned.data,
            published_at=from_local(self.published_at.data),  # type: ignore[arg-type]
            expires_at=from_local(self.expires_at.data),
            building_ids=tuple(self.building_ids.data or ()),
        )
