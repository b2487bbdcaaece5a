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


# A run of digits that may be an ID number typed wrongly: 17 or 19 digits, an old 15-digit one, spaces or hyphens
# between groups ("439921 20090721 1072"), a disability certificate's 20. Groups of at least three digits, so
# that dates (2022-09-14), short numbers and 文号 (云政限复〔2022〕3号) never join one.
_NEAR_ID = re.compile(r"(?<![0-9])[0-9]{3,}(?:[ \-][0-9]{3,})*[Xx]?(?![0-9])")
NEAR_ID_DIGITS = (14, 22)  # a mobile number has 11 digits, a landline with its area code 12


def _mask_near_id(match: re.Match[str]) -> str:
    text = match.group(0)
    places = [i for i, ch in enumerate(text) if ch.isdigit() or ch in "Xx"]
    if not NEAR_ID_DIGITS[0] <= len(places) <= NEAR_ID_DIGITS[1]:
        return text
    hidden = set(places[6:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


def mask_ids_in(text: str) -> str:
    """``text`` with every ID number in it masked like :func:`mask_id` (also inside a 学籍号), and every run of
    digits that may be one typed wrongly (14 to 22 digits, spaces or hyphens between groups of three or more):
    the first six and the last four kept, each digit between them a star."""
    return _NEAR_ID.sub(_mask_near_id, text)
