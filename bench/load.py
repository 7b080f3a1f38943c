"""A mixed load over real HTTP: gunicorn with 4 workers, 16 signed-in users for a bounded time,
page views and about two payments a second; then status counts, per-kind p50/p95/p99 and the
ledger's invariants. Loopback only.

    .venv/bin/python bench/load.py                       # the demo data, SQLite in a temp file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/load.py --wipe --seconds 60    # PostgreSQL: DROPS that schema

Uses the gunicorn runner and the cookie-keeping client of the fault tests (tests/faults.py).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.demo import DEMO_PASSWORD, load_full_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import User  # noqa: E402
from tests.faults import WebClient, gunicorn  # noqa: E402

SECRET = "load-" + "x" * 40
USERS = 16
PAYMENTS_PER_SECOND = 2.0
INVARIANTS = {
    "a bill collected beyond what it owes": """
        SELECT count(*) FROM bill WHERE paid_fen > amount_fen + late_fee_fen - late_fee_waived_fen
    """,
    "a bill whose paid amount is not its allocations": """
        SELECT count(*) FROM bill b WHERE b.paid_fen <>
          (SELECT coalesce(sum(a.amount_fen), 0) FROM payment_allocation a WHERE a.bill_id = b.id)
    """,
    "a household whose money received is not on bills or in credit": """
        SELECT count(*) FROM household h WHERE
          (SELECT coalesce(sum(p.amount_fen), 0) FROM payment p WHERE p.household_id = h.id) <>
          (SELECT coalesce(sum(a.amount_fen), 0) FROM payment_allocation a
             JOIN bill b ON b.id = a.bill_id WHERE b.household_id = h.id)
          + (SELECT coalesce(sum(c.amount_fen), 0) FROM credit_entry c WHERE c.household_id = h.id)
    """,
    "a gap in a company's receipt numbers": """
        SELECT count(*) FROM (SELECT company_id, receipt_year, max(receipt_seq) - count(*) AS gap
          FROM payment GROUP BY company_id, receipt_year) g WHERE gap <> 0
    """,
}


def prepare(url: str | None, wipe: bool, workdir: Path) -> tuple[str, dict]:
    url = url or f"sqlite:///{workdir / 'load.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        if wipe and url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_full_demo()
        db.session.commit()
        plan = {
            "managers": ["manager", "manager2"],
            "residents": ["resident", "resident2"],
            "households": {who: _households_of(who) for who in ("manager", "manager2")},
        }
    return url, plan


def _households_of(username: str) -> list[int]:
    company = db.session.scalar(select(User.company_id).where(User.username == username))
    query = text(
        "SELECT h.id FROM household h JOIN community c ON c.id = h.community_id "
        "WHERE c.company_id = :company ORDER BY h.id LIMIT 200"
    )
    return [row[0] for row in db.session.execute(query, {"company": company})]


class Pacer:
    """Hands out payment turns at a steady rate, whichever manager asks first."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1 / per_second
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def due(self) -> bool:
        with self.lock:
            if time.monotonic() < self.next:
                return False
            self.next += self.interval
            return True


def user_loop(base: str, who: str, plan: dict, until: float, results: list, pacer: Pacer) -> None:
    client = WebClient(base)
    client.login(who, DEMO_PASSWORD)
    manager = who in plan["managers"]
    homes = plan["households"].get(who, [])
    rng = random.Random(who)  # noqa: S311 (a load pattern, not a secret)
    while time.monotonic() < until:
        if manager and pacer.due():
            home = rng.choice(homes)
            page = f"/fees/counter/households/{home}"
            html = client.request(page).body
            token = re.search(r'name="token"[^>]*value="([^"]+)"', html)
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
            if token and csrf:
                form = {"csrf_token": csrf.group(1), "token": token.group(1),
                        "amount": "12.50", "method": "cash"}  # fmt: skip
                answer = client.request(page, form)
                results.append(("payment", answer.status, answer.seconds))
            continue
        kind, path = rng.choice(
            [("counter", f"/fees/counter/households/{rng.choice(homes)}"),
             ("arrears", "/fees/reports/arrears"), ("inbox", "/property/requests/inbox"),
             ("dashboard", "/property/dashboard")]
            if manager
            else [("my fees", "/fees/my"), ("my payments", "/fees/my/payments")]
        )  # fmt: skip
        answer = client.request(path)
        results.append((kind, answer.status, answer.seconds))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--wipe", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url, plan = prepare(os.environ.get("DATABASE_URL"), args.wipe, workdir)
        results: list[tuple[str, int, float]] = []
        managers = USERS // 2
        pacer = Pacer(PAYMENTS_PER_SECOND)
        with gunicorn(url, SECRET, workdir / "gunicorn.log", workers=args.workers) as served:
            pacer.next = time.monotonic()
            until = pacer.next + args.seconds
            users = [plan["managers"][n % 2] for n in range(managers)]
            users += [plan["residents"][n % 2] for n in range(USERS - managers)]
            threads = [
                threading.Thread(
                    target=user_loop, args=(served.base, u, plan, until, results, pacer)
                )
                for u in users
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        report(results, args.seconds, url)


def report(results: list[tuple[str, int, float]], seconds: float, url: str) -> None:
    statuses = Counter(status for _kind, status, _s in results)
    print(f"{len(results)} requests in {seconds:.0f} s ({len(results) / seconds:.1f}/s): "
          + ", ".join(f"{n} × {status}" for status, n in sorted(statuses.items())))  # fmt: skip
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _status, spent in results:
        by_kind[kind].append(spent * 1000)
    print(f"{'kind':<12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, times in sorted(by_kind.items()):
        print(f"{kind:<12} {len(times):>6} {statistics.median(times):>8.0f} "
              f"{percentile(times, 0.95):>8.0f} {percentile(times, 0.99):>8.0f}")  # fmt: skip
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        for name, query in INVARIANTS.items():
            broken = db.session.scalar(text(query))
            print(f"{'ok  ' if broken == 0 else 'FAIL'} {name}: {broken}")


if __name__ == "__main__":
    main()
