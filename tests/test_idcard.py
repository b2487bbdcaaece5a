"""GB 11643 ID numbers."""

from __future__ import annotations

import datetime as dt

from docgen import idcard


def test_check_digit_of_the_standard_example() -> None:
    # The worked example of GB 11643-1999.
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.with_check_digit("44052418800101001") == "440524188001010014"


def test_birth_date_and_gender() -> None:
    assert idcard.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert idcard.birth_date("110105194902300020") is None
    assert idcard.gender("11010519491231002X") == "female"
    assert idcard.gender("440524188001010014") == "male"
