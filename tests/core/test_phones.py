"""The one phone rule: what it accepts, the form it stores, the tel: link, and the form field."""

from __future__ import annotations

import random

import pytest
from flask import Flask, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.demo import city, imports, roster
from app.demo.base import load_demo
from app.extensions import db
from app.fields import PhoneField
from app.models import Community, Company, Household, ImportJob, ImportStatus, Staff
from app.phones import normalise_phone, phone_link
from app.rules import RuleError


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("023-62881234", "023-62881234"),
        ("023-6288-1234", "023-62881234"),
        ("(023)62881236", "023-62881236"),
        ("（０２３）６２８８１２３６", "023-62881236"),
        ("023 6288 1234", "023-62881234"),
        ("02362881234", "023-62881234"),
        ("+86 23 6288 1234", "023-62881234"),
        ("010-12345678", "010-12345678"),
        ("0755 1234 5678", "0755-12345678"),
        ("0717-6551020", "0717-6551020"),
    ],
)
def test_numbers_people_type_are_stored_in_one_form(text, stored):
    assert normalise_phone(text) == stored
    assert normalise_phone(stored) == stored


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "62881237",  # a landline without its area code
        "10086",  # a service number
        "95588",
        "400-810-8888",  # a hotline, not a household's or a steward's phone
        "12345",
        "12345678901",  # eleven digits, but no mobile network's
        "1380000000",  # one digit short
        "+1 415 555 2671",  # not a Chinese number
        "+852 2123 4567",
        "023-62881234-801",  # extensions are not stored
        "023 6288 1234 ext 12",
        "call me",
        "13812345678x",
    ],
)
def test_numbers_nobody_can_ring_back_are_refused(text):
    with pytest.raises(RuleError) as error:
        normalise_phone(text)
    assert error.value.field == "phone"


def test_the_refusal_speaks_the_users_language(app: Flask):
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        with pytest.raises(RuleError) as error:
            normalise_phone("10086")
        assert "区号" in str(error.value.message)


@pytest.mark.parametrize(
    ("stored", "target"),
    [
        ("13812345678", "+8613812345678"),
        ("023-62881234", "+862362881234"),
        ("0717-6551020", "+867176551020"),
        ("call me", "call me"),  # stored before the rule: dialled as written
    ],
)
def test_a_tel_link_dials_the_number_in_e164(stored, target):
    assert phone_link(stored) == target


def test_templates_link_a_phone_with_the_tel_filter(app: Flask):
    with app.test_request_context():
        html = render_template_string('<a href="tel:{{ p|tel }}">', p="023-62881234")
    assert html == '<a href="tel:+862362881234">'


class _Form(FlaskForm):
    phone = PhoneField("Phone")


def _submitted(app: Flask, data: dict[str, str], stored: str | None = None) -> _Form:
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}):
        form = _Form(MultiDict(data), data={"phone": stored}, meta={"csrf": False})
        form.validate()
        return form


def test_the_field_gives_the_stored_form_and_keeps_the_text_it_refuses(app: Flask):
    typed = _submitted(app, {"phone": "+86 138 1234 5678"})
    assert typed.phone.data == "13812345678" and not typed.phone.errors

    empty = _submitted(app, {"phone": " "})
    assert empty.phone.data is None and not empty.phone.errors

    refused = _submitted(app, {"phone": "10086"})
    assert refused.phone.data is None and refused.phone._value() == "10086"
    assert refused.phone.errors == [
        "Enter a Chinese mobile number (11 digits) or a landline with its area code, "
        "e.g. 023-62881234."
    ]

    left_out = _submitted(app, {}, stored="023-62881234")
    assert left_out.phone.data == "023-62881234" and not left_out.phone.errors


@pytest.mark.slow
def test_the_demos_phones_are_stored_in_the_one_form(database):
    load_demo()
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    for area in (roster, imports):
        area.load_demo(communities, random.Random(1))
    city.build_city(communities=30, months=12)
    db.session.commit()
    # The demo's import applies its final file only when every row passed, phones included.
    assert (
        db.session.scalar(select(ImportJob.status).where(ImportJob.filename == imports.FINAL))
        == ImportStatus.DONE
    )
    phones = [
        phone
        for column in (Company.phone, Household.phone, Staff.phone)
        for phone in db.session.scalars(select(column).where(column.is_not(None)))
    ]
    assert len(phones) > 1000
    assert [p for p in phones if not _in_stored_form(p)] == []


def _in_stored_form(phone: str) -> bool:
    try:
        return normalise_phone(phone) == phone
    except RuleError:
        return False
