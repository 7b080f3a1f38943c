"""Timings at city scale: build the city data set, then time each registered case.

    .venv/bin/python bench/run.py                      # SQLite, in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/run.py --wipe           # PostgreSQL: DROPS that database's schema
    .venv/bin/python bench/run.py --runs 10 --build-runs 2 --only billing

Prints one row per case: how many runs, the median, the 99th percentile and the worst; then
the cases skipped in this build (a part not merged yet), with the reason. The cases live in
`bench/cases_*.py` (one module per part), each a function of a `Bench` registered with
`@case("name")` from bench/registry.py; this script imports them all. Targets on the 2-core
reference machine: the city billing run under 10 s, every page and partial under 150 ms.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.database import patient  # noqa: E402
from app.demo.city import build_city, city_sample  # noqa: E402
from app.demo.city_alliance import build_city_alliance  # noqa: E402
from app.demo.city_pacts import build_city_pacts  # noqa: E402
from app.extensions import db  # noqa: E402
from app.periods import add_months, current_period  # noqa: E402
from bench.registry import CASES, Bench, Skipped  # noqa: E402

BUILD = "build the city data set"
BUILD_PACTS = "add the pacts area to it"
BUILD_ALLIANCE = "add the alliance area to it"
DEFAULT_RUNS = 5
MONTHS = 12


def make_app(url: str, workdir: Path) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "LOGIN_RATE_LIMIT": "100000 per minute",
            # Files the cases make (the boards PDF) go with the temporary database.
            "UPLOAD_FOLDER": str(workdir / "uploads"),
        }
    )


def fresh_database(url: str | None, workdir: Path, n: int) -> str:
    """An empty database with the schema built by the migrations; its URL."""
    if url is None:
        url = f"sqlite:///{workdir / f'city-{n}.db'}"
    app = make_app(url, workdir)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return url


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def summary(name: str, times: list[float]) -> tuple[str, int, float, float, float]:
    """name, runs, median, 99th percentile (interpolated: the worst below a hundred runs, or
    nearly) and worst."""
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98] if len(times) > 1 else times[0]
    return name, len(times), statistics.median(times), p99, max(times)


def print_table(rows: list[tuple[str, int, float, float, float]]) -> None:
    width = max(len("case"), *(len(name) for name, *_ in rows))
    print(f"| {'case':<{width}} | runs | {'median':>9} | {'p99':>9} | {'worst':>9} |")
    print(f"|{'-' * (width + 2)}|-----:|{'-' * 10}:|{'-' * 10}:|{'-' * 10}:|")
    for name, runs, median, p99, worst in rows:
        figures = " | ".join(f"{seconds(value):>9}" for value in (median, p99, worst))
        print(f"| {name:<{width}} | {runs:>4} | {figures} |")


def load_cases() -> None:
    for module in sorted((ROOT / "bench").glob("cases_*.py")):
        importlib.import_module(f"bench.{module.stem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help=f"runs per case (default {DEFAULT_RUNS})")
    parser.add_argument("--build-runs", type=int, default=1, help="builds of the data set")
    parser.add_argument("--only", help="only the cases whose name contains this text")
    parser.add_argument("--communities", type=int, default=2000, help="size of the city")
    parser.add_argument(
        "--wipe", action="store_true", help="allow dropping the schema of DATABASE_URL"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if url and not args.wipe:
        parser.error(f"this drops every table of {url}; give a scratch database and --wipe")
    logging.disable(logging.INFO)  # the migrations announce every step
    load_cases()

    rows, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="gongjian-bench-") as workdir:
        builds, pacts, alliances = [], [], []
        for n in range(max(1, args.build_runs)):
            database = fresh_database(url, Path(workdir), n)
            app = make_app(database, Path(workdir))
            with app.app_context():
                # As `flask demo --scale city` does: a statement of the build may take longer
                # than the portal's timeouts allow a page.
                patient(db.session.connection())
                builds.append(timed(lambda: build_city(communities=args.communities)))
                pacts.append(timed(build_city_pacts))
                alliances.append(timed(build_city_alliance))
                sample = city_sample()
                db.session.remove()
            print(f"built the city data set in {seconds(builds[-1])}", file=sys.stderr)
        rows.append(summary(BUILD, builds))
        rows.append(summary(BUILD_PACTS, pacts))
        rows.append(summary(BUILD_ALLIANCE, alliances))

        bench = Bench(app, sample, add_months(current_period(), 1 - MONTHS))
        for registered in CASES:
            if args.only and args.only not in registered.name:
                continue
            runs = args.runs or registered.runs or DEFAULT_RUNS
            times = []
            try:
                if registered.warmup:
                    with app.app_context():
                        registered.function(bench)
                        db.session.remove()
                for _ in range(runs):
                    with app.app_context():
                        times.append(timed(lambda c=registered: c.function(bench)))
                        db.session.remove()
            except Skipped as reason:
                skipped.append((registered.name, str(reason)))
                print(f"{registered.name}: skipped, {reason}", file=sys.stderr)
                continue
            rows.append(summary(registered.name, times))
            print(f"{registered.name}: {seconds(statistics.median(times))}", file=sys.stderr)
        with app.app_context():
            backend = db.engine.dialect.name
            db.engine.dispose()
    print(f"\n{backend}, {os.cpu_count()} CPUs, {args.communities} communities\n")
    print_table(rows)
    for name, reason in skipped:
        print(f"skipped: {name} ({reason})")


if __name__ == "__main__":
    main()
