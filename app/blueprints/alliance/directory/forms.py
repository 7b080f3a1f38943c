"""The directory's filter: a GET form (a filtered list is a link to share), so no CSRF token."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField
from wtforms.validators import ValidationError

from app.labels import label
from app.models import ShopCategory

ALL = ""


def _category(value: object) -> ShopCategory | str | None:
    """The category chosen, None for "all", or the text as sent when it names none."""
    if value in (None, ALL):
        return None
    try:
        return ShopCategory(value)
    except ValueError:
        return str(value)


def _a_category(form: FlaskForm, field: Field) -> None:
    if field.data is not None and not isinstance(field.data, ShopCategory):
        field.data = None
        raise ValidationError(_l("Choose a category from the list."))


class DirectoryForm(FlaskForm):
    class Meta:
        csrf = False

    category = SelectField(
        _l("Category"), coerce=_category, validate_choice=False, validators=[_a_category]
    )

    def __init__(self, *args: Any, counts: dict[ShopCategory, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [(ALL, _l("All categories"))] + [
            (c.value, f"{label(c)} ({counts.get(c, 0)})") for c in ShopCategory
        ]
