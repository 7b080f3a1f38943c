"""Money parsing, formatting, capital numerals and periods."""

from __future__ import annotations

import pytest

from app.money import MoneyError, chinese_capital, format_fen, parse_yuan
from app.periods import add_months, format_period, parse_period


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1", 100),
        ("1234.5", 123450),
        ("¥1,234.50", 123450),
        (" 0.01 ", 1),
        ("0", 0),
        ("88.8", 8880),
        ("１２.５", 1250),
        ("12，345", 1234500),
    ],
)
def test_amounts_people_type(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text", ["", "-1", "1.234", "1e9", "NaN", "inf", "abc", "1.2.3", "12345678901", "٣"]
)
def test_amounts_refused(text):
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_format():
    assert format_fen(123450) == "¥1,234.50"
    assert format_fen(5) == "¥0.05"
    assert format_fen(-123450) == "-¥1,234.50"


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (12350, "壹佰贰拾叁元伍角整"),
        (100, "壹元整"),
        (0, "零元整"),
        (5, "伍分"),
        (1005, "壹拾元零伍分"),
        (100500, "壹仟零伍元整"),
        (1000000, "壹万元整"),
        (10010000, "壹拾万零壹佰元整"),
        (1234567891, "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角壹分"),
        (10000000000, "壹亿元整"),
        (1000010000, "壹仟万零壹佰元整"),
        (7060, "柒拾元陆角整"),
    ],
)
def test_chinese_capitals(fen, words):
    assert chinese_capital(fen) == words


def test_periods():
    assert parse_period("2026-11") == 202611
    assert format_period(202601) == "2026-01"
    assert add_months(202611, 2) == 202701
    assert add_months(202601, -1) == 202512
    for bad in ("2026-13", "2026-1", "26-11", "", "1999-12"):
        with pytest.raises(ValueError):
            parse_period(bad)
