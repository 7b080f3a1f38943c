"""Cases of the payments part: the counter, through the server as a signed-in clerk."""

from __future__ import annotations

import uuid

from bench.registry import CSRF, Bench, case, page

_tokens: dict[int, str] = {}


def _csrf(bench: Bench) -> str:
    """The clerk's CSRF token, read once from a page (it lasts the whole session)."""
    if id(bench) not in _tokens:
        page = bench.get_ok(bench.manager, "/fees/counter").get_data(as_text=True)
        _tokens[id(bench)] = CSRF.search(page).group(1)  # type: ignore[union-attr]
    return _tokens[id(bench)]


page(
    "counter: one household's bills and payments",
    "manager",
    "/fees/counter/households/{household_id}",
)


@case("record one payment")
def record_one_payment(bench: Bench) -> None:
    """A fresh form (a new idempotency token) paying ¥100.00, the excess confirmed."""
    token = _csrf(bench)
    response = bench.manager.post(
        f"/fees/counter/households/{bench.sample.household_id}",
        data={
            "csrf_token": token,
            "token": uuid.uuid4().hex,
            "amount": "100.00",
            "method": "cash",
            "confirmed_fen": "10000",
        },
    )
    assert response.status_code == 302, f"the payment answered {response.status_code}"
