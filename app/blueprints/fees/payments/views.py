"""Payments (收银): the counter (find a household, take a payment), receipts and reversals,
the daily cash report (日结)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.fees.payments import services
from app.blueprints.fees.payments.forms import PaymentForm, ReversalForm
from app.blueprints.fees.payments.services import ExcessPayment
from app.extensions import db
from app.listing import search_arg
from app.models import Household, PaymentMethod, Role
from app.money import format_fen
from app.pagination import paginate
from app.periods import shanghai_today, utcnow
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form

bp = Blueprint("payments", __name__)

# Money is taken by the companies' managers (and the district office, which may do anything).
COLLECTORS = (Role.ADMIN, Role.MANAGER)
# A receipt is open to the company's staff and to the household's residents.
RECEIPT_READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD, Role.RESIDENT)
HISTORY_PAGE = 10


# ---- The counter --------------------------------------------------------------------------------


@bp.get("/counter")
@roles_required(*COLLECTORS)
def counter() -> ResponseReturnValue:
    """Find a household by room, owner or phone; the results update as the clerk types."""
    q = search_arg().strip()
    households = paginate(services.household_rows(q)) if q else None
    return render_page("fees/payments/counter.html", "results", q=q, households=households)


def _household_page(
    household: Household,
    form: PaymentForm,
    status: int = 200,
    excess_fen: int = 0,
) -> ResponseReturnValue:
    """The household's account and payment form; a re-shown form swaps its block alone."""
    account = services.account(household)
    ticked = set(form.bill_ids.data or [])
    context = {
        "account": account,
        "home": _(
            "Building %(b)s, unit %(u)s, room %(r)s",
            b=account.building.number,
            u=account.unit.number,
            r=household.room,
        ),
        "form": form,
        "ticked": ticked,
        "excess_fen": excess_fen,
        "history": paginate(services.payment_rows(household.id), per_page=HISTORY_PAGE),
    }
    block = "pay_form" if request.method == "POST" else "history"
    return render_page("fees/payments/household.html", block, **context), status


@bp.get("/counter/households/<int:household_id>")
@roles_required(*COLLECTORS)
def counter_household(household_id: int) -> ResponseReturnValue:
    return _household_page(get_visible_or_404(Household, household_id), PaymentForm(formdata=None))


@bp.post("/counter/households/<int:household_id>")
@roles_required(*COLLECTORS)
def counter_pay(household_id: int) -> ResponseReturnValue:
    household = get_visible_or_404(Household, household_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        return _household_page(household, form, 422)
    method = PaymentMethod(form.method.data)
    try:
        earlier = services.earlier_payment(form.token.data, household.id, form.amount.data, method)
        if earlier is not None:
            flash(
                _(
                    "This payment had been recorded already, once: receipt %(no)s.",
                    no=earlier.receipt_no,
                ),
                "info",
            )
            return redirect_to(url_for("fees.payments.receipt", payment_id=earlier.id))
        payment = services.record_payment(
            household,
            form.amount.data,
            method,
            current_user,
            form.token.data,
            bill_ids=form.bill_ids.data or None,
            note=form.note.data,
            confirm_excess=form.excess_confirmed,
        )
    except ExcessPayment as excess:
        db.session.rollback()
        return _household_page(household, form, excess_fen=excess.excess_fen)
    except RuleError as error:
        db.session.rollback()
        show_on_form(form, error, "amount")
        return _household_page(household, form, 422)
    db.session.commit()
    message = _(
        "Recorded %(amount)s: receipt %(no)s.",
        amount=format_fen(payment.amount_fen),
        no=payment.receipt_no,
    )
    if payment.credit_fen:
        message += " " + _("%(credit)s is kept as credit.", credit=format_fen(payment.credit_fen))
    flash(message, "success")
    return redirect_to(url_for("fees.payments.receipt", payment_id=payment.id))


# ---- Receipts and reversals --------------------------------------------------------------------


@bp.get("/receipts/<int:payment_id>")
@roles_required(*RECEIPT_READERS)
def receipt(payment_id: int) -> ResponseReturnValue:
    """The printable receipt (A5) of a payment or reversal."""
    return render_page("fees/payments/receipt.html", r=services.receipt(payment_id))


@bp.route("/receipts/<int:payment_id>/reverse", methods=["GET", "POST"])
@roles_required(*COLLECTORS)
def reverse(payment_id: int) -> ResponseReturnValue:
    """Reverse (冲正) a payment entirely, with a reason."""
    r = services.receipt(payment_id)
    if request.method == "GET":
        form = ReversalForm(formdata=None)
        return render_page(
            "fees/payments/reverse.html",
            r=r,
            form=form,
            refusal=services.reversal_refusal(r.payment),
        )
    form = ReversalForm()
    refusal = None
    if form.validate_on_submit():
        try:
            reversal = services.reverse_payment(
                r.payment, form.reason.data, current_user, form.token.data
            )
        except RuleError as error:
            db.session.rollback()
            if error.field is None:
                refusal = str(error)
            else:
                show_on_form(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Payment %(paid)s has been reversed: receipt %(no)s.",
                    paid=r.payment.receipt_no,
                    no=reversal.receipt_no,
                ),
                "success",
            )
            return redirect_to(url_for("fees.payments.receipt", payment_id=reversal.id))
    r = services.receipt(payment_id)
    return render_page(
        "fees/payments/reverse.html", "reverse_form", r=r, form=form, refusal=refusal
    ), 422


# ---- Daily cash report --------------------------------------------------------------------------


@bp.get("/daily")
@roles_required(Role.ADMIN, Role.MANAGER)
def daily_report() -> ResponseReturnValue:
    """Takings of a day per collector and method (日结), for reconciling the till."""
    text = request.args.get("day", "").strip()
    error = None
    try:
        day = date.fromisoformat(text) if text else shanghai_today()
    except ValueError:
        error = _("Enter a day as YYYY-MM-DD, e.g. 2026-11-23.")
        day = shanghai_today()
    companies = services.report_companies() if current_user.role == Role.ADMIN else []
    company_id = request.args.get("company_id", type=int)
    if company_id not in {cid for cid, _name in companies}:
        company_id = None
    context = {
        "report": services.daily_report(day, company_id),
        "day_text": text or day.isoformat(),
        "error": error,
        "companies": companies,
        "company_id": company_id,
        "now": utcnow(),
    }
    return render_page("fees/payments/daily.html", "report", **context), 422 if error else 200
