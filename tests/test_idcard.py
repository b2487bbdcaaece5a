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


def test_ids_in_text_are_masked_even_when_typed_wrongly() -> None:
    masked = {
        "439921200805121033": "439921********1033",  # well formed
        "G439921200805121033": "G439921********1033",  # inside a 学籍号
        "43992120080512103X": "439921********103X",
        "43992120080512103": "439921*******2103",  # 17 digits
        "4399212008051210331": "439921*********0331",  # 19 digits
        "439921 20080512 1033": "439921 ******** 1033",  # spaces between groups
        "439921-2008-0512-1033": "439921-****-****-1033",
        "439921080512103": "439921*****2103",  # an old 15-digit number
        "43992120080512103342": "439921**********3342",  # a disability certificate: the ID and two more
    }
    for raw, shown in masked.items():
        assert idcard.mask_ids_in(f"实际是“{raw}”。") == f"实际是“{shown}”。", raw


def test_ordinary_numbers_are_not_masked() -> None:
    for text in ("云政限复〔2022〕3号", "桐政罚决〔2022〕12345号", "电话 13812345678", "电话 138 1234 5678",
                 "0731-88886666", "2022-09-14 至 2022-10-01", "20220914", "QS-2022-001", "001_劝返记录表_20220908.pdf",
                 "第 1234567 号", "罚款 2000 元", "12345678901234567890123"):
        assert idcard.mask_ids_in(text) == text, text
