"""Billing (收费设置与开账): fee items and rates, late-fee rules, parking spaces and leases,
billing runs with their preview, a bill and its late-fee waivers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from app.authz import get_visible_or_404, roles_required, visible
from app.blueprints.fees.billing import (
    commands,  # noqa: F401 - registers `flask fees …`
    services,
)
from app.blueprints.fees.billing.forms import (
    BillingForm,
    EndLeaseForm,
    FeeItemForm,
    LateFeeRuleForm,
    LeaseForm,
    RateForm,
    SpacesForm,
    WaiverForm,
    period_of,
)
from app.blueprints.fees.billing.services import LateFeeTerms
from app.extensions import db
from app.inputs import record_id
from app.listing import search_arg
from app.models import (
    Community,
    FeeItem,
    FeeKind,
    Household,
    LateFeeMode,
    ParkingLease,
    ParkingSpace,
    Role,
)
from app.money import format_fen
from app.pagination import paginate
from app.periods import current_period, format_period
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form

bp = Blueprint("billing", __name__)

# Billing is the office's work: the district office and the companies' managers.
BILLERS = (Role.ADMIN, Role.MANAGER)
RECENT_RUNS = 10


# ---- Billing runs ---------------------------------------------------------------------------


def _community_choices(chosen: int | None) -> list[tuple[int, str]]:
    """A manager picks among their company's few communities. The district office bills
    every community, or the one it chose in the list below the form: two thousand options
    would make the page heavy and the choice no easier."""
    query = visible(Community).order_by(Community.name)
    if current_user.role != Role.ADMIN:
        return [(c.id, c.name) for c in db.session.scalars(query)]
    choices = [(0, str(_("Every community")))]
    if chosen:
        choices += [(c.id, c.name) for c in db.session.scalars(query.where(Community.id == chosen))]
    return choices


def _billing_form(query: Any = None) -> BillingForm:
    """The run form: posted, or (for the preview, which writes nothing) read from the query."""
    form = BillingForm(formdata=query, meta={"csrf": False}) if query else BillingForm()
    chosen = request.values.get("community_id", type=record_id)
    form.community_id.choices = _community_choices(chosen)
    if not query and request.method == "GET":
        form.period.data = format_period(current_period())
        form.community_id.data = chosen
    return form


def _home(form: BillingForm, preview: services.BillingPreview | None = None) -> ResponseReturnValue:
    """The billing page, or the part htmx asked for: the run form (with the preview) after
    a preview or a refused run, the community list when paging or searching it."""
    block = "communities" if request.endpoint == "fees.billing.billing_home" else "run_form"
    q = search_arg()
    context = {
        "form": form,
        "preview": preview,
        "q": q,
        "communities": paginate(services.community_rows(q)),
        "runs": db.session.execute(services.billing_run_rows().limit(RECENT_RUNS)).all(),
    }
    status = 422 if form.errors else 200
    return render_page("fees/billing/home.html", block, **context), status


@bp.get("/billing")
@roles_required(*BILLERS)
def billing_home() -> ResponseReturnValue:
    return _home(_billing_form())


def _preview_or_error(form: BillingForm) -> services.BillingPreview | None:
    if not form.validate():
        return None
    try:
        return services.preview_billing(
            period_of(form.period), form.community_id.data or None, current_user
        )
    except RuleError as error:
        show_on_form(form, error, "period")
        return None


@bp.get("/billing/preview")
@roles_required(*BILLERS)
def billing_preview() -> ResponseReturnValue:
    """How many bills a run would issue, and their total, before anything is written."""
    if not request.args:
        return redirect_to(url_for("fees.billing.billing_home"))
    form = _billing_form(request.args)
    return _home(form, _preview_or_error(form))


@bp.post("/billing/run")
@roles_required(*BILLERS)
def billing_run() -> ResponseReturnValue:
    form = _billing_form()
    if not form.validate_on_submit():
        return _home(form)
    period = period_of(form.period)
    try:
        run = services.run_billing(period, form.community_id.data or None, current_user)
    except RuleError as error:
        db.session.rollback()
        show_on_form(form, error, "period")
        return _home(form)
    db.session.commit()
    month = format_period(run.period)
    if run.bills_created:
        flash(
            _(
                "Issued %(n)s bills for %(month)s, %(total)s in all.",
                n=format_decimal(run.bills_created),
                month=month,
                total=format_fen(run.total_fen),
            ),
            "success",
        )
    else:
        flash(
            _("Nothing new: every bill for %(month)s had been issued already.", month=month),
            "info",
        )
    return redirect_to(url_for("fees.billing.billing_home"))


# ---- Fee items, rates and the late-fee rule ------------------------------------------------


def _community_page(community: Community, **forms: Any) -> ResponseReturnValue:
    """The community's fee setup; `forms` replaces the blank form of the part being fixed
    (and names the block htmx swaps)."""
    items = services.fee_item_rows(community.id)
    rule = services.late_fee_rule(community.id)
    rate_forms = {
        row.FeeItem.id: RateForm(prefix=f"item{row.FeeItem.id}", formdata=None) for row in items
    }
    rate_forms.update(forms.pop("rate_forms", {}))
    context = {
        "community": community,
        "items": items,
        "history": services.rate_history(community.id),
        "rate_forms": rate_forms,
        "item_form": forms.get("item_form")
        or FeeItemForm(formdata=None, effective_from=format_period(current_period())),
        "rule_form": forms.get("rule_form") or _rule_form(rule),
        "today": current_period(),
    }
    block = forms.get("block")
    status = 422 if block else 200
    return render_page("fees/billing/community.html", block, **context), status


def _rule_form(rule: Any) -> LateFeeRuleForm:
    if rule is None:
        return LateFeeRuleForm(formdata=None)
    return LateFeeRuleForm(
        formdata=None,
        enabled=rule.enabled,
        mode=rule.mode.value,
        daily_rate_per_10k=rule.daily_rate_per_10k,
        fixed=rule.fixed_fen or None,
        grace_days=rule.grace_days,
        cap_percent=rule.cap_percent,
    )


@bp.get("/billing/communities/<int:community_id>")
@roles_required(*BILLERS)
def billing_community(community_id: int) -> ResponseReturnValue:
    return _community_page(get_visible_or_404(Community, community_id))


def _back_to(community_id: int) -> ResponseReturnValue:
    return redirect_to(url_for("fees.billing.billing_community", community_id=community_id))


@bp.post("/billing/communities/<int:community_id>/items")
@roles_required(*BILLERS)
def billing_item_new(community_id: int) -> ResponseReturnValue:
    community = get_visible_or_404(Community, community_id)
    form = FeeItemForm()
    if form.validate_on_submit():
        try:
            item = services.create_fee_item(
                community.id,
                FeeKind(form.kind.data),
                form.name.data,
                form.rate.data,
                period_of(form.effective_from),
                current_user,
            )
        except RuleError as error:
            show_on_form(form, error, "name")
        else:
            db.session.commit()
            flash(_("The fee item %(name)s has been added.", name=item.name), "success")
            return _back_to(community.id)
    db.session.rollback()
    return _community_page(community, item_form=form, block="new_item")


@bp.post("/billing/items/<int:fee_item_id>/rates")
@roles_required(*BILLERS)
def billing_rate_new(fee_item_id: int) -> ResponseReturnValue:
    item = get_visible_or_404(FeeItem, fee_item_id)
    form = RateForm(prefix=f"item{item.id}")
    if form.validate_on_submit():
        start = period_of(form.effective_from)
        try:
            services.set_rate(item, start, form.rate.data, current_user)
        except RuleError as error:
            show_on_form(form, error, "effective_from")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s costs %(rate)s from %(month)s on.",
                    name=item.name,
                    rate=format_fen(form.rate.data),
                    month=format_period(start),
                ),
                "success",
            )
            return _back_to(item.community_id)
    db.session.rollback()
    community = db.session.get(Community, item.community_id)
    return _community_page(community, rate_forms={item.id: form}, block="items")


@bp.post("/billing/items/<int:fee_item_id>/active")
@roles_required(*BILLERS)
def billing_item_active(fee_item_id: int) -> ResponseReturnValue:
    item = get_visible_or_404(FeeItem, fee_item_id)
    active = request.form.get("active") == "1"
    try:
        services.set_item_active(item, active)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if active:
            flash(_("%(name)s is billed again from the next run.", name=item.name), "success")
        else:
            flash(_("%(name)s is paused: billing runs skip it.", name=item.name), "success")
    return _back_to(item.community_id)


@bp.post("/billing/communities/<int:community_id>/late-fees")
@roles_required(*BILLERS)
def billing_late_fee_rule(community_id: int) -> ResponseReturnValue:
    community = get_visible_or_404(Community, community_id)
    form = LateFeeRuleForm()
    if form.validate_on_submit():
        services.save_late_fee_rule(
            community.id,
            LateFeeTerms(
                enabled=form.enabled.data,
                mode=LateFeeMode(form.mode.data),
                daily_rate_per_10k=form.daily_rate_per_10k.data,
                fixed_fen=form.fixed.data or 0,
                grace_days=form.grace_days.data,
                cap_percent=form.cap_percent.data,
            ),
        )
        db.session.commit()
        flash(_("The late-fee rule has been saved."), "success")
        return _back_to(community.id)
    return _community_page(community, rule_form=form, block="late_fees")


# ---- Parking spaces and leases ---------------------------------------------------------------


def _parking_page(community: Community, form: SpacesForm | None = None) -> ResponseReturnValue:
    q = search_arg()
    context = {
        "community": community,
        "spaces": paginate(services.parking_rows(community.id, q)),
        "q": q,
        "form": form or SpacesForm(formdata=None),
    }
    if form is not None:
        return render_page("fees/billing/parking.html", "spaces_form", **context), 422
    return render_page("fees/billing/parking.html", "spaces", **context)


@bp.get("/billing/communities/<int:community_id>/parking")
@roles_required(*BILLERS)
def billing_parking(community_id: int) -> ResponseReturnValue:
    return _parking_page(get_visible_or_404(Community, community_id))


@bp.post("/billing/communities/<int:community_id>/parking")
@roles_required(*BILLERS)
def billing_spaces_new(community_id: int) -> ResponseReturnValue:
    community = get_visible_or_404(Community, community_id)
    form = SpacesForm()
    if form.validate_on_submit():
        try:
            numbers = services.space_numbers(form.first.data, form.last.data)
            added, present = services.add_spaces(community.id, numbers)
        except RuleError as error:
            show_on_form(form, error, "first")
        else:
            db.session.commit()
            message = _("Added %(n)s parking spaces.", n=added)
            if present:
                message += " " + _("%(n)s were there already.", n=present)
            flash(message, "success")
            return redirect_to(url_for("fees.billing.billing_parking", community_id=community.id))
    return _parking_page(community, form)


def _space_page(
    space: ParkingSpace, form: LeaseForm | None = None, status: int = 200
) -> ResponseReturnValue:
    form = form or LeaseForm(formdata=None, start_period=format_period(current_period()))
    # After a refusal the household chosen stays chosen.
    chosen = form.household_id.data and services.household_row(
        space.community_id, form.household_id.data
    )
    context = {
        "space": space,
        "community": db.session.get(Community, space.community_id),
        "leases": services.lease_history(space.id),
        "form": form,
        "matches": [chosen] if chosen else [],
        "selected": form.household_id.data,
        "today": current_period(),
    }
    block = "lease_form" if status == 422 else None
    return render_page("fees/billing/space.html", block, **context), status


@bp.route("/billing/spaces/<int:space_id>", methods=["GET", "POST"])
@roles_required(*BILLERS)
def billing_space(space_id: int) -> ResponseReturnValue:
    """A space's leases, and the form to let it."""
    space = get_visible_or_404(ParkingSpace, space_id)
    if request.method == "GET":
        return _space_page(space)
    form = LeaseForm()
    if form.validate_on_submit():
        household = db.session.scalar(
            visible(Household).where(Household.id == form.household_id.data)
        )
        try:
            if household is None:
                raise RuleError(_("Search for the room and choose the household."))
            lease = services.let_space(
                space,
                household,
                form.plate.data,
                period_of(form.start_period),
                period_of(form.end_period),
            )
        except RuleError as error:
            db.session.rollback()
            show_on_form(form, error, "household_id")
        else:
            db.session.commit()
            flash(
                _(
                    "Space %(number)s is let to %(plate)s from %(month)s.",
                    number=space.number,
                    plate=lease.plate,
                    month=format_period(lease.start_period),
                ),
                "success",
            )
            return redirect_to(url_for("fees.billing.billing_space", space_id=space.id))
    return _space_page(space, form, 422)


@bp.get("/billing/communities/<int:community_id>/households")
@roles_required(*BILLERS)
def billing_household_search(community_id: int) -> ResponseReturnValue:
    """The households matching a room, as choices for the lease form: a fragment whoever
    asks, as it has no page of its own (the lease form's room search asks for it)."""
    community = get_visible_or_404(Community, community_id)
    matches = services.household_matches(community.id, request.args.get("room", ""))
    return render_block(
        "fees/billing/space.html",
        "matches",
        matches=matches,
        searched=bool(request.args.get("room", "").strip()),
        selected=None,
    )


@bp.post("/billing/leases/<int:lease_id>/end")
@roles_required(*BILLERS)
def billing_lease_end(lease_id: int) -> ResponseReturnValue:
    lease = get_visible_or_404(ParkingLease, lease_id)
    form = EndLeaseForm()
    if form.validate_on_submit():
        try:
            services.end_lease(lease, period_of(form.end_period))
        except RuleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "The lease of %(plate)s ends with %(month)s.",
                    plate=lease.plate,
                    month=format_period(lease.end_period),
                ),
                "success",
            )
    else:
        flash(" ".join(str(error) for error in form.end_period.errors), "error")
    return redirect_to(url_for("fees.billing.billing_space", space_id=lease.space_id))


# ---- A bill and its late fee -----------------------------------------------------------------


@bp.route("/billing/bills/<int:bill_id>", methods=["GET", "POST"])
@roles_required(*BILLERS)
def billing_bill(bill_id: int) -> ResponseReturnValue:
    """A bill with its late fee, the waivers granted, and the form to waive."""
    bill, item, household, waivers = services.bill_detail(bill_id)
    form = WaiverForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.waive_late_fee(bill, form.amount.data, form.reason.data, current_user)
            except RuleError as error:
                db.session.rollback()
                show_on_form(form, error, "amount")
            else:
                db.session.commit()
                flash(_("The late fee has been waived in part or in full."), "success")
                return redirect_to(url_for("fees.billing.billing_bill", bill_id=bill.id))
        status = 422
    context = {
        "bill": bill,
        "item": item,
        "household": household,
        "waivers": waivers,
        "form": form,
        "waivable": services.waivable_fen(bill),
    }
    block = "waiver_form" if status == 422 else None
    return render_page("fees/billing/bill.html", block, **context), status
