"""Communities, their buildings and units: the lists, the dialogs that add and edit them, and
the building generator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, make_response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.authz import get_visible_or_404, roles_required
from app.blueprints.property.roster import forms, services
from app.blueprints.property.roster.views.common import (
    EDITORS,
    READERS,
    back_to,
    bp,
    can_edit,
    chosen_company,
    company_choices,
    dialog,
    fit_company_field,
    list_url,
    saved,
    searched_list,
)
from app.extensions import db
from app.models import Building, Community, Unit
from app.pagination import paginate
from app.rendering import render_page
from app.security import safe_next


@bp.get("/roster/communities")
@roles_required(*READERS)
def roster_communities() -> ResponseReturnValue:
    return searched_list(
        "property/roster/communities.html",
        "communities",
        services.community_list,
        services.COMMUNITY_SORT_KEYS,
        "name",
    )


def _community_form(community: Community | None = None) -> forms.CommunityForm:
    form = forms.CommunityForm(company_choices(), obj=community)
    if community is None and request.method == "GET" and current_user.company is not None:
        company = current_user.company
        form.city.data, form.district.data = company.city, company.district
    if request.method == "GET":
        form.next.data = list_url(url_for("property.roster.roster_communities"))
        if community is not None:
            form.management_mode.data = community.management_mode.value
    fit_company_field(form, community)
    return form


@bp.route("/roster/communities/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_community_new() -> ResponseReturnValue:
    form = _community_form()

    def save() -> ResponseReturnValue:
        community = services.create_community(chosen_company(form), **form.values())
        return saved(
            _("Community %(name)s added.", name=community.name),
            url_for("property.roster.roster_community", community_id=community.id),
        )

    return dialog(
        form,
        save,
        _("New community"),
        url_for("property.roster.roster_community_new"),
        _("Add community"),
        back_to(form, "property.roster.roster_communities"),
    )


@bp.route("/roster/communities/<int:community_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def roster_community_edit(community_id: int) -> ResponseReturnValue:
    community = get_visible_or_404(Community, community_id)
    form = _community_form(community)
    back = back_to(form, "property.roster.roster_communities")

    def save() -> ResponseReturnValue:
        services.update_community(community, **form.values())
        return saved(_("Community %(name)s saved.", name=community.name), back)

    return dialog(
        form,
        save,
        _("Edit %(name)s", name=community.name),
        url_for("property.roster.roster_community_edit", community_id=community.id),
        _("Save"),
        back,
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
        can_edit=can_edit(),
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
    action = url_for("property.roster.roster_building_edit", building_id=building.id)
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
    action = url_for("property.roster.roster_unit_edit", unit_id=unit.id)
    return _part_dialog(form, unit.community_id, save, title, action)


def _part_dialog(
    form: Any,
    community_id: int,
    save: Callable[[str], ResponseReturnValue],
    title: str,
    action: str,
) -> ResponseReturnValue:
    """The edit dialog of a part of a community (a building, a unit), opened from and returning
    to its page: `save(back)` applies a valid form, or raises RuleError for one field."""
    community_page = url_for("property.roster.roster_community", community_id=community_id)
    if request.method == "GET":
        form.next.data = list_url(community_page)
    back = safe_next(form.next.data) or community_page
    return dialog(form, lambda: save(back), title, action, _("Save"), back)
