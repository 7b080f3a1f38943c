"""The bench's cases and what each gets to work with.

A case is a function of a `Bench`, registered with `@case("name")` in a `bench/cases_*.py`
module (run.py imports them all). It is timed as a whole, so it does one thing the way the
portal does it: a service call, or a request through `bench.manager` / `bench.admin` (test
clients signed in as a city company's clerk and as the district office, which measure the
server's own time):

    @case("household search")
    def household_search(bench: Bench) -> None:
        community = bench.sample.community_id
        bench.get_ok(bench.manager, f"/property/roster/households?q=101&community_id={community}")

A case that only opens a page is one line, `page("name", "manager", "/path/{community_id}")`.
A case whose feature is not in this build raises `Skipped("why")`: the runner lists it under
the table instead of timing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.blueprints.auth.services import create_user
from app.demo import DEMO_PASSWORD
from app.demo.city import RATES_FROM, CitySample
from app.extensions import db
from app.models import Role, User
from app.periods import add_months

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Case:
    name: str
    function: Callable[[Bench], object]
    runs: int | None  # how many runs when --runs is not given (None: the runner's default)
    warmup: bool  # one untimed run first (sign-in, template compilation, cold caches)


CASES: list[Case] = []


class Skipped(Exception):
    """Raised by a case that cannot run in this build, with the reason."""


def case(name: str, runs: int | None = None, warmup: bool = True) -> Callable[[Callable], Callable]:
    """Register a timed case under `name`; `warmup=False` for cases whose every run changes
    the data (a billing run bills a new month each time)."""

    def register(function: Callable[[Bench], object]) -> Callable[[Bench], object]:
        CASES.append(Case(name, function, runs, warmup))
        return function

    return register


def page(name: str, who: str, path: str, runs: int | None = None) -> None:
    """Register a case that opens one page as `who` ("manager" or "admin"); `path` may name
    the sample's ids, e.g. "/fees/billing/communities/{community_id}"."""

    def open_page(bench: Bench) -> None:
        bench.get_ok(getattr(bench, who), path.format_map(vars(bench.sample)))

    case(name, runs)(open_page)


class Client(FlaskClient):
    """Each request in its own app context, as in production (see tests/conftest.py)."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


class Bench:
    """The app over the city data set, signed-in clients, and fresh months to bill."""

    def __init__(self, app: Flask, sample: CitySample, first_period: int) -> None:
        self.app = app
        self.sample = sample
        self._periods = self._months_before(first_period)

    @staticmethod
    def _months_before(period: int) -> Iterator[int]:
        # Backdated months nobody billed yet, going back from the data set's first month;
        # rates and leases are in force from RATES_FROM on.
        while (period := add_months(period, -1)) >= RATES_FROM:
            yield period

    def new_period(self) -> int:
        """A month no billing run has touched yet: the city's data set holds the last twelve
        months, so these go back from before them, each costing what the next month would."""
        return next(self._periods)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
        self.app.test_client_class = Client
        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, f"{username} could not sign in"
        return client

    @cached_property
    def manager(self) -> FlaskClient:
        """Signed in as the clerk of the first city company (sample.company_id)."""
        return self.sign_in(self.sample.manager_username)

    @cached_property
    def admin(self) -> FlaskClient:
        """Signed in as the district office."""
        with self.app.app_context():
            if db.session.scalar(select(User.id).where(User.username == "bench-admin")) is None:
                create_user("bench-admin", DEMO_PASSWORD, Role.ADMIN, "Bench · 区住建委")
                db.session.commit()
        return self.sign_in("bench-admin")

    @staticmethod
    def get_ok(client: FlaskClient, path: str) -> TestResponse:
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        return response
