"""Text for terminals and documents: display widths and wrapping of Chinese lines."""

from __future__ import annotations

from docgen.text import display_width, wrap


def test_wrap_counts_a_chinese_character_as_two_columns() -> None:
    lines = wrap("  1. 在校生3日内无故不到校的，学校要及时家访，对有辍学倾向的要深入学生家庭做劝返工作", 30, "     ")
    assert lines == ["  1. 在校生3日内无故不到校的，", "     学校要及时家访，对有辍学", "     倾向的要深入学生家庭做劝",
                     "     返工作"]
    assert all(display_width(line) <= 30 for line in lines)


def test_wrap_never_splits_an_ascii_word() -> None:
    assert wrap("核查规则：home-visit.late、persuasion.five", 24, "  ") == [
        "核查规则：", "  home-visit.late、", "  persuasion.five"]
    assert wrap("x" * 30 + " y", 10, "  ") == ["x" * 30, "  y"]  # only a word longer than a line overflows


def test_wrap_keeps_closing_punctuation_off_the_start_of_a_line() -> None:
    assert wrap("甲乙丙丁戊，己", 10) == ["甲乙丙丁", "戊，己"]
    assert wrap("", 10) == [""]
