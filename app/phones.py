"""Phone numbers: the one rule every form and import applies, and the one form they are stored in.

The portal serves mainland China, so a number is a Chinese mobile number or a landline with its
area code, as `phonenumbers` (Google's libphonenumber metadata) knows them. Service numbers
(10086), hotlines (400…), foreign numbers and landlines without their area code are refused:
nobody can ring a household back on them, or not from another city.

Stored form, the national format without its spaces except after the area code:

- a mobile number as its 11 digits: ``13812345678``;
- a landline as the area code with its 0, a hyphen and the subscriber number, split where
  phonenumbers' national format splits the area code off: ``023-62881234``, ``010-12345678``,
  ``0717-6551020``.

One form means the roster's prefix search meets a number however it was typed, and a
duplicate reads as one. `phone_link` gives the E.164 target of a ``tel:`` link.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from app.rules import RuleError

# What people put between the digits; anything else (letters, "ext", 转) is not a number we store.
_TYPED = re.compile(r"\+?[0-9\s()-]+")
_KINDS = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE)


def normalise_phone(text: str) -> str:
    """The number in its stored form, or a RuleError on the field "phone"."""
    # NFKC: full-width digits, brackets and spaces (１３８, （０２３）) become plain ones.
    value = unicodedata.normalize("NFKC", text).strip()
    number = _parsed(value) if _TYPED.fullmatch(value) else None
    if number is None:
        raise RuleError(
            _l(
                "Enter a Chinese mobile number (11 digits) or a landline with its area code, "
                "e.g. 023-62881234."
            ),
            "phone",
        )
    digits = phonenumbers.national_significant_number(number)
    if phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
        return digits
    area = phonenumbers.length_of_geographical_area_code(number)
    return f"0{digits[:area]}-{digits[area:]}"


def _parsed(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return None
    if (
        phonenumbers.region_code_for_number(number) != "CN"
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _KINDS
    ):
        return None
    return number


def phone_link(phone: str) -> str:
    """The target of a ``tel:`` link for a stored number, in E.164 (``+8613812345678``)."""
    try:
        number = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        # A number stored before this rule may not parse; the phone's dialler gets it as written.
        return phone
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
