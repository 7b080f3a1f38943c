"""What the roster's pages share: who reads and who edits, a searched list, a dialog and its
form page, the list a dialog returns to, and the company a new community or staff member
belongs to."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select

from app.authz import get_visible_or_404, visible
from app.blueprints.property.roster import forms
from app.extensions import db
from app.listing import Sort, search_arg, sort_arg
from app.models import Company, Role
from app.pagination import paginate
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form
from app.security import safe_next

# The roster's four route modules share this one blueprint.
bp = Blueprint("roster", __name__)

READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD)
EDITORS = (Role.ADMIN, Role.MANAGER)


def can_edit() -> bool:
    return current_user.role in EDITORS


def int_arg(name: str) -> int | None:
    return request.args.get(name, type=int) or None


def list_url(default: str) -> str:
    """The list the manager opened a dialog from (query kept), to return to after saving."""
    current = request.htmx.current_url if request.htmx else request.referrer
    if current:
        parts = urlsplit(current)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return safe_next(path) or default
    return default


def link_args(**values: Any) -> dict[str, Any]:
    """Query arguments worth keeping in links: the ones that are set."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def searched_list(
    template: str,
    name: str,
    rows: Callable[[str, Sort], Select],
    sorts: Collection[str],
    default_sort: str,
    **extra: Any,
) -> ResponseReturnValue:
    """A list searched by its one box and sorted by its headers: the page, or its results
    block while the user types; `rows(q, sort)` is the select, paged into `name`."""
    q = search_arg()
    sort = sort_arg(sorts, default_sort)
    return render_page(
        template,
        "results",
        **{name: paginate(rows(q, sort))},
        q=q,
        sort=sort,
        args=link_args(q=q),
        can_edit=can_edit(),
        **extra,
    )


def form_page(
    form: forms.FlaskForm, title: str, action: str, submit: str, back: str, **extra: Any
) -> ResponseReturnValue:
    status = 422 if form.errors else 200
    return render_page(
        "property/roster/form.html",
        "dialog",
        form=form,
        title=title,
        action=action,
        submit_label=submit,
        back_url=back,
        in_dialog=bool(request.htmx),
        **extra,
    ), status


def dialog(
    form: forms.FlaskForm,
    save: Callable[[], ResponseReturnValue],
    title: str,
    action: str,
    submit: str,
    back: str,
    **extra: Any,
) -> ResponseReturnValue:
    """A dialog's form: a valid post is `save()`'s to apply, commit and answer, or to refuse
    with a RuleError, shown on its field; any other request gets the form page."""
    if form.validate_on_submit():
        try:
            return save()
        except RuleError as error:
            show_on_form(form, error)
    return form_page(form, title, action, submit, back, **extra)


def saved(message: str, target: str) -> ResponseReturnValue:
    """A dialog's change made: committed, said, and the user sent on to `target`."""
    db.session.commit()
    flash(message, "success")
    return redirect_to(target)


def company_choices() -> list[tuple[int, str]]:
    query = visible(Company).with_only_columns(Company.id, Company.name).order_by(Company.name)
    return [(company_id, name) for company_id, name in db.session.execute(query)]


def fit_company_field(form: forms.CommunityForm | forms.StaffForm, record: object | None) -> None:
    """Only the district office chooses the company, and only of a new community or member: a
    manager works for their own, and handing a community or a member to another company is a
    change of operator or a new hire there, never an edit."""
    if current_user.role != Role.ADMIN or record is not None:
        del form.company_id


def chosen_company(form: forms.CommunityForm | forms.StaffForm) -> int:
    """The company a new community or member joins (404 for one the user may not see)."""
    company_id = form.company_id.data if "company_id" in form else current_user.company_id
    return get_visible_or_404(Company, company_id).id


def back_to(form: forms.ReturnForm, endpoint: str, **values: Any) -> str:
    """Where a dialog returns: the list it was opened from, else the endpoint's page."""
    return safe_next(form.next.data) or url_for(endpoint, **values)
