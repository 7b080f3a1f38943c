"""Rule errors: what a service raises when a business rule refuses a request, and how a view
shows it on the form the user sent.

Services never know about forms; they name the field a refusal is about (the form field of the
same name), and `show_on_form` puts the message under it, or above the form when the field is
not on it.
"""

from __future__ import annotations

from typing import Any


class RuleError(ValueError):
    """A rule refused the request. `message` is for the user, in their language (a lazy
    string is fine, and stays lazy: it is translated when shown, in the reader's language);
    `field` names the form field it concerns, when there is one."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def show_on_form(form: Any, error: RuleError, default: str | None = None) -> None:
    """Put the refusal's message under its field (or `default`'s), else among the form's own
    errors, which the form macro shows above the fields."""
    name = error.field if error.field in form._fields else default
    if name is not None:
        form[name].errors = [*form[name].errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))
