"""Household and resident lists with live search and sorting, a household's page, inline
editing of its row, adding a household, and unlinking a resident account."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.authz import get_visible_or_404, roles_required, visible
from app.blueprints.property.roster import forms, services
from app.blueprints.property.roster.views.common import (
    EDITORS,
    READERS,
    back_to,
    bp,
    can_edit,
    dialog,
    int_arg,
    link_args,
    list_url,
    saved,
    searched_list,
)
from app.extensions import db
from app.inputs import record_id
from app.listing import search_arg, sort_arg
from app.models import Building, Household, Unit
from app.pagination import paginate
from app.rendering import redirect_to, render_page


@bp.get("/roster/households")
@roles_required(*READERS)
def roster_households() -> ResponseReturnValue:
    filters = services.HouseholdFilter(
        q=search_arg(),
        community_id=int_arg("community"),
        building_id=int_arg("building"),
        unit_id=int_arg("unit"),
    )
    sort = sort_arg(services.HOUSEHOLD_SORTS, "room")
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
    args = link_args(
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
        can_edit=can_edit(),
    )


@bp.route("/roster/households/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_household_new() -> ResponseReturnValue:
    community_id = request.values.get("community", type=record_id)
    form = forms.HouseholdForm(services.visible_units(community_id))
    if request.method == "GET":
        form.next.data = list_url(url_for("property.roster.roster_households"))

    def save() -> ResponseReturnValue:
        unit = get_visible_or_404(Unit, form.unit_id.data)
        household = services.create_household(
            unit, form.room.data.strip(), form.floor.data, **form.values()
        )
        return saved(
            _("Household %(room)s added.", room=household.room),
            url_for(
                "property.roster.roster_households",
                community=household.community_id,
                unit=household.unit_id,
                q=household.room,
            ),
        )

    return dialog(
        form,
        save,
        _("New household"),
        url_for("property.roster.roster_household_new", **link_args(community=community_id)),
        _("Add household"),
        back_to(form, "property.roster.roster_households"),
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
        can_edit=can_edit(),
    )


@bp.get("/roster/households/<int:household_id>/row")
@roles_required(*READERS)
def roster_household_row(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    if not request.htmx:
        return redirect(url_for("property.roster.roster_household", household_id=household.id))
    return render_page(
        "property/roster/_household_row.html",
        row=services.household_row(household.id),
        can_edit=can_edit(),
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
            return redirect(url_for("property.roster.roster_household", household_id=household.id))
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
    back = back_to(form, "property.roster.roster_household", household_id=household.id)
    user_id = form.user_id.data if form.validate_on_submit() else None
    try:
        user_id = record_id(user_id)
    except ValueError:
        abort(400)
    try:
        services.unlink_resident(household, user_id)
    except LookupError:
        abort(404)
    db.session.commit()
    flash(_("The resident no longer belongs to room %(room)s.", room=household.room), "success")
    return redirect_to(back)


# --- residents -------------------------------------------------------------------------------


@bp.get("/roster/residents")
@roles_required(*READERS)
def roster_residents() -> ResponseReturnValue:
    return searched_list(
        "property/roster/residents.html",
        "residents",
        services.resident_rows,
        services.RESIDENT_SORTS,
        "room",
        relations=services.RELATIONS,
    )
