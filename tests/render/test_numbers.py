"""The 文号 register: sequential, reused for the same document, never reused after voiding, no gaps."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from docgen.render.numbers import NumberConflictError, Register, in_number_order, number_ranges

DAY = dt.date(2022, 9, 14)


def take(register: Register, case_id: str, template: str = "限期复学通知书") -> str:
    with register.batch() as numbers:
        return numbers.number(issuer="云溪镇人民政府", prefix="云政限复", series="限复", year=2022, template=template,
                              case_id=case_id, record_key="", issued_on=DAY)


def test_numbers_are_sequential_and_reused_for_the_same_document(tmp_path: Path) -> None:
    register = Register(tmp_path / "r.sqlite")
    assert [take(register, c) for c in ("A", "B", "A", "C")] == [
        "云政限复〔2022〕1号", "云政限复〔2022〕2号", "云政限复〔2022〕1号", "云政限复〔2022〕3号"]
    assert register.gaps() == []


def test_a_void_number_keeps_its_place_and_is_not_reused(tmp_path: Path) -> None:
    register = Register(tmp_path / "r.sqlite")
    take(register, "A")
    register.void("云政限复〔2022〕1号", "当事人姓名写错", DAY)
    assert take(register, "A") == "云政限复〔2022〕2号"
    (void, new) = register.entries()
    assert (void.status, void.void_reason, new.status) == ("void", "当事人姓名写错", "issued")


def test_a_failed_batch_gives_its_numbers_back(tmp_path: Path) -> None:
    register = Register(tmp_path / "r.sqlite")
    with pytest.raises(RuntimeError), register.batch() as numbers:
        numbers.number(issuer="云溪镇人民政府", prefix="云政限复", series="限复", year=2022, template="t", case_id="A",
                       record_key="", issued_on=DAY)
        raise RuntimeError("rendering failed")
    assert register.entries() == []
    assert take(register, "B") == "云政限复〔2022〕1号"


def test_recorded_numbers_continue_the_series_and_conflicts_are_refused(tmp_path: Path) -> None:
    register = Register(tmp_path / "r.sqlite")
    with register.batch() as numbers:
        numbers.record(issuer="云溪镇人民政府", series="限复", doc_no="云政限复〔2022〕1号", template="限期复学通知书",
                       case_id="A", record_key="", issued_on=DAY)
    assert take(register, "B") == "云政限复〔2022〕2号"
    with pytest.raises(NumberConflictError, match="已登记给案卷 A"), register.batch() as numbers:
        numbers.record(issuer="云溪镇人民政府", series="限复", doc_no="云政限复〔2022〕1号", template="限期复学通知书",
                       case_id="Z", record_key="", issued_on=DAY)


def test_gaps_are_found(tmp_path: Path) -> None:
    register = Register(tmp_path / "r.sqlite")
    with register.batch() as numbers:
        for n in (1, 2, 5):
            numbers.record(issuer="云溪镇人民政府", series="限复", doc_no=f"云政限复〔2022〕{n}号", template="t",
                           case_id=f"C{n}", record_key="", issued_on=DAY)
    assert register.gaps() == [("云溪镇人民政府", "限复", 2022, [3, 4])]


def _batch(path: str, prefix: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    register = Register(Path(path))
    for i in range(40):
        take(register, f"{prefix}{i}")


def test_two_concurrent_processes_never_share_a_number(tmp_path: Path) -> None:
    path = str(tmp_path / "r.sqlite")
    Register(Path(path)).entries()  # create the file before the race
    start = multiprocessing.Event()
    workers = [multiprocessing.Process(target=_batch, args=(path, p, start)) for p in "XY"]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    entries = Register(Path(path)).entries()
    assert sorted(e.seq for e in entries) == list(range(1, 81))
    assert len({e.doc_no for e in entries}) == 80


def test_numbers_are_told_in_the_order_given_a_series_at_a_time() -> None:
    numbers = ["云政限复〔2022〕10号", "桐政限复〔2022〕3号", "云政限复〔2022〕9号", "云政限复〔2023〕1号", "手写1号"]
    assert in_number_order(numbers) == ["云政限复〔2022〕9号", "云政限复〔2022〕10号", "云政限复〔2023〕1号",
                                        "桐政限复〔2022〕3号", "手写1号"]
    assert number_ranges(numbers) == ["云政限复〔2022〕9号至10号（2 个）", "桐政限复〔2022〕3号（1 个）",
                                      "云政限复〔2023〕1号（1 个）", "手写1号"]
