"""Forms for signing in, changing the password and choosing the language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, ValidationError

from app.blueprints.auth.services import MIN_PASSWORD_LENGTH
from app.i18n import LANGUAGE_NAMES


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


def new_password_field(label: str, missing: str) -> PasswordField:
    """A password being chosen: long enough, and the browser may offer a strong one."""
    return PasswordField(
        label,
        validators=[
            DataRequired(missing),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=256,
                message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
    )


def repeat_password_field(other: str, label: str, missing: str, differ: str) -> PasswordField:
    """The same password typed again, to match the field named `other`."""
    return PasswordField(
        label,
        validators=[DataRequired(missing), EqualTo(other, differ)],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field(_l("New password"), _l("Enter a new password."))
    confirm_password = repeat_password_field(
        "new_password",
        _l("Repeat the new password"),
        _l("Repeat the new password."),
        _l("The two new passwords differ."),
    )

    def __init__(self, user, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field: PasswordField) -> None:
        if not self.user.check_password(field.data or ""):
            raise ValidationError(_l("The current password is wrong."))

    def validate_new_password(self, field: PasswordField) -> None:
        if field.data and self.user.check_password(field.data):
            raise ValidationError(_l("Choose a password different from the current one."))


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[AnyOf(list(LANGUAGE_NAMES))])
    next = HiddenField()
