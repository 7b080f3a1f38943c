"""Roster routes: lists with live search and sorting, inline household editing, dialog forms,
the building generator, staff and accounts, history. Managers and the district office change
things; stewards read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, make_response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.authz import get_visible_or_404, roles_required, visible
from app.blueprints.auth.views import safe_next
from app.blueprints.property import bp
from app.blueprints.property.roster import forms, services
from app.extensions import db
from app.listing import parse_sort
from app.models import Building, Community, Company, Household, Role, Staff, Unit
from app.pagination import paginate
from app.rendering import redirect_to, render_page

READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD)
EDITORS = (Role.ADMIN, Role.MANAGER)


def _can_edit() -> bool:
    return current_user.role in EDITORS


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int) or None


def _list_url(default: str) -> str:
    """The list the manager opened a dialog from (query kept), to return to after saving."""
    current = request.htmx.current_url if request.htmx else request.referrer
    if current:
        parts = urlsplit(current)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return safe_next(path) or default
    return default


def _args(**values: Any) -> dict[str, Any]:
    """Query arguments worth keeping in links: the ones that are set."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def _form_page(
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


def _company_choices() -> list[tuple[int, str]]:
    query = visible(Company).with_only_columns(Company.id, Company.name).order_by(Company.name)
    return [(company_id, name) for company_id, name in db.session.execute(query)]


def _fit_company_field(form: forms.CommunityForm | forms.StaffForm) -> None:
    """Only the district office chooses the company; a manager works for their own."""
    if current_user.role != Role.ADMIN:
        del form.company_id


def _chosen_company(form: forms.CommunityForm | forms.StaffForm) -> int:
    return form.company_id.data if "company_id" in form else current_user.company_id


def _field_error(form: forms.FlaskForm, error: services.RosterError) -> None:
    getattr(form, error.field).errors.append(str(error.message))


# --- households ------------------------------------------------------------------------------


@bp.get("/roster/households")
@roles_required(*READERS)
def roster_households() -> ResponseReturnValue:
    filters = services.HouseholdFilter(
        q=request.args.get("q", "")[:60],
        community_id=_int_arg("community"),
        building_id=_int_arg("building"),
        unit_id=_int_arg("unit"),
    )
    sort = parse_sort(
        request.args.get("sort"), request.args.get("dir"), services.HOUSEHOLD_SORTS, "room"
    )
    building = (
        db.session.scalar(visible(Building).where(Building.id == filters.building_id))
        if filters.building_id
        else None
    )
    unit = (
        db.session.scalar(visible(Unit).where(Unit.id == filters.unit_id))
        if filters.unit_id
        else None
    )
    args = _args(
        q=filters.q,
        community=filters.community_id,
        building=filters.building_id,
        unit=filters.unit_id,
    )
    return render_page(
        "property/roster/households.html",
        "results",
        households=paginate(services.household_rows(filters, sort)),
        filters=filters,
        sort=sort,
        args=args,
        communities=services.visible_communities(),
        building=building,
        unit=unit,
        can_edit=_can_edit(),
    )


@bp.route("/roster/households/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_household_new() -> ResponseReturnValue:
    community_id = request.values.get("community", type=int)
    form = forms.HouseholdForm(services.visible_units(community_id))
    if request.method == "GET":
        form.next.data = _list_url(url_for("property.roster_households"))
    if form.validate_on_submit():
        unit = get_visible_or_404(Unit, form.unit_id.data)
        try:
            household = services.create_household(
                unit, form.room.data.strip(), form.floor.data, **form.values()
            )
        except services.RosterError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Household %(room)s added.", room=household.room), "success")
            return redirect_to(
                url_for(
                    "property.roster_households",
                    community=household.community_id,
                    unit=household.unit_id,
                    q=household.room,
                )
            )
    return _form_page(
        form,
        _("New household"),
        url_for("property.roster_household_new", **_args(community=community_id)),
        _("Add household"),
        safe_next(form.next.data) or url_for("property.roster_households"),
    )


@bp.get("/roster/households/<int:household_id>")
@roles_required(*READERS)
def roster_household(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    return render_page(
        "property/roster/household.html",
        row=services.household_row(household.id),
        residents=services.household_residents(household),
        relations=services.RELATIONS,
        can_edit=_can_edit(),
    )


@bp.get("/roster/households/<int:household_id>/row")
@roles_required(*READERS)
def roster_household_row(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    if not request.htmx:
        return redirect(url_for("property.roster_household", household_id=household.id))
    return render_page(
        "property/roster/_household_row.html",
        row=services.household_row(household.id),
        can_edit=_can_edit(),
    )


@bp.route("/roster/households/<int:household_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_household_edit(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    form = forms.HouseholdEditForm(obj=household)
    if form.validate_on_submit():
        services.update_household(household, **form.values())
        db.session.commit()
        if not request.htmx:
            flash(_("Household %(room)s saved.", room=household.room), "success")
            return redirect(url_for("property.roster_household", household_id=household.id))
        return render_page(
            "property/roster/_household_row.html",
            row=services.household_row(household.id),
            can_edit=True,
            saved=True,
        )
    status = 422 if form.errors else 200
    template = (
        "property/roster/_household_edit_row.html"
        if request.htmx
        else "property/roster/household_edit.html"
    )
    return render_page(template, row=services.household_row(household.id), form=form), status


@bp.post("/roster/households/<int:household_id>/unlink")
@roles_required(*EDITORS)
def roster_resident_unlink(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    form = forms.UnlinkForm()
    back = safe_next(form.next.data) or url_for(
        "property.roster_household", household_id=household.id
    )
    if not form.validate_on_submit() or not form.user_id.data.isdigit():
        abort(400)
    try:
        services.unlink_resident(household, int(form.user_id.data))
    except LookupError:
        abort(404)
    db.session.commit()
    flash(_("The resident no longer belongs to room %(room)s.", room=household.room), "success")
    return redirect_to(back)


@bp.get("/roster/households/<int:household_id>/history")
@roles_required(*EDITORS)
def roster_household_history(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    entries = paginate(services.household_history(household))
    return render_page(
        "property/roster/history.html",
        "entries",
        row=services.household_row(household.id),
        entries=entries,
        changes=[services.describe(item.AuditEntry) for item in entries.items],
        action_labels=services.ACTION_LABELS,
        entity_labels=services.ENTITY_LABELS,
        endpoint="property.roster_household_history",
        args={"household_id": household.id},
    )


# --- residents -------------------------------------------------------------------------------


@bp.get("/roster/residents")
@roles_required(*READERS)
def roster_residents() -> ResponseReturnValue:
    q = request.args.get("q", "")[:60]
    sort = parse_sort(
        request.args.get("sort"), request.args.get("dir"), services.RESIDENT_SORTS, "room"
    )
    return render_page(
        "property/roster/residents.html",
        "results",
        residents=paginate(services.resident_rows(q, sort)),
        q=q,
        sort=sort,
        args=_args(q=q),
        relations=services.RELATIONS,
        can_edit=_can_edit(),
    )


# --- communities, buildings, units -----------------------------------------------------------


@bp.get("/roster/communities")
@roles_required(*READERS)
def roster_communities() -> ResponseReturnValue:
    q = request.args.get("q", "")[:60]
    sort = parse_sort(
        request.args.get("sort"), request.args.get("dir"), services.COMMUNITY_SORT_KEYS, "name"
    )
    return render_page(
        "property/roster/communities.html",
        "results",
        communities=paginate(services.community_list(q, sort)),
        q=q,
        sort=sort,
        args=_args(q=q),
        can_edit=_can_edit(),
    )


def _community_form(community: Community | None = None) -> forms.CommunityForm:
    form = forms.CommunityForm(_company_choices(), obj=community)
    if community is None and request.method == "GET" and current_user.company is not None:
        company = current_user.company
        form.city.data, form.district.data = company.city, company.district
    if request.method == "GET":
        form.next.data = _list_url(url_for("property.roster_communities"))
        if community is not None:
            form.management_mode.data = community.management_mode.value
    _fit_company_field(form)
    return form


@bp.route("/roster/communities/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_community_new() -> ResponseReturnValue:
    form = _community_form()
    if form.validate_on_submit():
        company_id = _chosen_company(form)
        get_visible_or_404(Company, company_id)
        try:
            community = services.create_community(company_id, **form.values())
        except services.RosterError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Community %(name)s added.", name=community.name), "success")
            return redirect_to(url_for("property.roster_community", community_id=community.id))
    return _form_page(
        form,
        _("New community"),
        url_for("property.roster_community_new"),
        _("Add community"),
        safe_next(form.next.data) or url_for("property.roster_communities"),
    )


@bp.route("/roster/communities/<int:community_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_community_edit(community_id: int) -> ResponseReturnValue:
    community = get_visible_or_404(Community, community_id)
    form = _community_form(community)
    if "company_id" in form:
        # Handing a community to another company is a change of operator, not an edit.
        del form.company_id
    if form.validate_on_submit():
        try:
            services.update_community(community, **form.values())
        except services.RosterError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Community %(name)s saved.", name=community.name), "success")
            return redirect_to(safe_next(form.next.data) or url_for("property.roster_communities"))
    return _form_page(
        form,
        _("Edit %(name)s", name=community.name),
        url_for("property.roster_community_edit", community_id=community.id),
        _("Save"),
        safe_next(form.next.data) or url_for("property.roster_communities"),
    )


@bp.get("/roster/communities/<int:community_id>")
@roles_required(*READERS)
def roster_community(community_id: int) -> ResponseReturnValue:
    community = get_visible_or_404(Community, community_id)
    buildings = paginate(services.building_rows(community))
    return render_page(
        "property/roster/community.html",
        "buildings",
        community=community,
        buildings=buildings,
        units=services.units_of(row.Building.id for row in buildings.items),
        can_edit=_can_edit(),
    )


@bp.route("/roster/communities/<int:community_id>/generate", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_generate(community_id: int) -> ResponseReturnValue:
    community = get_visible_or_404(Community, community_id)
    form = forms.GeneratorForm()
    plan = created = None
    status = 200
    if form.validate_on_submit() and (spec := form.spec()) is not None:
        if request.form.get("action") == "create":
            try:
                created = services.generate_building(community, spec)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.building.errors.append(
                    _("Someone changed this building meanwhile. Preview again, then create.")
                )
        else:
            plan = services.plan_building(community, spec)
    if form.errors:
        status = 422
    return render_page(
        "property/roster/generate.html",
        "result",
        community=community,
        form=form,
        plan=plan,
        created=created,
    ), status


def _building_saved(building: Building, message: str, back: str, focus: str) -> ResponseReturnValue:
    """After a building or unit dialog: with htmx, the building's row (its units in it) swapped
    in place of the old one, and the dialog closed; without, back to the community page."""
    if not request.htmx:
        flash(message, "success")
        return redirect(back)
    response = make_response(
        render_page(
            "property/roster/_building_saved.html",
            row=services.building_row(building),
            building_units=services.units_of([building.id]).get(building.id, []),
            can_edit=True,
            saved=True,
            focus=focus,
        )
    )
    # The form's own target is the dialog's panel; the row lives on the page behind it.
    response.headers["HX-Retarget"] = f"#building-{building.id}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.route("/roster/buildings/<int:building_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_building_edit(building_id: int) -> ResponseReturnValue:
    building = get_visible_or_404(Building, building_id)

    def save(back: str) -> ResponseReturnValue:
        services.update_building(building, **form.values())
        db.session.commit()
        message = _("Building %(number)s saved.", number=building.number)
        return _building_saved(building, message, back, "building")

    form = forms.BuildingForm(obj=building)
    title = _("Edit building %(number)s", number=building.number)
    action = url_for("property.roster_building_edit", building_id=building.id)
    return _part_dialog(form, building.community_id, save, title, action)


@bp.route("/roster/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_unit_edit(unit_id: int) -> ResponseReturnValue:
    unit = get_visible_or_404(Unit, unit_id)
    building = unit.building

    def save(back: str) -> ResponseReturnValue:
        services.update_unit(unit, **form.values())
        db.session.commit()
        message = _("Unit %(number)s saved.", number=unit.number)
        return _building_saved(building, message, back, f"unit-{unit.id}")

    form = forms.UnitForm(obj=unit)
    title = _(
        "Edit unit %(unit)s of building %(building)s", unit=unit.number, building=building.number
    )
    action = url_for("property.roster_unit_edit", unit_id=unit.id)
    return _part_dialog(form, unit.community_id, save, title, action)


def _part_dialog(
    form: Any,
    community_id: int,
    save: Callable[[str], ResponseReturnValue],
    title: str,
    action: str,
) -> ResponseReturnValue:
    """The edit dialog of a part of a community (a building, a unit), opened from and returning
    to its page: `save(back)` applies a valid form, or raises RosterError for one field."""
    community_page = url_for("property.roster_community", community_id=community_id)
    if request.method == "GET":
        form.next.data = _list_url(community_page)
    back = safe_next(form.next.data) or community_page
    if form.validate_on_submit():
        try:
            return save(back)
        except services.RosterError as error:
            _field_error(form, error)
    return _form_page(form, title, action, _("Save"), back)


# --- staff -----------------------------------------------------------------------------------


@bp.get("/roster/staff")
@roles_required(*READERS)
def roster_staff() -> ResponseReturnValue:
    q = request.args.get("q", "")[:60]
    status = request.args.get("status")
    status = status if status in services.STAFF_STATUSES else "active"
    sort = parse_sort(
        request.args.get("sort"), request.args.get("dir"), services.STAFF_SORTS, "name"
    )
    return render_page(
        "property/roster/staff.html",
        "results",
        staff=paginate(services.staff_rows(q, status, sort)),
        counts=services.staff_counts(),
        q=q,
        status=status,
        sort=sort,
        args=_args(q=q, status=status if status != "active" else None),
        can_edit=_can_edit(),
        show_company=current_user.role == Role.ADMIN,
    )


def _staff_form(member: Staff | None = None) -> forms.StaffForm:
    form = forms.StaffForm(_company_choices(), obj=member)
    if request.method == "GET":
        form.next.data = _list_url(url_for("property.roster_staff"))
        if member is not None:
            form.position.data = member.position.value
    _fit_company_field(form)
    return form


@bp.route("/roster/staff/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_staff_new() -> ResponseReturnValue:
    form = _staff_form()
    if form.validate_on_submit():
        company_id = _chosen_company(form)
        get_visible_or_404(Company, company_id)
        member = services.create_staff(company_id, **form.values())
        db.session.commit()
        flash(_("%(name)s added to the staff.", name=member.name), "success")
        return redirect_to(safe_next(form.next.data) or url_for("property.roster_staff"))
    return _form_page(
        form,
        _("New staff member"),
        url_for("property.roster_staff_new"),
        _("Add staff member"),
        safe_next(form.next.data) or url_for("property.roster_staff"),
    )


@bp.route("/roster/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_staff_edit(staff_id: int) -> ResponseReturnValue:
    member = get_visible_or_404(Staff, staff_id)
    form = _staff_form(member)
    if "company_id" in form:
        # Moving someone to another company is a new hire there, not an edit.
        del form.company_id
    if form.validate_on_submit():
        services.update_staff(member, **form.values())
        db.session.commit()
        flash(_("%(name)s saved.", name=member.name), "success")
        return redirect_to(safe_next(form.next.data) or url_for("property.roster_staff"))
    return _form_page(
        form,
        _("Edit %(name)s", name=member.name),
        url_for("property.roster_staff_edit", staff_id=member.id),
        _("Save"),
        safe_next(form.next.data) or url_for("property.roster_staff"),
    )


@bp.post("/roster/staff/<int:staff_id>/status")
@roles_required(*EDITORS)
def roster_staff_status(staff_id: int) -> ResponseReturnValue:
    member = get_visible_or_404(Staff, staff_id)
    form = forms.StaffStatusForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    active = form.active.data == "1"
    services.set_staff_active(member, active)
    db.session.commit()
    message = (
        _("%(name)s is active again.", name=member.name)
        if active
        else _("%(name)s has been deactivated.", name=member.name)
    )
    flash(message, "success")
    return redirect_to(safe_next(form.next.data) or url_for("property.roster_staff"))


@bp.route("/roster/staff/<int:staff_id>/account", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_staff_account(staff_id: int) -> ResponseReturnValue:
    member = get_visible_or_404(Staff, staff_id)
    form = forms.AccountForm()
    if request.method == "GET":
        form.next.data = _list_url(url_for("property.roster_staff"))
        form.role.data = (
            Role.MANAGER.value if member.position.value == "manager" else Role.STEWARD.value
        )
    back = safe_next(form.next.data) or url_for("property.roster_staff")
    if form.validate_on_submit():
        try:
            account, password = services.give_account(
                member, form.username.data, Role(form.role.data)
            )
        except services.RosterError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            return render_page(
                "property/roster/account_done.html",
                "dialog",
                member=member,
                account=account,
                password=password,
                back_url=back,
                in_dialog=bool(request.htmx),
            )
    return _form_page(
        form,
        _("An account for %(name)s", name=member.name),
        url_for("property.roster_staff_account", staff_id=member.id),
        _("Create account"),
        back,
        intro=_(
            "The initial password is shown once, after you create the account. "
            "Hand it to %(name)s, who changes it at the first sign-in.",
            name=member.name,
        ),
    )


# --- history ---------------------------------------------------------------------------------


@bp.get("/roster/history")
@roles_required(*EDITORS)
def roster_history() -> ResponseReturnValue:
    entity = request.args.get("entity")
    entity = entity if entity in services.ENTITY_LABELS else None
    entries = paginate(services.recent_changes(entity))
    return render_page(
        "property/roster/history.html",
        "entries",
        row=None,
        entries=entries,
        changes=[services.describe(item.AuditEntry) for item in entries.items],
        action_labels=services.ACTION_LABELS,
        entity_labels=services.ENTITY_LABELS,
        entity=entity,
        entities=services.ENTITY_LABELS,
        endpoint="property.roster_history",
        args=_args(entity=entity),
    )
