"""Routes of the import: the upload page, a job's progress and preview, applying it, the template.

Views stay thin: the file is read by reading.py, the rules are in services.py, and the long
steps run on the task queue (worker.py).
"""

from __future__ import annotations

import io

from flask import Blueprint, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.authz import get_visible_or_404, roles_required
from app.blueprints.property.imports import services, worker
from app.blueprints.property.imports.forms import UploadForm
from app.blueprints.property.imports.reading import (
    COLUMNS,
    XLSX_MIMETYPE,
    ImportFileError,
    open_roster,
    template_workbook,
)
from app.extensions import db
from app.models import Community, ImportJob, ImportStatus, Role
from app.pagination import paginate
from app.rendering import redirect_to, render_page
from app.rules import show_on_form

bp = Blueprint("imports", __name__)


@bp.route("/imports/", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.MANAGER)
def import_index() -> ResponseReturnValue:
    form = UploadForm(community_id=request.args.get("community_id", type=int))
    form.community_id.choices = services.community_choices()
    if form.validate_on_submit():
        community = get_visible_or_404(Community, form.community_id.data)
        upload = form.file.data
        filename = upload.filename or ""
        data = upload.read()
        try:
            # Read from memory and never written to disk under the uploader's name; opened
            # here so that a file that is not a roster is refused at once, on the form.
            with open_roster(data, filename) as roster:
                estimated = roster.estimated_rows
        except ImportFileError as error:
            show_on_form(form, error)
        else:
            job = services.create_job(community, filename, estimated, data)
            db.session.commit()
            worker.check_import(job.id)
            return redirect_to(url_for("property.imports.import_job", import_id=job.id))
    status = 422 if form.errors else 200
    block = "upload" if request.method == "POST" else "history"
    return render_page(
        "property/imports/index.html",
        block,
        form=form,
        columns=COLUMNS,
        jobs=paginate(services.job_rows()),
    ), status


@bp.get("/imports/template.xlsx")
@roles_required(Role.ADMIN, Role.MANAGER)
def import_template() -> ResponseReturnValue:
    return send_file(
        io.BytesIO(template_workbook()),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=_("roster-template.xlsx"),
    )


@bp.get("/imports/<int:import_id>")
@roles_required(Role.ADMIN, Role.MANAGER)
def import_job(import_id: int) -> ResponseReturnValue:
    """The job's page; htmx polls its status block while the job is in progress."""
    job = get_visible_or_404(ImportJob, import_id)
    context = {
        "job": job,
        "community": get_visible_or_404(Community, job.community_id),
        "stalled": services.is_stalled(job),
        "error_text": services.error_text,
        "failure_text": services.failure_text,
        "column_label": services.column_label,
    }
    if job.status == ImportStatus.INVALID:
        context["errors"] = services.page_of(job.errors, request.args.get("page", 1, type=int))
    elif job.status == ImportStatus.READY:
        context["plan"] = services.plan(job)
        context["rows"] = paginate(services.staged_rows(job))
    elif job.status == ImportStatus.DONE:
        context["result"] = services.result(job)
        numbers = context["result"].get("building_numbers", [])
        context["buildings"] = paginate(services.buildings_of(job, numbers))
    return render_page("property/imports/job.html", "status", **context)


@bp.post("/imports/<int:import_id>/apply")
@roles_required(Role.ADMIN, Role.MANAGER)
def import_apply(import_id: int) -> ResponseReturnValue:
    job = get_visible_or_404(ImportJob, import_id)
    # A second click, or a job no longer ready, just shows the job as it is.
    if services.begin_apply(job):
        db.session.commit()
        worker.apply_import(job.id, current_user.id)
    return redirect_to(url_for("property.imports.import_job", import_id=job.id))
