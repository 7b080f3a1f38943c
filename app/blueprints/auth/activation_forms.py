"""Forms for issuing an activation code and for redeeming one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.blueprints.auth.activation_services import RELATIONS
from app.blueprints.auth.forms import new_password_field, repeat_password_field

RELATION_LABELS = {
    "owner": _l("Owner"),
    "family": _l("Family member"),
    "tenant": _l("Tenant"),
}


class IssueCodeForm(FlaskForm):
    relation = SelectField(
        _l("The new account belongs to"),
        choices=[(value, RELATION_LABELS[value]) for value in RELATIONS],
        validators=[DataRequired(_l("Choose how the resident belongs to the household."))],
    )


class RedeemForm(FlaskForm):
    code = StringField(
        _l("Activation code"),
        validators=[
            DataRequired(_l("Enter the activation code from your slip.")),
            Length(
                max=40, message=_l("This activation code is not valid. Check it against the slip.")
            ),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "placeholder": "XXXX-XXXX-XXXX-XXXX",
        },
        description=_l("16 letters and digits, as printed on the slip."),
    )


class ActivateForm(RedeemForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Choose a username.")),
            Length(min=3, max=64, message=_l("Use 3 to 64 characters.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
        description=_l("You will sign in with it."),
    )
    display_name = StringField(
        _l("Your name"),
        validators=[
            Optional(),
            Length(max=60, message=_l("Use at most %(max)d characters.", max=60)),
        ],
        render_kw={"autocomplete": "name"},
        description=_l("Optional; shown to your property office."),
    )
    password = new_password_field(_l("Password"), _l("Choose a password."))
    confirm_password = repeat_password_field(
        "password",
        _l("Repeat the password"),
        _l("Repeat the password."),
        _l("The two passwords differ."),
    )
