"""The forms of the pact library: a company's own clause, and the pact editor (title, clauses in
order, what changed)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.blueprints.pacts.library.services import MAX_CLAUSES, ClauseText, PactDraft
from app.blueprints.pacts.library.services.versions import (
    CLAUSE_BODY_LENGTH,
    CLAUSE_TITLE_LENGTH,
    NOTE_LENGTH,
    TITLE_LENGTH,
)
from app.inputs import record_id


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


class ClauseForm(FlaskForm):
    """A clause of the company's own library."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the clause a title.")), _at_most(CLAUSE_TITLE_LENGTH)],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Write the text of the clause.")),
            _at_most(CLAUSE_BODY_LENGTH),
        ],
        render_kw={"rows": 5},
        description=_l("Plain text, as residents will read it on the pact."),
    )


class ClauseRowForm(Form):
    """One clause of a pact in the editor. A row left wholly blank is dropped on saving."""

    title = StringField(_l("Clause title"), validators=[_at_most(CLAUSE_TITLE_LENGTH)])
    body = TextAreaField(
        _l("Clause text"), validators=[_at_most(CLAUSE_BODY_LENGTH)], render_kw={"rows": 3}
    )

    def validate_title(self, field: StringField) -> None:
        if not (field.data or "").strip() and (self.body.data or "").strip():
            raise ValidationError(_l("Give this clause a title."))

    def validate_body(self, field: TextAreaField) -> None:
        if not (field.data or "").strip() and (self.title.data or "").strip():
            raise ValidationError(_l("Write the text of this clause."))


class PactForm(FlaskForm):
    title = StringField(
        _l("Title of the pact"),
        validators=[DataRequired(_l("Give the pact a title.")), _at_most(TITLE_LENGTH)],
    )
    clauses = FieldList(FormField(ClauseRowForm), min_entries=1, max_entries=MAX_CLAUSES)
    note = StringField(
        _l("What changed"),
        validators=[_at_most(NOTE_LENGTH)],
        description=_l("A line for the version list, e.g. “Quiet hours from 22:00”."),
    )
    # The number of the version the editor started from (none for a new pact).
    base = HiddenField()

    @classmethod
    def filled(cls, draft: PactDraft, base: int | None = None, **kwargs: Any) -> PactForm:
        """The editor showing `draft`, not what the request sent."""
        return cls(
            formdata=None,
            data={
                "title": draft.title,
                "clauses": [clause.stored() for clause in draft.clauses] or [{}],
                "note": draft.note,
                "base": "" if base is None else str(base),
            },
            **kwargs,
        )

    def rows(self) -> list[ClauseText]:
        """The clauses as typed, blank rows included, in order."""
        return [
            ClauseText(entry.form.title.data or "", entry.form.body.data or "")
            for entry in self.clauses
        ]

    def draft(self) -> PactDraft:
        return PactDraft(self.title.data or "", tuple(self.rows()), self.note.data or "")

    def base_number(self) -> int | None:
        try:
            return record_id(self.base.data)
        except ValueError:
            return None
