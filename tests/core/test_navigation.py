"""The menu marks where the user is: the entry of the page itself, or of the section it is in."""

from __future__ import annotations

from app.models import Role
from app.navigation import NAVIGATION, SECTIONS, menu


def marked(role: Role, endpoint: str, path: str) -> list[tuple[str, str]]:
    return [(e.endpoint, e.current) for e in menu(role, endpoint, path) if e.current]


def test_the_page_itself_is_the_current_page(app):
    assert marked(Role.MANAGER, "fees.payments.counter", "/fees/counter") == [
        ("fees.payments.counter", "page")
    ]


def test_a_page_under_an_entry_marks_that_entry_as_its_section(app):
    receipt = marked(Role.MANAGER, "fees.payments.receipt", "/fees/receipts/7")
    assert receipt == [("fees.payments.counter", "true")]
    assert marked(Role.RESIDENT, "fees.payments.receipt", "/fees/receipts/7") == [
        ("fees.reports.my_fees", "true")
    ]
    staff = marked(Role.MANAGER, "property.roster.roster_staff", "/property/roster/staff")
    assert staff == [("property.roster.roster_households", "true")]
    detail = "/property/requests/12"
    assert marked(Role.STEWARD, "property.requests.request_detail", detail) == [
        ("property.requests.my_tasks", "true")
    ]


def test_at_most_one_entry_is_marked_and_pages_outside_any_mark_none(app):
    assert marked(Role.MANAGER, "auth.account.change_password", "/change-password") == []
    for role in NAVIGATION:
        for endpoint, _text in NAVIGATION[role]:
            for prefix in SECTIONS.get(endpoint, ("/",)):
                assert len(marked(role, "some.page", prefix + "x")) <= 1
