"""Command line: `flask --app wsgi demo`, `flask --app wsgi create-user`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.blueprints.auth.services import MIN_PASSWORD_LENGTH, create_user
from app.database import patient
from app.demo import (
    build_city,
    build_city_alliance,
    build_city_pacts,
    city_alliance_totals,
    city_counts,
    database_is_empty,
    load_full_demo,
)
from app.extensions import db
from app.models import COMPANY_STAFF_ROLES, Company, Role


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(create_user_command)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only when the database has no company yet.")
@click.option(
    "--scale",
    type=click.Choice(["demo", "city"]),
    default="demo",
    help="city: about 2,000 communities and 110,000 households with a year of bills and"
    " payments, the pacts area: boards, stewards, pacts, campaigns, a year of inspections, and"
    " the merchant alliance: 20 alliances, 400 shops and their upgrades.",
)
def demo(if_empty: bool, scale: str) -> None:
    """Load the demo communities and accounts (idempotent)."""
    patient(db.session.connection())
    if scale == "city":
        # The pacts and alliance areas are steps of their own: each completes a city built
        # before it existed.
        for step, seconds in (build_city() | build_city_pacts() | build_city_alliance()).items():
            click.echo(f"{step}: {seconds:.1f} s")
        counts = city_counts()
        click.echo("City data set ready: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        for origin, (shops, upgrades, yuan) in city_alliance_totals().items():
            click.echo(
                f"Alliance investment counted, {origin.value} shops: {shops} shops,"
                f" {upgrades} upgrades, ¥{yuan:,}"
            )
        return
    if if_empty and not database_is_empty():
        click.echo("Database already has data; demo not loaded.")
        return
    counts = load_full_demo()
    click.echo("Demo data ready: " + ", ".join(f"{n} {table}" for table, n in counts.items()))


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", help="Name shown in the portal (default: the username).")
@click.option("--company", "company_code", help="Company code; required for managers.")
@click.password_option(help="Asked for when not given.")
def create_user_command(
    username: str, role: str, display_name: str | None, company_code: str | None, password: str
) -> None:
    """Create an account."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="password"
        )
    company_id = None
    if company_code:
        company_id = db.session.scalar(select(Company.id).where(Company.code == company_code))
        if company_id is None:
            raise click.BadParameter(f"no company with code {company_code}", param_hint="--company")
    if (Role(role) in COMPANY_STAFF_ROLES) != (company_id is not None):
        raise click.UsageError("--company is required for managers and stewards, and only for them")
    create_user(username, password, Role(role), display_name or username, company_id)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise click.ClickException(f"username {username!r} is taken") from error
    click.echo(f"Created {role} {username}.")
