"""The 文号 register in the service's database: gapless and unique under parallel requests."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from docgen.render.numbers import NumberConflictError
from docgen.service.county.models import IssuedNumber
from docgen.service.county.register import DbAllocator

ON = dt.date(2022, 9, 15)


def take(allocator: DbAllocator, case_id: str, record_key: str = "") -> str:
    with transaction.atomic():
        return allocator.number(issuer="云溪镇人民政府", prefix="云政限复", series="限复", year=2022,
                                template="限期复学通知书", case_id=case_id, record_key=record_key, issued_on=ON)


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_never_share_or_skip_a_number() -> None:
    allocator, errors, numbers = DbAllocator("青石县"), [], []

    def clerk(n: int) -> None:
        try:
            for i in range(10):
                numbers.append(take(allocator, f"QS-{n:02d}-{i:02d}"))
        except Exception as exc:  # every failure of every thread is reported
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == sorted(f"云政限复〔2022〕{n}号" for n in range(1, 61))
    assert allocator.gaps() == []


@pytest.mark.django_db
def test_a_document_keeps_its_number_and_recorded_numbers_continue_the_series() -> None:
    allocator = DbAllocator("青石县")
    first = take(allocator, "QS-1")
    assert take(allocator, "QS-1") == first == "云政限复〔2022〕1号"
    with transaction.atomic():
        allocator.record(issuer="云溪镇人民政府", series="限复", doc_no="云政限复〔2022〕7号",
                         template="限期复学通知书", case_id="QS-2", record_key="", issued_on=ON)
    assert take(allocator, "QS-3") == "云政限复〔2022〕8号"
    assert allocator.gaps() == [("云溪镇人民政府", "限复", 2022, [2, 3, 4, 5, 6], 5)]
    with pytest.raises(NumberConflictError, match="已登记给案卷 QS-2"), transaction.atomic():
        allocator.record(issuer="云溪镇人民政府", series="限复", doc_no="云政限复〔2022〕7号",
                         template="限期复学通知书", case_id="QS-9", record_key="", issued_on=ON)
    assert IssuedNumber.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        DbAllocator("青石县").number(issuer="x", prefix="x", series="x", year=2022, template="x", case_id="x",
                                     record_key="", issued_on=ON)


@pytest.mark.django_db
def test_the_database_is_the_one_asked_for() -> None:
    """SQLite by default; the run under scripts/with-postgres.sh really talks to PostgreSQL."""
    import os

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
