"""Routes of the steward assignments: coverage for the district office and the managers, a
community's grid of units, a building's and a unit's page with the forms that post someone
on their boards, and taking someone off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import history
from app.authz import get_visible_or_404, roles_required
from app.blueprints.pacts.stewards import services
from app.blueprints.pacts.stewards.forms import EndForm, LeaderForm, PostForm, StewardForm
from app.blueprints.pacts.stewards.services import Gap, Person, Target
from app.extensions import db
from app.models import (
    Building,
    Community,
    Company,
    Role,
    StewardAssignment,
    StewardKind,
    Unit,
)
from app.pagination import paginate
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form

bp = Blueprint("stewards", __name__)

# Stewards read who is posted where; posting and taking off is the company office's work.
READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD)
EDITORS = (Role.MANAGER,)
BUILDINGS_PER_PAGE = 8  # a page of the grid: some fifty units, in two queries
# A unit's page holds both posting forms: their fields' names and ids must differ.
STEWARD_PREFIX, LEADER_PREFIX = "steward-", "leader-"
Page = Callable[..., str]  # a page's renderer: (block, **forms) -> the page or the block


def _can_edit() -> bool:
    return current_user.role in EDITORS


# --- coverage --------------------------------------------------------------------------------


@bp.get("/stewards")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    totals = services.coverage(services.visible_communities())
    if current_user.role == Role.ADMIN:
        companies = paginate(services.company_coverage())
        return render_page(
            "pacts/stewards/district.html", "companies", totals=totals, companies=companies
        )
    return render_page(
        "pacts/stewards/communities.html",
        "communities",
        totals=totals,
        communities=paginate(services.community_coverage()),
        company=current_user.company,
        endpoint="pacts.stewards.index",
        args={},
    )


@bp.get("/stewards/companies/<int:company_id>")
@roles_required(Role.ADMIN)
def company(company_id: int) -> ResponseReturnValue:
    operator = get_visible_or_404(Company, company_id)
    own = select(Community.id).where(Community.company_id == operator.id)
    return render_page(
        "pacts/stewards/communities.html",
        "communities",
        totals=services.coverage(own),
        communities=paginate(services.community_coverage(company_id=operator.id)),
        company=operator,
        endpoint="pacts.stewards.company",
        args={"company_id": operator.id},
    )


# --- a community's grid ----------------------------------------------------------------------


@bp.get("/stewards/communities/<int:community_id>")
@roles_required(*READERS)
def community(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    gap = request.args.get("gap")
    gap = Gap(gap) if gap in set(Gap) else None
    buildings = paginate(services.building_rows(place, gap), per_page=BUILDINGS_PER_PAGE)
    # The history is the company office's and the district's to read, as the roster's is.
    changes = services.recent_changes(place) if current_user.role != Role.STEWARD else []
    return render_page(
        "pacts/stewards/community.html",
        "grid",
        community=place,
        totals=services.coverage([place.id]),
        gap=gap,
        buildings=buildings,
        units=services.duty_rows((row.Building.id for row in buildings.items), gap),
        changes=[(item, history.describe(item.AuditEntry)) for item in changes],
        action_label=history.action_label,
        can_edit=_can_edit(),
    )


@bp.route("/stewards/communities/<int:community_id>/steward", methods=["GET", "POST"])
@roles_required(*EDITORS)
def community_steward(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    target = Target.of_community(place)
    form = _steward_form(target)

    def page(block: str | None = None, **forms: Any) -> str:
        return render_page(
            "pacts/stewards/community_steward.html",
            block,
            community=place,
            totals=services.coverage([place.id]),
            **forms,
        )

    if request.method == "GET":
        return page(steward_form=form)
    return _post_steward(target, form, page, url_for(".community", community_id=place.id))


# --- a building ------------------------------------------------------------------------------


def _building_page(building: Building, block: str | None = None, **forms: Any) -> str:
    target = Target.of_building(building)
    if _can_edit():
        forms.setdefault("steward_form", _steward_form(target))
        forms.setdefault("leader_form", _leader_form(target))
    return render_page(
        "pacts/stewards/building.html",
        block,
        building=building,
        community=building.community,
        units=services.duty_rows([building.id]).get(building.id, []),
        can_edit=_can_edit(),
        **forms,
    )


@bp.get("/stewards/buildings/<int:building_id>")
@roles_required(*READERS)
def building(building_id: int) -> ResponseReturnValue:
    return _building_page(get_visible_or_404(Building, building_id))


@bp.post("/stewards/buildings/<int:building_id>/steward")
@roles_required(*EDITORS)
def building_steward(building_id: int) -> ResponseReturnValue:
    block = get_visible_or_404(Building, building_id)
    target = Target.of_building(block)
    return _post_steward(
        target,
        _steward_form(target),
        lambda name=None, **forms: _building_page(block, name, **forms),
        url_for(".building", building_id=block.id),
    )


@bp.post("/stewards/buildings/<int:building_id>/leader")
@roles_required(*EDITORS)
def building_leader(building_id: int) -> ResponseReturnValue:
    block = get_visible_or_404(Building, building_id)
    target = Target.of_building(block)
    return _post_leader(
        target,
        _leader_form(target),
        lambda name=None, **forms: _building_page(block, name, **forms),
        url_for(".building", building_id=block.id),
    )


@bp.get("/stewards/buildings/<int:building_id>/leader-fields")
@roles_required(*EDITORS)
def leader_fields(building_id: int) -> ResponseReturnValue:
    """The leader form's name, phone and account fields for the household just chosen, filled
    from the roster (the form asks for them when a household is picked)."""
    block = get_visible_or_404(Building, building_id)
    chosen = request.args.get(f"{LEADER_PREFIX}household_id", type=int)
    households = services.household_choices(block)
    form = LeaderForm(households, prefix=LEADER_PREFIX)
    for home in households:
        if home.id == chosen:
            form.choose(home)
    return render_page("pacts/stewards/_leader_fields.html", form=form)


# --- a unit ----------------------------------------------------------------------------------


def _unit_page(unit: Unit, block: str | None = None, **forms: Any) -> str:
    target = Target.of_unit(unit)
    duty = services.unit_duty(unit)
    if _can_edit():
        forms.setdefault("steward_form", _steward_form(target))
        forms.setdefault("leader_form", _leader_form(target))
        for kind in StewardKind:
            forms.setdefault(f"end_{kind.value}", _end_form(kind))
    return render_page(
        "pacts/stewards/unit.html",
        block,
        unit=unit,
        building=unit.building,
        community=unit.building.community,
        duty=duty,
        history=paginate(services.unit_history(unit), per_page=20),
        can_edit=_can_edit(),
        **forms,
    )


@bp.get("/stewards/units/<int:unit_id>")
@roles_required(*READERS)
def unit(unit_id: int) -> ResponseReturnValue:
    return _unit_page(get_visible_or_404(Unit, unit_id), "history")


@bp.post("/stewards/units/<int:unit_id>/steward")
@roles_required(*EDITORS)
def unit_steward(unit_id: int) -> ResponseReturnValue:
    entrance = get_visible_or_404(Unit, unit_id)
    target = Target.of_unit(entrance)
    return _post_steward(
        target,
        _steward_form(target),
        lambda name=None, **forms: _unit_page(entrance, name, **forms),
        url_for(".unit", unit_id=entrance.id),
    )


@bp.post("/stewards/units/<int:unit_id>/leader")
@roles_required(*EDITORS)
def unit_leader(unit_id: int) -> ResponseReturnValue:
    entrance = get_visible_or_404(Unit, unit_id)
    target = Target.of_unit(entrance)
    return _post_leader(
        target,
        _leader_form(target),
        lambda name=None, **forms: _unit_page(entrance, name, **forms),
        url_for(".unit", unit_id=entrance.id),
    )


@bp.post("/stewards/assignments/<int:assignment_id>/end")
@roles_required(*EDITORS)
def end(assignment_id: int) -> ResponseReturnValue:
    assignment = get_visible_or_404(StewardAssignment, assignment_id)
    entrance = db.session.get(Unit, assignment.unit_id)
    name = f"end_{assignment.kind.value}"
    form = _end_form(assignment.kind)
    back = url_for(".unit", unit_id=entrance.id)
    if form.validate_on_submit():
        try:
            services.end(assignment, form.ends_on.data)
        except RuleError as error:
            if error.field != "ends_on":
                # They left the board meanwhile: the unit's page shows who is on it now.
                db.session.rollback()
                flash(str(error.message), "error")
                return redirect_to(back)
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is off the board.", name=assignment.name), "success")
            return redirect_to(back)
    return _unit_page(entrance, name, **{name: form}), 422


# --- the forms and their answers -------------------------------------------------------------


def _fitted(form: PostForm, target: Target) -> PostForm:
    return form.for_one_unit() if target.unit is not None else form


def _steward_form(target: Target) -> StewardForm:
    form = StewardForm(services.staff_choices(target.community), prefix=STEWARD_PREFIX)
    return _fitted(form, target)  # type: ignore[return-value]


def _leader_form(target: Target) -> LeaderForm:
    """The leader form of the target's building; a new one shows a household chosen (of the
    target unit, when it has one) with its owner's name and phone filled in."""
    building = target.building
    households = services.household_choices(building) if building is not None else []
    form = LeaderForm(households, prefix=LEADER_PREFIX)
    if request.method == "GET" and households:
        own = [home for home in households if target.unit and home.unit_id == target.unit.id]
        form.choose((own or households)[0])
    return _fitted(form, target)  # type: ignore[return-value]


def _end_form(kind: StewardKind) -> EndForm:
    return EndForm(prefix=f"end-{kind.value}-")


def _answer(
    form: PostForm,
    post: Callable[[], tuple[Person, int]],
    said: Callable[[Person, int], str],
    page: Page,
    block: str,
    back: str,
) -> ResponseReturnValue:
    """A posting form's answer: `post()` made (whom, how many units), committed and `said`, and
    the manager sent back to `back`; else the page again with the form's errors, only its block
    for htmx (422)."""
    if form.validate_on_submit():
        try:
            person, posted = post()
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(said(person, posted), "success")
            return redirect_to(back)
    return page(block, **{block: form}), 422


def _post_steward(target: Target, form: StewardForm, page: Page, back: str) -> ResponseReturnValue:
    def post() -> tuple[Person, int]:
        person = services.steward_person(target, form.staff_id.data, form.phone.data)
        starts_on, gaps = form.starts_on.data, form.fill_gaps
        return person, services.assign(target, person, starts_on, current_user, only_missing=gaps)

    def said(person: Person, posted: int) -> str:
        if target.unit is not None:
            return _("%(name)s is now the steward of this unit.", name=person.name)
        return _(
            "%(name)s is now the steward here (units posted: %(n)s).", name=person.name, n=posted
        )

    return _answer(form, post, said, page, "steward_form", back)


def _post_leader(target: Target, form: LeaderForm, page: Page, back: str) -> ResponseReturnValue:
    def post() -> tuple[Person, int]:
        person = services.leader_person(
            target, form.household_id.data, form.name.data, form.phone.data, form.user_id.data
        )
        starts_on, gaps = form.starts_on.data, form.fill_gaps
        return person, services.assign(target, person, starts_on, current_user, only_missing=gaps)

    def said(person: Person, posted: int) -> str:
        if target.unit is not None:
            return _("%(name)s is now the building leader of this unit.", name=person.name)
        return _(
            "%(name)s is now the building leader here (units posted: %(n)s).",
            name=person.name,
            n=posted,
        )

    return _answer(form, post, said, page, "leader_form", back)
