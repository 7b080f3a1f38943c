"""Routes of the signing campaigns: the list, setting one up, its page (progress, steps,
history), the canvass list and a household's answers, the sheet of the visits still to make,
and the page where a resident signs."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from app import history
from app.authz import get_visible_or_404, roles_required
from app.blueprints.pacts.campaigns import services
from app.blueprints.pacts.campaigns.forms import AnswerForm, CampaignForm, SignForm
from app.blueprints.pacts.campaigns.services import (
    CampaignError,
    CanvassFilters,
    NotAllowed,
    Progress,
    State,
    Threshold,
)
from app.extensions import db
from app.labels import label
from app.listing import search_arg
from app.models import Answer, CampaignScope, CampaignStatus, PactVersion, Role, SigningCampaign
from app.pagination import paginate
from app.rendering import redirect_to, render_page
from app.rules import show_on_form
from app.security import safe_next

bp = Blueprint("campaigns", __name__)

READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD)
CANVASSERS = (Role.MANAGER, Role.STEWARD)
CANVASS_PAGE_SIZE = 50
DETAIL = "pacts/campaigns/detail.html"


def _state_labels() -> dict[State, str]:
    """The canvass list's filter by answer, in the reader's language."""
    return {
        State.PENDING: _("Not agreed yet"),
        State.AGREE: label(Answer.AGREE),
        State.DISAGREE: label(Answer.DISAGREE),
        State.ABSENT: label(Answer.ABSENT),
        State.UNASKED: _("Not yet asked"),
    }


def _campaign(campaign_id: int) -> SigningCampaign:
    return get_visible_or_404(SigningCampaign, campaign_id)


def _detail_url(campaign: SigningCampaign) -> str:
    return url_for("pacts.campaigns.campaign_detail", campaign_id=campaign.id)


def _common(campaign: SigningCampaign) -> dict[str, Any]:
    """What every page of one campaign shows in its head."""
    return {
        "campaign": campaign,
        "row": services.campaign_row(campaign),
        "threshold": Threshold.of(campaign),
        "rounds": services.ROUNDS,
        "refusal": services.refusal(campaign),
    }


# --- the list -------------------------------------------------------------------------------


@bp.get("/campaigns")
@roles_required(*READERS)
def campaign_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    chosen = CampaignStatus(status) if status in set(CampaignStatus) else None
    communities = services.community_choices()
    community = request.args.get("community", type=int)
    community = community if community in {c for c, _name in communities} else None
    campaigns = paginate(services.campaign_rows(chosen, community))
    return render_page(
        "pacts/campaigns/list.html",
        "campaigns",
        campaigns=campaigns,
        tallies=services.tallies([row.SigningCampaign for row in campaigns.items]),
        status=chosen,
        tabs=[(None, _("All")), *((s.value, label(s)) for s in CampaignStatus)],
        community=community,
        communities=communities,
        can_create=current_user.role == Role.MANAGER,
    )


# --- setting one up -------------------------------------------------------------------------


def _campaign_form(campaign: SigningCampaign | None = None, formdata: Any = None) -> CampaignForm:
    """The form with the communities the manager may choose and, for the chosen one, its pact
    versions, buildings and units; on GET prefilled from `campaign` or from the link followed
    (?version_id= from a pact's page, ?community_id=)."""
    if formdata is not None:
        form = CampaignForm(formdata=formdata, meta={"csrf": False})
    elif request.method == "POST":
        form = CampaignForm()
    elif campaign is not None:
        form = CampaignForm.for_campaign(campaign)
    else:
        version_id = request.args.get("version_id", type=int)
        community_id = services.version_community(version_id)
        form = CampaignForm(
            community_id=community_id or request.args.get("community_id", type=int),
            version_id=version_id if community_id else None,
        )
    form.community_id.choices = services.community_choices()
    community = form.chosen_community()
    form.set_places(
        services.version_choices(community),
        services.building_choices(community),
        services.unit_choices(community),
    )
    return form


def _render_form(form: CampaignForm, campaign: SigningCampaign | None) -> ResponseReturnValue:
    status = 422 if form.errors or form.form_errors else 200
    page = render_page("pacts/campaigns/form.html", "form", form=form, campaign=campaign)
    return page, status


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def campaign_new() -> ResponseReturnValue:
    form = _campaign_form()
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(current_user, form.draft())
        except CampaignError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The campaign is drafted. Open it when the canvassers are ready."), "success")
            return redirect_to(_detail_url(campaign))
    return _render_form(form, None)


@bp.get("/campaigns/targets")
@roles_required(Role.MANAGER)
def campaign_targets() -> ResponseReturnValue:
    """The pact versions, buildings and units of the community just chosen."""
    form = _campaign_form(formdata=request.args)
    return render_page("pacts/campaigns/form.html", "targets", form=form, campaign=None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def campaign_edit(campaign_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    if campaign.status != CampaignStatus.DRAFT and request.method == "GET":
        return redirect(_detail_url(campaign))
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        try:
            services.update_campaign(current_user, campaign, form.draft())
        except NotAllowed:
            abort(403)
        except CampaignError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The draft has been saved."), "success")
            return redirect_to(_detail_url(campaign))
    return _render_form(form, campaign)


# --- one campaign: progress and steps -------------------------------------------------------


def _render_detail(campaign: SigningCampaign, block: str = "units", step_error: Any = None) -> str:
    """The campaign's page; htmx asks for the units' pages alone, a refused step for the
    steps' section with its reason."""
    threshold = Threshold.of(campaign)
    buildings = (
        services.progress_by_building(campaign) if campaign.scope == CampaignScope.COMMUNITY else []
    )
    building = request.args.get("building", type=int)
    building = building if building in {b.building_id for b in buildings} else None
    return render_page(
        DETAIL,
        block,
        **_common(campaign),
        version=get_visible_or_404(PactVersion, campaign.version_id),
        totals=services.progress(campaign),
        buildings=buildings,
        building=building,
        units=paginate(services.progress_by_unit(campaign, building)),
        history=services.campaign_history(campaign),
        action_label=history.action_label,
        progress_of=lambda row: Progress.of(row, threshold),
        manages=services.may(current_user, campaign, "open"),
        canvasses=services.may(current_user, campaign, "canvass"),
        step_error=step_error,
    )


@bp.get("/campaigns/<int:campaign_id>")
@roles_required(*READERS)
def campaign_detail(campaign_id: int) -> ResponseReturnValue:
    return _render_detail(_campaign(campaign_id))


def _step(campaign_id: int, take: Any, done: str) -> ResponseReturnValue:
    """Take one of the manager's steps, or show on the campaign's page why not (422)."""
    campaign = _campaign(campaign_id)
    try:
        take(campaign)
    except NotAllowed:
        abort(403)
    except CampaignError as error:
        db.session.rollback()
        return _render_detail(campaign, "actions", error.message), 422
    db.session.commit()
    flash(done, "success")
    return redirect_to(_detail_url(campaign))


@bp.post("/campaigns/<int:campaign_id>/open")
@roles_required(Role.MANAGER)
def campaign_open(campaign_id: int) -> ResponseReturnValue:
    return _step(
        campaign_id,
        lambda campaign: services.open_campaign(current_user, campaign),
        _("The campaign is open: round 1 has begun."),
    )


@bp.post("/campaigns/<int:campaign_id>/round")
@roles_required(Role.MANAGER)
def campaign_round(campaign_id: int) -> ResponseReturnValue:
    to_round = request.form.get("round", 0, type=int)
    return _step(
        campaign_id,
        lambda campaign: services.next_round(current_user, campaign, to_round),
        _("Round %(n)s has begun.", n=to_round),
    )


@bp.post("/campaigns/<int:campaign_id>/close")
@roles_required(Role.MANAGER)
def campaign_close(campaign_id: int) -> ResponseReturnValue:
    return _step(
        campaign_id,
        lambda campaign: services.close_campaign(current_user, campaign),
        _("The campaign has been closed without adoption."),
    )


@bp.post("/campaigns/<int:campaign_id>/delete")
@roles_required(Role.MANAGER)
def campaign_delete(campaign_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    try:
        services.delete_campaign(current_user, campaign)
    except NotAllowed:
        abort(403)
    except CampaignError as error:
        db.session.rollback()
        return _render_detail(campaign, "actions", error.message), 422
    db.session.commit()
    flash(_("The draft has been deleted."), "success")
    return redirect_to(url_for("pacts.campaigns.campaign_list"))


# --- canvassing -----------------------------------------------------------------------------


def _places(campaign: SigningCampaign) -> tuple[list[Any], list[tuple[int, str]]]:
    """The units in scope, and their buildings (in order, each once), for the filters."""
    units = services.units_in_scope(campaign)
    buildings = list(dict.fromkeys((u.building_id, u.building_number) for u in units))
    return units, buildings


def _canvass_filters(units: list[Any]) -> tuple[CanvassFilters, dict[str, Any]]:
    """The filters asked for that make sense here; the others are dropped."""
    unit = request.args.get("unit", type=int)
    unit = unit if unit in {u.id for u in units} else None
    building = request.args.get("building", type=int)
    building = building if building in {u.building_id for u in units} else None
    state = request.args.get("state", "")
    filters = CanvassFilters(
        building_id=building,
        unit_id=unit,
        state=State(state) if state in set(State) else None,
        q=search_arg().strip(),
    )
    args = {
        "building": filters.building_id,
        "unit": filters.unit_id,
        "state": filters.state.value if filters.state else None,
        "q": filters.q or None,
    }
    return filters, {k: v for k, v in args.items() if v is not None}


def _row_shared(campaign: SigningCampaign, here: str) -> dict[str, Any]:
    """What every row of the canvass list repeats, translated once for the page rather than
    once a row (a page holds fifty); the texts with a blank are filled in by each row."""
    return {
        "campaign_id": campaign.id,
        "open": services.refusal(campaign) is None,
        "here": here,
        "answers": [(answer.value, label(answer)) for answer in Answer],
        "floor": _("Floor %(n)s"),
        "round": _("Round %(n)s"),
        "button": _("%(answer)s: room %(room)s"),
        "owner": _("Owner"),
        "current": _("Current answer"),
        "record": _("Record an answer"),
        "details": _("Details and history"),
    }


@bp.get("/campaigns/<int:campaign_id>/canvass")
@roles_required(*CANVASSERS)
def campaign_canvass(campaign_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    units, buildings = _places(campaign)
    filters, args = _canvass_filters(units)
    return render_page(
        "pacts/campaigns/canvass.html",
        "households",
        **_common(campaign),
        totals=services.progress(campaign),
        households=paginate(services.canvass_rows(campaign, filters), per_page=CANVASS_PAGE_SIZE),
        filters=filters,
        args=args,
        units=units,
        buildings=buildings,
        state_labels=_state_labels(),
        shared=_row_shared(campaign, request.full_path),
    )


def _record(campaign: SigningCampaign, household_id: int, form: AnswerForm) -> bool:
    """Record the form's answer for the household; False, with the reason on the form, if
    it is refused (nothing is then written)."""
    if not form.validate_on_submit():
        return False
    try:
        services.record_answer(
            current_user, campaign, household_id, Answer(form.answer.data), **form.values()
        )
    except NotAllowed:
        abort(403)
    except CampaignError as error:
        show_on_form(form, error)
        return False
    db.session.commit()
    return True


def _recorded_message(campaign: SigningCampaign, row: Any) -> str:
    if campaign.status == CampaignStatus.ADOPTED:
        return _("Recorded. Support has reached the threshold: the pact is adopted.")
    return _("The answer of room %(room)s has been recorded.", room=row.room)


def _back_to_canvass(campaign: SigningCampaign) -> str:
    """Where the canvasser came from (the list, filtered and paged as they left it)."""
    return safe_next(request.values.get("next")) or url_for(
        "pacts.campaigns.campaign_canvass", campaign_id=campaign.id
    )


def _household_row(campaign: SigningCampaign, household_id: int) -> Any:
    row = services.canvass_row(campaign, household_id)
    if row is None:
        abort(404)
    return row


@bp.post("/campaigns/<int:campaign_id>/canvass/<int:household_id>")
@roles_required(*CANVASSERS)
def canvass_answer(campaign_id: int, household_id: int) -> ResponseReturnValue:
    """A quick answer from the canvass list: htmx swaps the household's row; without script
    the browser goes back to the list, or to the household's page to say why not."""
    campaign = _campaign(campaign_id)
    row = _household_row(campaign, household_id)
    form = AnswerForm(campaign)
    recorded = _record(campaign, household_id, form)
    if request.htmx:
        errors = [*form.form_errors, *(e for field in form for e in field.errors)]
        swapped = render_page(
            "pacts/campaigns/_canvass_row.html",
            row=_household_row(campaign, household_id),
            shared=_row_shared(campaign, safe_next(request.form.get("next")) or ""),
            saved=recorded,
            error=" ".join(map(str, errors)) or None,
        )
        if recorded:
            swapped += render_block(
                "pacts/campaigns/canvass.html",
                "support",
                **_common(campaign),
                totals=services.progress(campaign),
                oob=True,
            )
        return swapped, (200 if recorded else 422)
    if recorded:
        flash(_recorded_message(campaign, row), "success")
        return redirect(_back_to_canvass(campaign))
    return _render_household(campaign, household_id, form), 422


def _render_household(campaign: SigningCampaign, household_id: int, form: AnswerForm) -> str:
    return render_page(
        "pacts/campaigns/household.html",
        "answer",
        **_common(campaign),
        household=_household_row(campaign, household_id),
        history=services.answer_history(campaign, household_id),
        form=form,
        back=_back_to_canvass(campaign),
    )


@bp.route("/campaigns/<int:campaign_id>/households/<int:household_id>", methods=["GET", "POST"])
@roles_required(*CANVASSERS)
def household_answers(campaign_id: int, household_id: int) -> ResponseReturnValue:
    """A household's answers in the campaign, and the full form for one given at the door:
    the round, who asked, when, a remark."""
    campaign = _campaign(campaign_id)
    row = _household_row(campaign, household_id)
    if request.method == "POST":
        form = AnswerForm(campaign)
        if _record(campaign, household_id, form):
            flash(_recorded_message(campaign, row), "success")
            return redirect_to(_back_to_canvass(campaign))
    else:
        form = AnswerForm.blank(campaign, current_user.display_name)
    status = 422 if form.errors or form.form_errors else 200
    return _render_household(campaign, household_id, form), status


@bp.get("/campaigns/<int:campaign_id>/visits")
@roles_required(*READERS)
def campaign_visits(campaign_id: int) -> ResponseReturnValue:
    """The printable sheet of the households still to visit, by building and unit."""
    campaign = _campaign(campaign_id)
    units, buildings = _places(campaign)
    filters, args = _canvass_filters(units)
    rows = services.visits(campaign, filters.building_id, filters.unit_id)
    groups = [
        (key, list(members))
        for key, members in groupby(rows, key=lambda r: (r.building_number, r.unit_number))
    ]
    return render_page(
        "pacts/campaigns/visits.html",
        **_common(campaign),
        groups=groups,
        total=len(rows),
        answers=list(Answer),
        filters=filters,
        args=args,
        units=units,
        buildings=buildings,
    )


# --- residents ------------------------------------------------------------------------------


@bp.route("/campaigns/<int:campaign_id>/sign", methods=["GET", "POST"])
@roles_required(Role.RESIDENT)
def campaign_sign(campaign_id: int) -> ResponseReturnValue:
    """The pact's text and the resident's households the campaign asks, each with its answer
    and the buttons to give or change it while the campaign is open."""
    campaign = _campaign(campaign_id)
    homes = services.asked_households(campaign)
    form = SignForm([home.household_id for home in homes])
    error, saved, notice = None, None, None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.sign(
                    current_user, campaign, form.household_id.data, Answer(form.answer.data)
                )
            except NotAllowed:
                abort(403)
            except CampaignError as refused:
                db.session.rollback()
                error = refused.message
            else:
                db.session.commit()
                saved = form.household_id.data
                notice = (
                    _("Thank you. With your answer the pact has been adopted.")
                    if campaign.status == CampaignStatus.ADOPTED
                    else _("Thank you. Your answer has been recorded.")
                )
                if not request.htmx:
                    flash(notice, "success")
                    return redirect(
                        url_for("pacts.campaigns.campaign_sign", campaign_id=campaign.id)
                    )
        else:
            error = " ".join(str(e) for field in form for e in field.errors)
        homes = services.asked_households(campaign)
    return render_page(
        "pacts/campaigns/sign.html",
        "households",
        **_common(campaign),
        version=get_visible_or_404(PactVersion, campaign.version_id),
        homes=homes,
        totals=services.progress(campaign),
        error=error,
        saved=saved,
        notice=notice,
        chosen=form.household_id.data if error else None,
    ), (422 if error else 200)
