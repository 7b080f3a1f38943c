"""Cases of the merchant alliance: the public directory's search as a passer-by types it, one
alliance's totals and the district's totals, as the district office opens them.

They run over whatever alliances the city data set holds (the city's alliance data is built by
another part): with none, each case is skipped with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Alliance, Shop
from bench.registry import Bench, Client, Skipped, case

RUNS = 20


@dataclass(frozen=True)
class AllianceSample:
    alliance_id: int  # the alliance with the most shops
    search: str  # the first two characters of one of its shops' names


_samples: dict[int, AllianceSample] = {}
_anonymous: dict[int, FlaskClient] = {}


def sample(bench: Bench) -> AllianceSample:
    """Found once per bench, outside the timed part of the first run that asks."""
    if id(bench) not in _samples:
        largest = db.session.scalar(
            select(Shop.alliance_id)
            .group_by(Shop.alliance_id)
            .order_by(func.count().desc(), Shop.alliance_id)
            .limit(1)
        ) or db.session.scalar(select(Alliance.id).order_by(Alliance.id).limit(1))
        if largest is None:
            raise Skipped("no alliance in this city data set (the city's alliance data)")
        name = db.session.scalar(
            select(Shop.name).where(Shop.alliance_id == largest).order_by(Shop.id).limit(1)
        )
        _samples[id(bench)] = AllianceSample(largest, (name or "店")[:2])
    return _samples[id(bench)]


def anonymous(bench: Bench) -> FlaskClient:
    if id(bench) not in _anonymous:
        bench.app.test_client_class = Client
        _anonymous[id(bench)] = bench.app.test_client()
    return _anonymous[id(bench)]


@case("alliance: directory search as one types, largest alliance", runs=RUNS)
def directory_search(bench: Bench) -> None:
    """The results section htmx asks for while a visitor types, no session."""
    s = sample(bench)
    response = anonymous(bench).get(
        f"/alliance/directory/{s.alliance_id}",
        query_string={"q": s.search},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, f"the directory answered {response.status_code}"


@case("alliance: totals page, largest alliance", runs=RUNS)
def alliance_totals(bench: Bench) -> None:
    bench.get_ok(bench.admin, f"/alliance/totals/alliances/{sample(bench).alliance_id}")


@case("alliance: district totals page, every alliance", runs=RUNS)
def district_totals(bench: Bench) -> None:
    sample(bench)  # skipped without an alliance
    bench.get_ok(bench.admin, "/alliance/totals/")
