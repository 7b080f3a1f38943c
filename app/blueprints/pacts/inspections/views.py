"""Routes of the inspections part: record an inspection on a phone, the lists, a unit's history,
one inspection and its photos, the rankings and the honour board."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import uploads
from app.authz import get_visible_or_404, roles_required, visible
from app.blueprints.pacts.inspections import services
from app.blueprints.pacts.inspections.forms import (
    InspectionFilterForm,
    InspectionForm,
    RankingForm,
    SearchForm,
    UnitPickerForm,
)
from app.blueprints.pacts.inspections.services import Filters, Level, Reach
from app.blueprints.pacts.standing import SpanKind
from app.errors import render_error
from app.extensions import db
from app.models import (
    INSPECTION_ITEMS,
    ITEM_MAX,
    Community,
    Company,
    Inspection,
    InspectionPhoto,
    Role,
)
from app.pagination import paginate
from app.periods import add_months, current_period, parse_period, shanghai_today
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form

bp = Blueprint("inspections", __name__)

STAFF = (Role.ADMIN, Role.MANAGER, Role.STEWARD)
INSPECTORS = (Role.MANAGER, Role.STEWARD, Role.RESIDENT)
EVERYONE = (Role.ADMIN, Role.MANAGER, Role.STEWARD, Role.RESIDENT)
HONOUR_PAGE = 10  # communities per page of the honour board


def _valid(field: Any) -> Any:
    """A query-string filter's value, or None when it failed validation (its error is shown)."""
    data = None if field.errors else field.data
    return data.strip() if isinstance(data, str) else data


def _args() -> dict[str, str]:
    """The list's query arguments, for its pager."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


# --- recording ------------------------------------------------------------------------------


@bp.route("/inspections/new", methods=["GET", "POST"])
@roles_required(*INSPECTORS)
def new_inspection() -> ResponseReturnValue:
    unit_id = request.args.get("unit_id", type=int)
    if unit_id is None:
        if request.method == "POST":
            abort(404)
        return _unit_picker()
    unit = services.unit_for(current_user, unit_id)
    if unit is None:
        abort(404)
    reason = services.refusal(current_user, unit)
    if reason is not None:
        return render_error(403, str(reason))
    today = shanghai_today()
    form = InspectionForm() if request.method == "POST" else InspectionForm(inspected_on=today)
    if form.validate_on_submit():
        saved = _record(form, unit)
        if saved is not None:
            flash(
                _("The inspection has been recorded: %(score)s points.", score=saved.score),
                "success",
            )
            return redirect_to(url_for(".inspection_detail", inspection_id=saved.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_page(
        "pacts/inspections/new.html",
        "form",
        form=form,
        unit=unit,
        place=services.place_of(unit.id),
        today=today,
        earliest=today - timedelta(days=services.MAX_AGE_DAYS),
    ), status


def _record(form: InspectionForm, unit: Any) -> Inspection | None:
    """Store the photos and record the inspection; if it is refused, or anything fails before
    it is saved, the photos are removed again and the reason goes on the form."""
    try:
        photos = services.store_photos(upload.stream for upload in form.uploads())
    except uploads.UploadError as error:
        form.photos.errors = [*form.photos.errors, error.message]
        return None
    try:
        inspection = services.record_inspection(
            current_user,
            unit,
            inspected_on=form.inspected_on.data,
            scores=form.scores(),
            remarks=form.remarks.data,
            photos=photos,
        )
        db.session.commit()
    except RuleError as error:
        services.discard_photos(photos)
        show_on_form(form, error)
        return None
    except BaseException:
        services.discard_photos(photos)
        raise
    return inspection


def _unit_picker() -> ResponseReturnValue:
    """Which unit to inspect: the user's units in one community at a time, building by
    building, each a button to tap."""
    communities = services.inspectable_communities(current_user)
    form = UnitPickerForm(request.args)
    form.community.choices = [(str(cid), name) for cid, name in communities]
    form.validate()
    chosen = _valid(form.community)
    community_id = int(chosen) if chosen else (communities[0][0] if communities else None)
    tiles = services.unit_tiles(current_user, community_id) if community_id else []
    return render_page(
        "pacts/inspections/pick.html",
        "units",
        form=form,
        communities=communities,
        community_id=community_id,
        tiles=tiles,
    ), (422 if form.errors else 200)


# --- reading --------------------------------------------------------------------------------


@bp.get("/inspections")
@roles_required(*STAFF)
def inspections_index() -> ResponseReturnValue:
    form = SearchForm(request.args)
    form.validate()
    rows = paginate(services.community_overview(current_user, _valid(form.q) or ""))
    return render_page(
        "pacts/inspections/index.html",
        "results",
        form=form,
        rows=rows,
        args=_args(),
        period=current_period(),
    ), (422 if form.errors else 200)


@bp.get("/inspections/communities/<int:community_id>")
@roles_required(*STAFF)
def community_inspections(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    form = InspectionFilterForm(
        request.args, buildings=services.building_choices(place.id, current_user)
    )
    form.validate()
    building, month = _valid(form.building), _valid(form.month)
    filters = Filters(
        building_id=int(building) if building else None,
        unit=_valid(form.unit) or "",
        period=parse_period(month) if month else None,
    )
    rows = paginate(services.community_inspections(place.id, filters, current_user))
    return render_page(
        "pacts/inspections/community.html",
        "results",
        form=form,
        community=place,
        rows=rows,
        args=_args(),
    ), (422 if form.errors else 200)


@bp.get("/inspections/units/<int:unit_id>")
@roles_required(*EVERYONE)
def unit_inspections(unit_id: int) -> ResponseReturnValue:
    unit = services.unit_for(current_user, unit_id)
    if unit is None:
        abort(404)
    return render_page(
        "pacts/inspections/unit.html",
        "results",
        unit=unit,
        place=services.place_of(unit.id),
        rows=paginate(services.unit_inspections(unit.id, current_user)),
        trend=services.monthly_averages(unit.id, current_user),
        may_inspect=current_user.role in INSPECTORS
        and services.refusal(current_user, unit) is None,
    )


@bp.get("/inspections/<int:inspection_id>")
@roles_required(*EVERYONE)
def inspection_detail(inspection_id: int) -> ResponseReturnValue:
    inspection = get_visible_or_404(Inspection, inspection_id)
    return render_page(
        "pacts/inspections/detail.html",
        inspection=inspection,
        place=services.place_of(inspection.unit_id),
        items=[
            (services.ITEM_LABELS[item], getattr(inspection, item)) for item in INSPECTION_ITEMS
        ],
        item_max=ITEM_MAX,
        photos=services.photos_of(inspection, current_user),
        unit_page=services.unit_for(current_user, inspection.unit_id) is not None,
    )


@bp.get("/inspections/photos/<int:photo_id>")
@roles_required(*EVERYONE)
def inspection_photo(photo_id: int) -> ResponseReturnValue:
    photo = get_visible_or_404(InspectionPhoto, photo_id)
    return uploads.send_image(
        services.PHOTOS, photo.stored_name, thumbnail=request.args.get("size") == "thumb"
    )


# --- rankings and honours -------------------------------------------------------------------


def _ranking_places(company_id: int | None) -> tuple[list, list | None]:
    """The communities a ranking may cover and, for the district office, the companies: the
    office picks a company before one of its communities."""
    communities = visible(Community).with_only_columns(Community.id, Community.name)
    if current_user.role != Role.ADMIN:
        return list(db.session.execute(communities.order_by(Community.name))), None
    companies = visible(Company).with_only_columns(Company.id, Company.name)
    companies_list = list(db.session.execute(companies.order_by(Company.name)))
    if company_id is None:
        return [], companies_list
    of_company = communities.where(Community.company_id == company_id).order_by(Community.name)
    return list(db.session.execute(of_company)), companies_list


@bp.get("/inspections/rankings")
@roles_required(*STAFF)
def inspection_rankings() -> ResponseReturnValue:
    communities, companies = _ranking_places(request.args.get("company", type=int))
    form = RankingForm(request.args, communities=communities, companies=companies)
    form.validate()
    kind = SpanKind(_valid(form.span) or SpanKind.MONTH)
    month = _valid(form.month)
    span = services.span_of(kind, parse_period(month)) if month else services.completed_span(kind)
    level = Level(_valid(form.level) or Level.UNITS)
    community, company = _valid(form.community), _valid(form.company)
    reach = Reach(
        community_id=int(community) if community else None,
        company_id=int(company) if company and companies is not None else None,
    )
    page = paginate(services.ranking(span, level, reach, current_user))
    earlier = services.span_of(kind, add_months(span.first, -1))
    later = services.span_of(kind, add_months(span.last, 1))
    return render_page(
        "pacts/inspections/rankings.html",
        "results",
        form=form,
        span=span,
        level=level,
        reach=reach,
        names={"community": dict(communities), "company": dict(companies or [])},
        rows=replace(page, items=services.with_places(page.items)),
        args=_args(),
        earlier=earlier,
        later=later if later.first <= current_period() else None,
    ), (422 if form.errors else 200)


@bp.get("/inspections/honours")
@roles_required(*EVERYONE)
def honour_board() -> ResponseReturnValue:
    form = SearchForm(request.args)
    form.validate()
    spans = services.honour_spans()
    page = paginate(
        services.honour_communities(current_user, _valid(form.q) or "", spans), HONOUR_PAGE
    )
    board = services.honour_board([(row.id, row.name) for row in page.items], current_user, spans)
    return render_page(
        "pacts/inspections/honours.html",
        "results",
        form=form,
        rows=replace(page, items=board),
        spans=spans,
        args=_args(),
        searchable=current_user.role != Role.RESIDENT,
        leads=current_user.role == Role.RESIDENT
        and bool(services.inspectable_communities(current_user)),
    ), (422 if form.errors else 200)
