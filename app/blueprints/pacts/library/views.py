"""Routes of the pact library: the communities' pacts, drafting and editing them version by
version, comparing versions, and the company's own clauses."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import history
from app.authz import get_visible_or_404, roles_required
from app.blueprints.pacts.library import diff, services
from app.blueprints.pacts.library.clauses import BUILT_IN
from app.blueprints.pacts.library.forms import ClauseForm, PactForm
from app.blueprints.pacts.library.services import PactDraft, UnitState
from app.blueprints.pacts.library.services.editing import Move, Verb, parse_move, rearranged
from app.blueprints.pacts.standing import pacts_in_force
from app.extensions import db
from app.listing import search_arg
from app.models import AuditEntry, Community, Pact, PactClause, PactVersion, Role, Unit
from app.pagination import paginate
from app.rendering import redirect_to, render_page
from app.rules import RuleError, show_on_form

bp = Blueprint("library", __name__)

# The district office and the stewards read the pacts; a company's managers write them.
READERS = (Role.ADMIN, Role.MANAGER, Role.STEWARD)
EDITORS = (Role.MANAGER,)
# The clause library is a company's own: the district office has none.
CLAUSE_READERS = (Role.MANAGER, Role.STEWARD)


def _can_edit() -> bool:
    return current_user.role in EDITORS


@bp.get("/library")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    q = search_arg()
    return render_page(
        "pacts/library/index.html",
        "communities",
        communities=paginate(services.community_rows(q)),
        q=q,
        args={"q": q} if q else {},
        can_edit=_can_edit(),
    )


@bp.get("/library/communities/<int:community_id>")
@roles_required(*READERS)
def community(community_id: int) -> ResponseReturnValue:
    place = get_visible_or_404(Community, community_id)
    q = search_arg()
    state_arg = request.args.get("state", "")
    state = UnitState(state_arg) if state_arg in set(UnitState) else None
    version_arg = request.args.get("version", type=int)
    version = get_visible_or_404(PactVersion, version_arg) if version_arg else None
    units = paginate(services.unit_rows(place.id, q, state, version.id if version else None))
    wide = services.existing_pact(place.id, None)
    args = {"q": q, "state": state_arg if state else None, "version": version_arg}
    return render_page(
        "pacts/library/community.html",
        "units",
        community=place,
        figures=services.community_figures(place.id),
        wide=wide,
        wide_latest=services.latest_version(wide.id) if wide else None,
        wide_in_force=services.in_force_by_version(wide.id) if wide else {},
        units=units,
        in_force=pacts_in_force([row.Unit.id for row in units.items]),
        q=q,
        state=state,
        version=version,
        args={k: v for k, v in args.items() if v},
        can_edit=_can_edit(),
    )


def _target(community_id: int) -> tuple[Community, Unit | None]:
    """The community and, when the address names one (`unit_id`), its unit a new pact is for."""
    place = get_visible_or_404(Community, community_id)
    if "unit_id" not in request.args:
        return place, None
    unit_id = request.args.get("unit_id", type=int)
    unit = get_visible_or_404(Unit, unit_id) if unit_id else abort(404)
    if unit.community_id != place.id:
        abort(404)
    return place, unit


Render = Callable[[PactForm, int | None], ResponseReturnValue]


def _editor(
    form: PactForm, render: Render, save: Callable[[PactForm], ResponseReturnValue]
) -> ResponseReturnValue:
    """A posted editor: rearranged when a row's button was pressed, else saved by `save` when
    valid; a refusal comes back on the form (422) with what was typed."""
    move = parse_move(request.form.get("action"))
    if move is not None:
        return _rearranged(form, move, render)
    if form.validate_on_submit():
        try:
            return save(form)
        except RuleError as error:
            show_on_form(form, error)
    return render(form, None), 422


def _rearranged(form: PactForm, move: Move, render: Render) -> ResponseReturnValue:
    chosen = None
    if move.verb is Verb.INSERT:
        chosen = next(iter(services.picked([request.form.get("library", "")])), None)
    try:
        rows, focus = rearranged(form.rows(), move, chosen)
    except RuleError as error:
        show_on_form(form, error)
        return render(form, None), 422
    draft = PactDraft(form.title.data or "", tuple(rows), form.note.data or "")
    return render(PactForm.filled(draft, form.base_number()), focus)


def _render_editor(
    form: PactForm,
    focus: int | None,
    *,
    community: Community,
    unit: Unit | None,
    pact: Pact | None = None,
    base: PactVersion | None = None,
) -> str:
    if pact is None:
        action = url_for(
            "pacts.library.pact_new",
            community_id=community.id,
            **({"unit_id": unit.id} if unit else {}),
        )
    else:
        action = url_for("pacts.library.pact_edit", pact_id=pact.id)
    return render_page(
        "pacts/library/editor.html",
        "editor",
        form=form,
        focus=focus,
        community=community,
        unit=unit,
        pact=pact,
        base=base,
        action=action,
        library=services.library(),
    )


@bp.route("/library/communities/<int:community_id>/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def pact_new(community_id: int) -> ResponseReturnValue:
    """A new pact for a unit (or the whole community): first where to start from — clauses of
    the library, another pact, a blank page — then the editor."""
    place, unit = _target(community_id)

    def render(form: PactForm, focus: int | None) -> str:
        return _render_editor(form, focus, community=place, unit=unit)

    def save(form: PactForm) -> ResponseReturnValue:
        version = services.draft_pact(
            place.id, unit.id if unit else None, form.draft(), current_user
        )
        db.session.commit()
        flash(_("The pact has been drafted as version 1."), "success")
        return redirect_to(url_for("pacts.library.pact_show", pact_id=version.pact_id))

    if request.method == "POST":
        return _editor(PactForm(), render, save)
    existing = services.existing_pact(place.id, unit.id if unit else None)
    if existing is not None:
        return redirect_to(url_for("pacts.library.pact_edit", pact_id=existing.id))
    title = services.default_title(place, unit)
    start = request.args.get("start")
    if start == "library":
        draft = services.from_library(services.picked(request.args.getlist("clause")), title)
        return render(PactForm.filled(draft), None)
    if start == "copy":
        source = get_visible_or_404(Pact, request.args.get("pact", type=int) or 0)
        version = services.latest_version(source.id)
        if version is None:
            abort(404)
        label = services.pact_place(source)
        return render(PactForm.filled(services.copy_of(version, title, label)), None)
    if start == "blank":
        return render(PactForm.filled(PactDraft(title, ())), 0)
    q = search_arg()
    return render_page(
        "pacts/library/start.html",
        "sources",
        community=place,
        unit=unit,
        library=services.library(),
        sources=paginate(services.copy_sources(q)),
        q=q,
        args={k: v for k, v in {"q": q, "unit_id": unit.id if unit else None}.items() if v},
    )


def _pact_and_latest(pact_id: int) -> tuple[Pact, PactVersion]:
    pact = get_visible_or_404(Pact, pact_id)
    latest = services.latest_version(pact.id)
    if latest is None:
        abort(404)
    return pact, latest


@bp.route("/library/<int:pact_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def pact_edit(pact_id: int) -> ResponseReturnValue:
    """The pact's next version, from its latest text or (`from`) an older version's."""
    pact, latest = _pact_and_latest(pact_id)
    place = get_visible_or_404(Community, pact.community_id)
    unit = db.session.get(Unit, pact.unit_id) if pact.unit_id is not None else None

    def render(form: PactForm, focus: int | None) -> str:
        return _render_editor(form, focus, community=place, unit=unit, pact=pact, base=latest)

    def save(form: PactForm) -> ResponseReturnValue:
        version = services.save_version(pact, form.draft(), form.base_number(), current_user)
        db.session.commit()
        flash(_("Version %(n)s has been saved.", n=version.number), "success")
        return redirect_to(url_for("pacts.library.version_show", version_id=version.id))

    if request.method == "POST":
        return _editor(PactForm(), render, save)
    start = latest
    older = request.args.get("from", type=int)
    if older is not None and older != latest.number:
        start = services.version_by_number(pact.id, older) or abort(404)
        note = _("Back to the text of version %(n)s", n=older)
    else:
        note = ""
    return render(PactForm.filled(services.draft_of(start, note), latest.number), None)


@bp.get("/library/<int:pact_id>")
@roles_required(*READERS)
def pact_show(pact_id: int) -> ResponseReturnValue:
    pact, latest = _pact_and_latest(pact_id)
    in_unit = pacts_in_force([pact.unit_id]).get(pact.unit_id) if pact.unit_id else None
    return render_page(
        "pacts/library/pact.html",
        "versions",
        pact=pact,
        community=get_visible_or_404(Community, pact.community_id),
        place=services.pact_place(pact),
        latest=latest,
        versions=paginate(services.versions_of(pact.id)),
        in_force=services.in_force_by_version(pact.id),
        in_unit=in_unit,
        can_edit=_can_edit(),
    )


@bp.get("/library/versions/<int:version_id>")
@roles_required(*READERS)
def version_show(version_id: int) -> ResponseReturnValue:
    version = get_visible_or_404(PactVersion, version_id)
    pact = get_visible_or_404(Pact, version.pact_id)
    row = db.session.execute(
        services.versions_of(pact.id).where(PactVersion.id == version.id)
    ).one()
    ids = services.version_ids(pact.id)
    return render_page(
        "pacts/library/version.html",
        "units",
        pact=pact,
        version=version,
        author=row.author,
        community=get_visible_or_404(Community, pact.community_id),
        place=services.pact_place(pact),
        latest_number=max(ids),
        older_id=ids.get(version.number - 1),
        newer_id=ids.get(version.number + 1),
        units=paginate(services.in_force_units(version.id)),
        can_edit=_can_edit(),
    )


@bp.get("/library/<int:pact_id>/compare")
@roles_required(*READERS)
def compare(pact_id: int) -> ResponseReturnValue:
    """Two versions of the pact side by side: by default the latest and the one before."""
    pact, latest = _pact_and_latest(pact_id)
    new_number = request.args.get("new", type=int) or latest.number
    old_number = request.args.get("old", type=int) or max(new_number - 1, 1)
    newer = services.version_by_number(pact.id, new_number) or abort(404)
    older = services.version_by_number(pact.id, old_number) or abort(404)
    diffs = diff.compare(older.clauses, newer.clauses)
    return render_page(
        "pacts/library/compare.html",
        pact=pact,
        community=get_visible_or_404(Community, pact.community_id),
        place=services.pact_place(pact),
        numbers=list(services.version_ids(pact.id)),
        older=older,
        newer=newer,
        title=diff.text_diff(older.title, newer.title),
        diffs=diffs,
        counts=diff.summary(diffs),
    )


# --- the company's own clauses ------------------------------------------------------------


@bp.get("/library/clauses")
@roles_required(*CLAUSE_READERS)
def clauses() -> ResponseReturnValue:
    return render_page(
        "pacts/library/clauses.html",
        "own",
        built_in=BUILT_IN,
        own=paginate(services.own_clauses()),
        can_edit=_can_edit(),
    )


@bp.get("/library/clauses/history")
@roles_required(*CLAUSE_READERS)
def clause_history() -> ResponseReturnValue:
    """Who added, changed and retired the company's clauses; `clause` narrows it to one."""
    query = services.clause_history()
    clause_id = request.args.get("clause", type=int)
    if clause_id:
        query = query.where(AuditEntry.entity_id == clause_id)
    entries = paginate(query)
    return render_page(
        "pacts/library/clause_history.html",
        "entries",
        entries=entries,
        changes=[history.describe(row.AuditEntry) for row in entries.items],
        action_label=history.action_label,
        clause_id=clause_id,
        args={"clause": clause_id} if clause_id else {},
    )


def _render_clause_form(form: ClauseForm, clause: PactClause | None) -> ResponseReturnValue:
    status = 422 if form.errors else 200
    return render_page("pacts/library/clause_form.html", "form", form=form, clause=clause), status


def _back_to_clauses() -> ResponseReturnValue:
    return redirect_to(url_for("pacts.library.clauses"))


@bp.route("/library/clauses/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def clause_new() -> ResponseReturnValue:
    form = ClauseForm()
    if form.validate_on_submit():
        try:
            services.add_clause(form.title.data, form.body.data, current_user)
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The clause has been added to your library."), "success")
            return _back_to_clauses()
    return _render_clause_form(form, None)


@bp.route("/library/clauses/<int:clause_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def clause_edit(clause_id: int) -> ResponseReturnValue:
    clause = get_visible_or_404(PactClause, clause_id)
    form = ClauseForm(obj=clause)
    if form.validate_on_submit():
        try:
            services.edit_clause(clause, form.title.data, form.body.data)
        except RuleError as error:
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The clause has been saved."), "success")
            return _back_to_clauses()
    return _render_clause_form(form, clause)


@bp.post("/library/clauses/<int:clause_id>/retire")
@roles_required(*EDITORS)
def clause_retire(clause_id: int) -> ResponseReturnValue:
    services.retire_clause(get_visible_or_404(PactClause, clause_id))
    db.session.commit()
    flash(_("The clause has been retired; pacts drafted from it keep their text."), "success")
    return _back_to_clauses()
