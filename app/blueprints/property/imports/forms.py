"""The upload form: which community, which file. The file itself is checked by reading.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import InputRequired, ValidationError

from app.inputs import record_id


class UploadForm(FlaskForm):
    community_id = SelectField(
        _l("Community"),
        coerce=record_id,
        validate_choice=False,
        validators=[InputRequired(_l("Choose the community the roster belongs to."))],
    )
    file = FileField(
        _l("Roster file"),
        validators=[FileRequired(_l("Choose the file to upload."))],
        description=_l("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK), up to 16 MB."),
        render_kw={"accept": ".xlsx,.csv"},
    )

    def validate_community_id(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Choose one of your communities."))
