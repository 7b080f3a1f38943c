"""Reports (收费报表): collection rates against the targets with drill-down, arrears with their
Excel export and reminder slips, and the resident's own fees page."""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, redirect, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.fees.payments.services import payment_rows
from app.blueprints.fees.reports import services
from app.blueprints.fees.reports.forms import ArrearsForm, MonthsForm
from app.blueprints.fees.reports.services import ArrearsFilter, MonthRange
from app.extensions import db
from app.listing import Sort, sort_arg
from app.models import Company, FeeKind, Household, Role
from app.pagination import paginate
from app.periods import utcnow
from app.rendering import render_page
from app.rules import RuleError, show_on_form
from app.spreadsheets import file_chunks

bp = Blueprint("reports", __name__)

# The district office reads every company's figures; a manager their own company's.
READERS = (Role.ADMIN, Role.MANAGER)
MONTHS_PER_PAGE = 6
PAYMENTS_PER_PAGE = 20
LATEST_PAYMENTS = 5


# ---- Collection rates ---------------------------------------------------------------------------


def _months(form: MonthsForm) -> tuple[MonthRange, bool]:
    """The report's months from the form, or the year to date with the error on its field."""
    try:
        return services.month_range(form.first.data, form.last.data), True
    except RuleError as error:
        show_on_form(form, error)
        return services.year_to_date(), False


def _collection_page(company: Company | None) -> ResponseReturnValue:
    form = MonthsForm(request.args)
    months, valid = _months(form)
    sort = sort_arg(services.RATE_SORTS, "name")
    if company is None:
        report = services.collection_by_company(months, sort)
        endpoint, ids = "fees.reports.collection_report", {}
    else:
        report = services.collection_by_community(company, months, sort)
        endpoint, ids = "fees.reports.collection_company", {"company_id": company.id}
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "company": company,
        "sort": sort,
        "endpoint": endpoint,
        "ids": ids,
        "args": {**ids, **months.args},
        "presets": services.presets(),
        "targets": services.TARGETS,
        "kinds": services.CHARTED_KINDS,
        "all_kinds": list(FeeKind),
    }
    status = 200 if valid else 422
    return render_page("fees/reports/collection.html", "report", **context), status


@bp.get("/reports/collection")
@roles_required(*READERS)
def collection_report() -> ResponseReturnValue:
    """Collection rates by company (the district office); a manager goes straight to theirs."""
    if current_user.role != Role.ADMIN:
        return redirect(
            url_for(
                "fees.reports.collection_company",
                company_id=current_user.company_id,
                **request.args,
            )
        )
    return _collection_page(None)


@bp.get("/reports/collection/companies/<int:company_id>")
@roles_required(*READERS)
def collection_company(company_id: int) -> ResponseReturnValue:
    """One company's collection rates by community, each leading to its arrears."""
    return _collection_page(get_visible_or_404(Company, company_id))


# ---- Arrears ------------------------------------------------------------------------------------


def _arrears_request() -> tuple[ArrearsForm, ArrearsFilter, dict[str, Any], Sort]:
    """The arrears filters as asked for, checked against what the user may see (404 for
    someone else's community), the form to show them in, and the sort."""
    form = ArrearsForm(request.args)
    own_company = None if current_user.role == Role.ADMIN else current_user.company_id
    asked = ArrearsFilter(
        company_id=request.args.get("company_id", type=int) or own_company,
        community_id=request.args.get("community_id", type=int),
        building_id=request.args.get("building_id", type=int),
        unit_id=request.args.get("unit_id", type=int),
    )
    resolved, chosen = services.resolve_filter(asked)
    valid = form.validate()
    filters = ArrearsFilter(
        company_id=resolved.company_id,
        community_id=resolved.community_id,
        building_id=resolved.building_id,
        unit_id=resolved.unit_id,
        min_months=form.min_months.data if valid else None,
        min_owed_fen=form.min_owed.data if valid else None,
    )
    choices = services.filter_choices(filters)
    everything = str(_("All"))
    for name, options in (
        ("company_id", choices["companies"]),
        ("community_id", choices["communities"]),
        ("building_id", choices["buildings"]),
        ("unit_id", choices["units"]),
    ):
        form[name].choices = [(None, everything), *((row[0], row[1]) for row in options)]
        form[name].data = getattr(filters, name)
    sort = sort_arg(services.ARREARS_SORTS, "owed")
    if "sort" not in request.args:
        sort = services.DEFAULT_ARREARS_SORT
    return form, filters, chosen, sort


def _filter_args(form: ArrearsForm, filters: ArrearsFilter) -> dict[str, Any]:
    """The query arguments of the list as filtered, for pages, sorts and the export."""
    args = {
        "company_id": filters.company_id,
        "community_id": filters.community_id,
        "building_id": filters.building_id,
        "unit_id": filters.unit_id,
        "min_months": form.min_months.raw_data[0] if form.min_months.raw_data else None,
        "min_owed": form.min_owed.raw_data[0] if form.min_owed.raw_data else None,
    }
    return {name: value for name, value in args.items() if value not in (None, "")}


@bp.get("/reports/arrears")
@roles_required(*READERS)
def arrears() -> ResponseReturnValue:
    """Households with unpaid bills, by community, building and unit: how many months, since
    when and how much they owe, with a reminder slip each."""
    form, filters, chosen, sort = _arrears_request()
    rows = totals = None
    if filters.chosen and not form.errors:
        query = services.arrears_rows(filters, sort)
        rows = paginate(query)
        totals = services.arrears_totals(query)
    args = _filter_args(form, filters)
    context = {
        "form": form,
        "filters": filters,
        "chosen": chosen,
        "sort": sort,
        "rows": rows,
        "totals": totals,
        "args": args,
        "list_args": {**args, "sort": sort.key, "dir": sort.direction},
    }
    status = 422 if form.errors else 200
    return render_page("fees/reports/arrears.html", "arrears", **context), status


@bp.get("/reports/arrears.xlsx")
@roles_required(*READERS)
def arrears_export() -> ResponseReturnValue:
    """The arrears list as filtered, as an Excel workbook, streamed as it is written."""
    form, filters, chosen, sort = _arrears_request()
    if form.errors or not filters.chosen:
        return arrears()
    place = chosen.get("community") or chosen["company"]
    title = _("Arrears")
    query = services.arrears_rows(filters, sort)

    def generate() -> Any:
        # The rows go to a temporary file as they are read, then out in chunks: the request
        # context stays open meanwhile (stream_with_context) for the database session.
        with tempfile.TemporaryFile() as spool:
            services.write_arrears_xlsx(query, spool, title)
            yield from file_chunks(spool)

    filename = f"{title}-{place.name}-{utcnow():%Y%m%d}.xlsx"
    disposition = f"attachment; filename=\"arrears.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        stream_with_context(generate()),
        mimetype=services.XLSX_MIMETYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@bp.get("/reports/arrears/households/<int:household_id>/reminder")
@roles_required(*READERS)
def arrears_reminder(household_id: int) -> ResponseReturnValue:
    """A household's printable reminder slip (催缴通知单)."""
    slip = services.reminder(household_id)
    return render_page("fees/reports/reminder.html", r=slip, issued=utcnow())


# ---- The resident's fees ------------------------------------------------------------------------


def _my_home() -> tuple[list[Any], Any]:
    """The resident's homes, and the one asked for (`?household_id=`, 404 unless theirs) or
    else the first; that one as a row of (Household, community, building, unit), or None."""
    homes = services.own_households(current_user)
    household_id = request.args.get("household_id", type=int)
    if household_id is None:
        return homes, homes[0] if homes else None
    get_visible_or_404(Household, household_id)
    return homes, next(row for row in homes if row.Household.id == household_id)


@bp.get("/my")
@roles_required(Role.RESIDENT)
def my_fees() -> ResponseReturnValue:
    """The resident's household's bills by month, what it owes now, its credit and its latest
    payments with their receipts; a resident of several homes picks one."""
    homes, here = _my_home()
    context: dict[str, Any] = {"homes": homes, "here": here, "home": None}
    if here is not None:
        home = here.Household
        months_page = paginate(services.bill_months(home.id), per_page=MONTHS_PER_PAGE)
        latest = db.session.execute(payment_rows(home.id).limit(LATEST_PAYMENTS + 1)).all()
        context.update(
            home=home,
            standing=services.fee_standing([home.id]),
            months=services.months_with_bills(home.id, (row.period for row in months_page.items)),
            months_page=months_page,
            payments=latest[:LATEST_PAYMENTS],
            more_payments=len(latest) > LATEST_PAYMENTS,
            status_labels=services.BILL_STATUS_LABELS,
        )
    return render_page("fees/reports/my_fees.html", "bills", **context)


@bp.get("/my/payments")
@roles_required(Role.RESIDENT)
def my_payments() -> ResponseReturnValue:
    """Every payment of the resident's household, newest first, a page at a time."""
    _homes, here = _my_home()
    if here is None:
        return redirect(url_for("fees.reports.my_fees"))
    payments = paginate(payment_rows(here.Household.id), per_page=PAYMENTS_PER_PAGE)
    return render_page(
        "fees/reports/my_payments.html",
        "payments",
        here=here,
        home=here.Household,
        payments=payments,
    )


@bp.app_template_global()
def my_fees_standing() -> services.FeeStanding | None:
    """What the signed-in resident's homes owe, for the line on their landing page."""
    if not current_user.is_authenticated or current_user.role != Role.RESIDENT:
        return None
    homes = services.own_households(current_user)
    return services.fee_standing([row.Household.id for row in homes]) if homes else None
