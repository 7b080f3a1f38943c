"""Command line tools, the demo data and the migrations."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import (
    Bill,
    Community,
    Household,
    Notice,
    Payment,
    ResidentHousehold,
    Role,
    ServiceRequest,
    User,
)
from app.periods import travel_to


def counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Community,
            Household,
            User,
            ResidentHousehold,
            ServiceRequest,
            Notice,
            Bill,
            Payment,
        )
    }


def test_demo_is_idempotent_and_has_the_documented_accounts(app, database):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    first = counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == first
    assert first["Community"] == 7 and first["Household"] > 1000
    # Every area has something to show on a fresh install.
    assert first["ServiceRequest"] > 100 and first["Notice"] > 3
    assert first["Bill"] > 20000 and first["Payment"] > 4000

    accounts = {u.username: u for u in db.session.scalars(select(User))}
    assert set(accounts) == {
        "admin",
        "manager",
        "manager2",
        "resident",
        "resident2",
        "merchant",
        "officer",
        "steward",
        "gridworker",
        "cashier-jmyw",
        "cashier-wjg",
        "cashier-xl",
        # The merchant alliance's: the second alliance's officer and the streets' merchants.
        "officer-yc",
        *(f"dzs-{n:02d}" for n in range(1, 11)),
        *(f"eml-{n:02d}" for n in range(1, 10)),
    }
    assert all(u.check_password(DEMO_PASSWORD) for u in accounts.values())
    assert accounts["manager"].company.name == "新守正物业"
    assert accounts["manager2"].company.name == "重庆乐群物业服务有限公司"
    homes = [accounts[name].households[0] for name in ("resident", "resident2")]
    assert (
        homes[0].unit.building.community.company_id != homes[1].unit.building.community.company_id
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "moment",
    [
        "2026-03-31T21:00:00+08:00",  # the last evening of a quarter
        "2026-12-31T23:00:00+08:00",  # of a year
        "2027-01-01T00:30:00+08:00",  # the first hour of the next
        "2027-02-28T12:00:00+08:00",  # the last day of a short month
    ],
)
def test_the_demo_is_as_large_whatever_the_day(app, database, moment):
    with travel_to(datetime.fromisoformat(moment)):
        assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    loaded = counts()
    assert loaded["Bill"] > 20000 and loaded["Payment"] > 4000
    assert loaded["ServiceRequest"] > 100 and loaded["Notice"] > 3


def test_demo_if_empty_leaves_existing_data_alone(app, database):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    before = counts()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "not loaded" in result.output
    assert counts() == before


def test_create_user(app, database):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    result = runner.invoke(
        args=[
            "create-user",
            "clerk",
            "--role",
            "manager",
            "--company",
            "LQ",
            "--password",
            "long enough pw",
        ]
    )
    assert result.exit_code == 0, result.output
    clerk = db.session.scalar(select(User).where(User.username == "clerk"))
    assert clerk.role == Role.MANAGER and clerk.company.code == "LQ"

    assert (
        runner.invoke(
            args=["create-user", "clerk", "--role", "admin", "--password", "long enough pw"]
        ).exit_code
        != 0
    )
    assert (
        runner.invoke(
            args=["create-user", "m2", "--role", "manager", "--password", "long enough pw"]
        ).exit_code
        != 0
    )
    assert (
        runner.invoke(
            args=["create-user", "m3", "--role", "admin", "--password", "short"]
        ).exit_code
        != 0
    )


def test_the_migrations_build_exactly_the_models(app, database):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_the_migrations_downgrade_and_upgrade_again(app, database):
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as connection:
        assert inspect(connection).get_table_names() in ([], ["alembic_version"])
    upgrade()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_the_migrations_have_one_head(app):
    # `flask db upgrade` (the Quickstart's) refuses to choose between two heads.
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
