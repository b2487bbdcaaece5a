"""Citizen ID numbers (居民身份证号码) under GB 11643-1999: check digit, birth date, gender."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    """The 18th character GB 11643 requires after these 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def with_check_digit(first17: str) -> str:
    """A full 18-character ID number from its first 17 digits."""
    return first17 + check_digit(first17)


def birth_date(id_number: str) -> dt.date | None:
    """The birth date encoded in positions 7–14, or None when those digits are not a real date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def gender(id_number: str) -> str:
    """'male' or 'female' from the 17th digit (odd is male)."""
    return "male" if int(id_number[16]) % 2 else "female"


def mask_id(id_number: str) -> str:
    """430527201001011234 → 430527********1234: enough to tell students apart, not enough to misuse."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_registry(registry_no: str) -> str:
    """A national registry number is G + the ID number, so it is masked the same way."""
    if registry_no[:1].isalpha() and len(registry_no) == 19:
        return registry_no[0] + mask_id(registry_no[1:])
    return mask_id(registry_no)


_ID_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")


def mask_ids_in(text: str) -> str:
    """``text`` with every 18-character ID number in it (also inside a 学籍号) masked like :func:`mask_id`."""
    return _ID_IN_TEXT.sub(r"\1********\2", text)
