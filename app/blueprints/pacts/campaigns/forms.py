"""Forms of the signing campaigns: setting one up, a canvasser's answer at the door, a
resident's signature. Times are entered on the user's clock (Asia/Shanghai) and stored in UTC."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.blueprints.pacts.campaigns.services import (
    ASKED_BY_LENGTH,
    LAST_ROUND,
    PRESETS,
    REMARK_LENGTH,
    RESIDENT_ANSWERS,
    ROUNDS,
    TITLE_LENGTH,
    CampaignDraft,
    Threshold,
)
from app.blueprints.property.notices.forms import LOCAL_FORMAT, from_local, local_now
from app.inputs import record_id
from app.labels import label
from app.models import Answer, CampaignScope, SigningCampaign

CUSTOM = "custom"


def optional_id(value: Any) -> int | None:
    """An id from a select that may be left empty ("" is none chosen)."""
    return None if value in (None, "") else record_id(value)


def round_choices(up_to: int = LAST_ROUND) -> list[tuple[int, str]]:
    return [(n, f"{n} · {ROUNDS[n]}") for n in range(1, up_to + 1)]


class CampaignForm(FlaskForm):
    community_id = SelectField(
        _l("Community"), coerce=record_id, validators=[InputRequired(_l("Choose a community."))]
    )
    version_id = SelectField(
        _l("Pact version"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose the pact version to sign."))],
    )
    title = StringField(
        _l("Title"),
        validators=[
            Optional(),
            Length(max=TITLE_LENGTH, message=_l("Use at most %(max)d characters.", max=120)),
        ],
        description=_l("Leave it empty to use the pact's title."),
    )
    scope = RadioField(
        _l("Who is asked"),
        default=CampaignScope.COMMUNITY.value,
        validators=[InputRequired(_l("Choose who is asked."))],
        description=_l("A unit's own pact is signed by that unit alone."),
    )
    building_id = SelectField(_l("Building"), coerce=optional_id, validators=[Optional()])
    unit_id = SelectField(_l("Unit"), coerce=optional_id, validators=[Optional()])
    threshold = RadioField(
        _l("Adopted when this share of households agrees"),
        default="2/3",
        validators=[InputRequired(_l("Choose the threshold."))],
    )
    custom_percent = IntegerField(
        _l("Other percentage"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100, message=_l("Enter a percentage from 1 to 100.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": 100},
        description=_l("Whole per cent of the households asked, e.g. 60."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope.choices = [(s.value, label(s)) for s in CampaignScope]
        self.threshold.choices = [(key, key) for key in PRESETS] + [
            (CUSTOM, _l("Another percentage"))
        ]

    @classmethod
    def for_campaign(cls, campaign: SigningCampaign) -> CampaignForm:
        threshold = Threshold.of(campaign)
        return cls(
            community_id=campaign.community_id,
            version_id=campaign.version_id,
            title=campaign.title,
            scope=campaign.scope.value,
            building_id=campaign.building_id,
            unit_id=campaign.unit_id,
            threshold=threshold.key,
            custom_percent=(
                round(threshold.numerator * 100 / threshold.denominator)
                if threshold.key == CUSTOM
                else None
            ),
        )

    def set_places(self, versions: list[Any], buildings: list[Any], units: list[Any]) -> None:
        """The chosen community's pact versions, buildings and units (grouped by building)."""
        self.version_id.choices = [(row.id, version_label(row)) for row in versions]
        self.building_id.choices = [("", _l("Choose a building"))] + [
            (row.id, str(_l("Building %(number)s", number=row.number))) for row in buildings
        ]
        grouped: dict[str, list[tuple[int, str]]] = {}
        for row in units:
            group = str(_l("Building %(number)s", number=row.building_number))
            grouped.setdefault(group, []).append((row.id, f"{row.building_number}-{row.number}"))
        self.unit_id.choices = {"": [("", _l("Choose a unit"))], **grouped}

    def chosen_community(self) -> int | None:
        """The community picked (or submitted), else the first on offer."""
        offered = [choice[0] for choice in self.community_id.choices or []]
        if self.community_id.data in offered:
            return self.community_id.data
        return offered[0] if offered else None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the field's own checks when it is empty: the choice is checked here.
        field = self.custom_percent
        if self.threshold.data == CUSTOM and field.data is None and not field.errors:
            field.errors.append(_l("Enter the percentage of households."))
            return False
        return valid

    def draft(self) -> CampaignDraft:
        key = self.threshold.data
        threshold = Threshold.percent(self.custom_percent.data) if key == CUSTOM else PRESETS[key]
        return CampaignDraft(
            version_id=self.version_id.data,
            title=self.title.data or "",
            scope=CampaignScope(self.scope.data),
            building_id=self.building_id.data,
            unit_id=self.unit_id.data,
            threshold=threshold,
        )


def version_label(row: Any) -> str:
    where = (
        _l("Unit %(unit)s", unit=f"{row.building_number}-{row.unit_number}")
        if row.unit_id is not None
        else _l("Whole community")
    )
    return f"{row.title} · v{row.number} · {where}"


class AnswerForm(FlaskForm):
    """An answer at the door. The quick buttons of the canvass list send the answer alone: the
    round is then the current one, the canvasser the one who asked, the time now."""

    answer = RadioField(_l("Answer"), validators=[InputRequired(_l("Choose the answer."))])
    round = SelectField(_l("Round"), coerce=optional_id, validators=[Optional()])
    asked_by = StringField(
        _l("Asked by"),
        validators=[
            Optional(),
            Length(max=ASKED_BY_LENGTH, message=_l("Use at most %(max)d characters.", max=60)),
        ],
        description=_l("Who knocked on the door."),
    )
    answered_at = DateTimeLocalField(
        _l("When"),
        format=LOCAL_FORMAT,
        validators=[Optional()],
        description=_l("Leave it as it is for an answer given just now."),
    )
    remark = StringField(
        _l("Remark"),
        validators=[
            Optional(),
            Length(max=REMARK_LENGTH, message=_l("Use at most %(max)d characters.", max=200)),
        ],
        description=_l("What the household said, e.g. agrees once the corridor is repainted."),
    )

    def __init__(self, campaign: SigningCampaign, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer.choices = [(a.value, label(a)) for a in Answer]
        self.round.choices = round_choices(campaign.current_round)

    @classmethod
    def blank(cls, campaign: SigningCampaign, asked_by: str) -> AnswerForm:
        return cls(
            campaign,
            formdata=None,
            round=campaign.current_round,
            asked_by=asked_by,
            answered_at=local_now(),
        )

    def values(self) -> dict[str, Any]:
        return {
            "round": self.round.data,
            "asked_by": self.asked_by.data,
            "answered_at": from_local(self.answered_at.data),
            "remark": self.remark.data,
        }


class SignForm(FlaskForm):
    """A resident's answer for one of their households: a button per answer."""

    household_id = SelectField(
        _l("Household"),
        coerce=record_id,
        validators=[InputRequired(_l("Choose your household."))],
        invalid_choice_message=_l("You may answer only for your own household."),
        invalid_value_message=_l("You may answer only for your own household."),
    )
    answer = RadioField(_l("Answer"), validators=[InputRequired(_l("Choose agree or disagree."))])

    def __init__(self, household_ids: list[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household_id.choices = [
            (household_id, str(household_id)) for household_id in household_ids
        ]
        self.answer.choices = [(a.value, label(a)) for a in RESIDENT_ANSWERS]
