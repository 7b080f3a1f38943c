"""Money at the edges: fen in the database, yuan as people type and read it.

Amounts are integer fen (分). Text from users is parsed strictly — no negatives, at most two
decimals, no exponents, NaN or infinity — into fen; shown as ¥1,234.50; and written in Chinese
capital numerals (大写金额) for receipts.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from flask_babel import lazy_gettext as _l

# ¥ 10 million: far above any household's bills, low enough to catch a typo like 1e9.
MAX_FEN = 10_000_000_00
_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$", re.ASCII)


class MoneyError(ValueError):
    """The text is not an amount of money the portal accepts."""


def parse_yuan(text: str | None) -> int:
    """'1,234.5' or '¥1234.50' → 123450 fen. Raises MoneyError with a message for the user."""
    # NFKC turns full-width digits and signs from a Chinese input method into ASCII.
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    cleaned = cleaned.replace(",", "").lstrip("¥￥").strip()
    if not cleaned:
        raise MoneyError(_l("Enter an amount."))
    if cleaned.startswith("-"):
        raise MoneyError(_l("The amount cannot be negative."))
    if not _AMOUNT.match(cleaned):
        raise MoneyError(_l("Enter an amount in yuan with at most two decimals, e.g. 1234.50."))
    fen = int(Decimal(cleaned) * 100)
    if fen > MAX_FEN:
        raise MoneyError(_l("The amount is larger than the portal accepts."))
    return fen


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_fen(fen: int | None) -> str:
    """123450 → '¥1,234.50'; negative amounts (reversals) → '-¥1,234.50'."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{fen_to_yuan(abs(fen)):,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿"]


def _four_digits(n: int) -> str:
    """0..9999 in capitals, with 零 where a zero sits between digits (e.g. 1005 → 壹仟零伍)."""
    out, zero = "", False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
        else:
            out += ("零" if zero else "") + _DIGITS[digit] + _SMALL_UNITS[position]
            zero = False
    return out


def chinese_capital(fen: int) -> str:
    """An amount as a Chinese receipt writes it: 12350 → 壹佰贰拾叁元伍角整."""
    if fen < 0:
        return "负" + chinese_capital(-fen)
    yuan, jiao, fen_part = fen // 100, fen // 10 % 10, fen % 10
    integer = ""
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            if integer and not integer.endswith("零"):
                integer += "零"
            continue
        if integer and group < 1000 and not integer.endswith("零"):
            integer += "零"
        integer += _four_digits(group) + _BIG_UNITS[index]
    integer = integer.rstrip("零")
    if not integer and not jiao and not fen_part:
        return "零元整"
    text = integer + "元" if integer else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen_part and integer:
        text += "零"
    if fen_part:
        text += _DIGITS[fen_part] + "分"
    else:
        text += "整"
    return text
