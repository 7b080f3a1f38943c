"""Routes of the one-window service: filing, the inbox, my tasks, a request's page, figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import uploads
from app.authz import get_visible_or_404, roles_required, visible
from app.blueprints.property.requests import services
from app.blueprints.property.requests.forms import (
    AcceptForm,
    DepartmentsForm,
    DispatchForm,
    FilterForm,
    MonthForm,
    NewRequestForm,
    NoteForm,
    RecordRequestForm,
    ReopenForm,
    ResolveForm,
)
from app.blueprints.property.requests.services import Filters, NotAllowed, RequestError
from app.extensions import db
from app.labels import label
from app.models import (
    Community,
    Household,
    RequestCategory,
    RequestChannel,
    RequestLocation,
    Role,
    ServiceRequest,
    Staff,
)
from app.pagination import paginate
from app.periods import Month, utcnow
from app.rendering import redirect_to, render_page

bp = Blueprint("requests", __name__)

PHOTOS = "requests"
DETAIL = "property/requests/detail.html"
STAFF_ROLES = (Role.MANAGER, Role.STEWARD)
EVERYONE = (Role.ADMIN, Role.MANAGER, Role.STEWARD, Role.RESIDENT)


def _communities() -> list[tuple[int, str]]:
    query = visible(Community).with_only_columns(Community.id, Community.name)
    return [(cid, name) for cid, name in db.session.execute(query.order_by(Community.name))]


def _filters(form: FilterForm) -> Filters:
    """The filters that pass validation; a bad one is left out and shown as an error."""
    form.validate()

    def valid(field: Any) -> Any:
        # Optional() lets a value of spaces through without checking it against the choices.
        data = None if field.errors else field.data
        return data.strip() if isinstance(data, str) else data

    community = valid(form.community)
    return Filters(
        status=valid(form.status) or "",
        category=valid(form.category) or "",
        community_id=int(community) if community else None,
        overdue=bool(valid(form.overdue)),
        q=valid(form.q) or "",
        filed=valid(form.filed) or "",
    )


def _list_page(endpoint: str, query_for: Callable[[Filters], Any], template: str) -> Any:
    form = FilterForm(request.args, communities=_communities())
    rows = paginate(query_for(_filters(form)))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    page = render_page(template, "results", form=form, rows=rows, args=args, endpoint=endpoint)
    return page, (422 if form.errors else 200)


# --- residents ------------------------------------------------------------------------------


@bp.get("/requests/mine")
@roles_required(Role.RESIDENT)
def my_requests() -> ResponseReturnValue:
    rows = paginate(services.resident_requests())
    return render_page("property/requests/mine.html", "results", rows=rows)


def _home_label(home: Household) -> str:
    unit = home.unit
    return "{} · {}".format(
        unit.building.community.name,
        _(
            "Building %(b)s, unit %(u)s, room %(r)s",
            b=unit.building.number,
            u=unit.number,
            r=home.room,
        ),
    )


def _store_photo(form: Any) -> str | None:
    """The uploaded photo, cleaned and stored; an error goes on the form's photo field."""
    upload = form.photo.data
    if not upload or not upload.filename:
        return None
    try:
        return uploads.save_image(upload.stream, PHOTOS)
    except uploads.UploadError as error:
        form.photo.errors = [*form.photo.errors, error.message]
        return None


def _file(form: Any, household: Household | None, channel: RequestChannel) -> ServiceRequest | None:
    """File the request the form describes, or put the reason it cannot be on the form."""
    if household is None:
        return None
    photo = _store_photo(form)
    if form.photo.errors:
        return None
    try:
        filed = services.file_request(
            current_user,
            household,
            category=RequestCategory(form.category.data),
            location=RequestLocation(form.location.data),
            location_note=form.location_note.data,
            description=form.description.data,
            photo=photo,
            channel=channel,
        )
    except NotAllowed:
        uploads.discard_image(PHOTOS, photo)
        abort(403)
    except RequestError as error:
        uploads.discard_image(PHOTOS, photo)
        form.form_errors.append(error.message)
        return None
    db.session.commit()
    return filed


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(Role.RESIDENT)
def new_request() -> ResponseReturnValue:
    homes = list(db.session.scalars(visible(Household).order_by(Household.id)))
    form = NewRequestForm()
    form.household.choices = [(home.id, _home_label(home)) for home in homes]
    if form.validate_on_submit():
        household = next(h for h in homes if h.id == form.household.data)
        filed = _file(form, household, RequestChannel.APP)
        if filed is not None:
            flash(_("Your request has been received. You can follow it here."), "success")
            return redirect_to(url_for("property.requests.request_detail", request_id=filed.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_page("property/requests/new.html", "form", form=form, homes=homes), status


# --- managers and stewards ------------------------------------------------------------------


@bp.get("/requests/inbox")
@roles_required(Role.MANAGER)
def request_inbox() -> ResponseReturnValue:
    return _list_page(
        "property.requests.request_inbox",
        lambda filters: services.inbox(filters),
        "property/requests/inbox.html",
    )


@bp.get("/requests/tasks")
@roles_required(Role.STEWARD)
def my_tasks() -> ResponseReturnValue:
    return _list_page(
        "property.requests.my_tasks",
        lambda filters: services.tasks(current_user, filters),
        "property/requests/tasks.html",
    )


@bp.route("/requests/record", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def record_request() -> ResponseReturnValue:
    form = RecordRequestForm()
    form.community.choices = _communities()
    if form.validate_on_submit():
        household = services.find_household(form.community.data, form.room.data)
        if household is None:
            form.room.errors = [_("There is no such household in this community.")]
        filed = _file(form, household, RequestChannel(form.channel.data))
        if filed is not None:
            flash(_("The request has been recorded."), "success")
            return redirect_to(url_for("property.requests.request_detail", request_id=filed.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_page("property/requests/record.html", "form", form=form), status


# --- one request ----------------------------------------------------------------------------


def _staff_choices(item: ServiceRequest) -> list[tuple[int, str]]:
    return [
        (person.id, f"{person.name} · {label(person.position)}")
        for person in services.dispatchable_staff(item)
    ]


def _forms(item: ServiceRequest, **submitted: Any) -> dict[str, Any]:
    """Every form of the request page, blank unless it is the one just submitted."""
    departments = item.departments or []
    forms = {
        "dispatch_form": DispatchForm(prefix="dispatch", formdata=None),
        "note_form": NoteForm(prefix="note", formdata=None),
        "departments_form": DepartmentsForm(
            prefix="departments",
            formdata=None,
            departments=[d for d in departments if d in services.DEPARTMENTS],
            others=", ".join(d for d in departments if d not in services.DEPARTMENTS),
        ),
        "resolve_form": ResolveForm(prefix="resolve", formdata=None),
        "accept_form": AcceptForm(prefix="accept", formdata=None),
        "reopen_form": ReopenForm(prefix="reopen", formdata=None),
    } | submitted
    forms["dispatch_form"].staff.choices = _staff_choices(item)
    return forms


def _render_detail(
    item: ServiceRequest, block: str | None = None, step_error: Any = None, **submitted: Any
) -> str:
    now = utcnow()
    return render_page(
        DETAIL,
        block,
        item=item,
        row=services.request_row(item.id, now=now),
        events=services.timeline(item),
        can=services.permissions(current_user, item),
        polling=current_user.role == Role.RESIDENT and item.status in services.OPEN,
        department_name=services.department_name,
        # Shown in the block of the step that failed: its own form may be gone by now.
        step_errors={block: step_error} if step_error else {},
        **_forms(item, **submitted),
    )


@bp.get("/requests/<int:request_id>")
@roles_required(*EVERYONE)
def request_detail(request_id: int) -> ResponseReturnValue:
    item = get_visible_or_404(ServiceRequest, request_id)
    # htmx polls the status block alone (the resident's live view).
    return _render_detail(item, "live")


@bp.get("/requests/<int:request_id>/photo")
@roles_required(*EVERYONE)
def request_photo(request_id: int) -> ResponseReturnValue:
    item = get_visible_or_404(ServiceRequest, request_id)
    return uploads.send_image(PHOTOS, item.photo, thumbnail=request.args.get("size") == "thumb")


def _step(
    request_id: int,
    name: str,
    form_class: type,
    block: str,
    take: Callable[[ServiceRequest, Any], Any],
    done: str,
) -> ResponseReturnValue:
    """Validate one form of the request page and take its step, or show why not (422)."""
    item = get_visible_or_404(ServiceRequest, request_id)
    if not services.may(current_user, item, name):
        abort(403)
    form = form_class(prefix=name)
    if name == "dispatch":
        form.staff.choices = _staff_choices(item)
    step_error = None
    if form.validate_on_submit():
        try:
            take(item, form)
        except NotAllowed:
            abort(403)
        except RequestError as error:
            db.session.rollback()
            step_error = error.message
        else:
            db.session.commit()
            flash(done, "success")
            return redirect_to(url_for("property.requests.request_detail", request_id=item.id))
    return _render_detail(item, block, step_error, **{f"{name}_form": form}), 422


@bp.post("/requests/<int:request_id>/dispatch")
@roles_required(Role.MANAGER)
def dispatch_request(request_id: int) -> ResponseReturnValue:
    def take(item: ServiceRequest, form: DispatchForm) -> None:
        staff = db.session.scalar(visible(Staff).where(Staff.id == form.staff.data))
        services.dispatch(current_user, item, staff, form.note.data)

    return _step(request_id, "dispatch", DispatchForm, "actions", take, _("Dispatched."))


@bp.post("/requests/<int:request_id>/note")
@roles_required(*STAFF_ROLES)
def note_request(request_id: int) -> ResponseReturnValue:
    return _step(
        request_id,
        "note",
        NoteForm,
        "actions",
        lambda item, form: services.add_note(current_user, item, form.note.data),
        _("The note has been added."),
    )


@bp.post("/requests/<int:request_id>/departments")
@roles_required(*STAFF_ROLES)
def request_departments(request_id: int) -> ResponseReturnValue:
    return _step(
        request_id,
        "departments",
        DepartmentsForm,
        "actions",
        lambda item, form: services.set_departments(current_user, item, form.names),
        _("The departments involved have been updated."),
    )


@bp.post("/requests/<int:request_id>/resolve")
@roles_required(*STAFF_ROLES)
def resolve_request(request_id: int) -> ResponseReturnValue:
    return _step(
        request_id,
        "resolve",
        ResolveForm,
        "actions",
        lambda item, form: services.resolve(current_user, item, form.note.data),
        _("Marked as resolved. The resident is asked to confirm."),
    )


@bp.post("/requests/<int:request_id>/accept")
@roles_required(Role.RESIDENT, Role.MANAGER)
def accept_request(request_id: int) -> ResponseReturnValue:
    return _step(
        request_id,
        "accept",
        AcceptForm,
        "live",
        lambda item, form: services.accept(current_user, item, form.rating.data, form.note.data),
        _("Thank you. The request is closed."),
    )


@bp.post("/requests/<int:request_id>/reopen")
@roles_required(Role.RESIDENT, Role.MANAGER)
def reopen_request(request_id: int) -> ResponseReturnValue:
    return _step(
        request_id,
        "reopen",
        ReopenForm,
        "live",
        lambda item, form: services.reopen(current_user, item, form.reason.data),
        _("The request has been reopened and goes back to the property office."),
    )


# --- figures --------------------------------------------------------------------------------


@bp.get("/requests/figures")
@roles_required(Role.ADMIN, Role.MANAGER)
def request_figures() -> ResponseReturnValue:
    form = MonthForm(request.args)
    month = Month.containing(utcnow())
    if form.month.data:
        chosen = Month.parse(form.month.data)
        if chosen is None:
            form.month.errors = [_("Enter a month as YYYY-MM, e.g. 2026-11.")]
        else:
            month = chosen
    page = paginate(services.figure_rows(month, current_user))
    rows = replace(page, items=[services.Figures.of(row.name, row) for row in page.items])
    return render_page(
        "property/requests/figures.html",
        "results",
        form=form,
        month=month,
        previous=month.shifted(-1),
        following=month.shifted(1),
        totals=services.figure_totals(month, current_user),
        rows=rows,
        overdue=services.overdue_count(),
        by_company=current_user.role == Role.ADMIN,
    ), (422 if form.month.errors else 200)
