"""`flask --app wsgi fees assess-late-fees`: bring late fees up to date, e.g. nightly."""

from __future__ import annotations

from datetime import date, datetime

import click

from app.blueprints.fees.billing.services import assess_late_fees
from app.database import patient
from app.extensions import db
from app.periods import shanghai_today


@click.command("assess-late-fees")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to assess up to (default: today in Asia/Shanghai).",
)
@click.option("--community", "community_id", type=int, help="Only this community (its id).")
def assess_late_fees_command(as_of: datetime | None, community_id: int | None) -> None:
    """Raise the late fee of every unpaid bill of the communities that charge one."""
    day: date = as_of.date() if as_of else shanghai_today()
    patient(db.session.connection())
    changed = assess_late_fees(day, community_id)
    db.session.commit()
    click.echo(f"Late fees assessed as of {day.isoformat()}: {changed} bills changed.")
