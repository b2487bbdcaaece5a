"""Numbers issued on paper before docgen: read from a clerk's Excel list into the county register.

The sheet has one row per document with the columns 文号, 文书, 发文机关, 案卷编号 (may be empty)
and 成文日期. Every row is checked first (the template must be one that takes numbers, the 文号
must be that series' form, no number twice); any problem names its cell and nothing is recorded.
Then all rows go into the register in one transaction, so the series continues after them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.errors import DataProblemsError, LedgerError
from docgen.ledger.cells import CellError, is_empty, read_date, text_of
from docgen.problems import Problem
from docgen.render.numbers import NumberConflictError, Register
from docgen.render.registry import Registry

COLUMNS = ("文号", "文书", "发文机关", "案卷编号", "成文日期")
REQUIRED = ("文号", "文书", "发文机关", "成文日期")
_DOC_NO = re.compile(r"^(\S+?)〔(\d{4})〕([1-9]\d*)号$")


@dataclass(frozen=True)
class PaperNumber:
    doc_no: str
    template: str
    series: str
    issuer: str
    case_id: str
    issued_on: dt.date
    cell: str


def read_paper_numbers(path: Path, registry: Registry) -> list[PaperNumber]:
    """The rows of ``path`` (first sheet, header in row 1); DataProblemsError names every bad cell."""
    from openpyxl.utils import get_column_letter

    from docgen.ledger.workbook import ExcelFile

    with ExcelFile(path) as workbook:
        title = workbook.title(0)
        rows = list(workbook.rows(0))
    if not rows:
        raise LedgerError(str(path), f"工作表“{title}”是空的，第 1 行应为表头：{'、'.join(COLUMNS)}")
    header = {text_of(v): i for i, v in enumerate(rows[0]) if not is_empty(v)}
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LedgerError(str(path), f"工作表“{title}”第 1 行缺少列：{'、'.join(missing)}")
    problems: list[Problem] = []
    found: list[PaperNumber] = []
    seen: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        def cell(name: str, row: tuple[Any, ...] = row) -> Any:
            i = header.get(name)
            return row[i] if i is not None and i < len(row) else None

        def where(name: str, number: int = number) -> str:
            return f"{title}!{get_column_letter(header[name] + 1)}{number}（{name}）"

        if all(is_empty(cell(c)) for c in COLUMNS):
            continue
        before = len(problems)
        values = {}
        for name in REQUIRED:
            if is_empty(cell(name)):
                problems.append(Problem(str(path), where(name), "不能为空", id="numbers.import"))
            else:
                values[name] = text_of(cell(name))
        if len(problems) > before:
            continue
        spec = next((t for t in registry.templates if t.name == values["文书"]), None)
        if spec is None or not spec.series:
            numbered = "、".join(t.name for t in registry.templates if t.series)
            problems.append(Problem(str(path), where("文书"), f"“{values['文书']}”不是编文号的文书，应为：{numbered}",
                                    id="numbers.import"))
            continue
        doc_no = values["文号"]
        m = _DOC_NO.match(doc_no)
        if m is None or not m[1].endswith(spec.series):
            problems.append(Problem(str(path), where("文号"),
                                    f"“{doc_no}”不是{spec.name}的文号写法，应如 某政{spec.series}〔2022〕3号",
                                    id="numbers.import"))
            continue
        if doc_no in seen:
            problems.append(Problem(str(path), where("文号"), f"文号 {doc_no} 在 {seen[doc_no]} 已经出现过",
                                    id="numbers.import"))
            continue
        seen[doc_no] = where("文号")
        try:
            issued_on = dt.date.fromisoformat(read_date(cell("成文日期")))
        except (CellError, ValueError) as exc:
            problems.append(Problem(str(path), where("成文日期"), str(exc) if isinstance(exc, CellError)
                                    else f"日期“{text_of(cell('成文日期'))}”不存在", id="numbers.import"))
            continue
        if issued_on.year != int(m[2]):
            problems.append(Problem(str(path), where("成文日期"),
                                    f"成文日期 {issued_on.isoformat()} 与文号中的年份 {m[2]} 不一致",
                                    id="numbers.import"))
            continue
        case_id = "" if is_empty(cell("案卷编号")) else text_of(cell("案卷编号"))
        found.append(PaperNumber(doc_no, spec.name, spec.series, values["发文机关"], case_id, issued_on,
                                 where("文号")))
    if problems:
        raise DataProblemsError(problems)
    return found


def import_paper_numbers(path: Path, registry: Registry, register: Register) -> int:
    """Record the numbers of ``path`` in ``register`` (all or none); how many were new."""
    numbers = read_paper_numbers(path, registry)
    before = len(register.entries())
    try:
        with register.batch() as allocator:
            for n in numbers:
                allocator.record(issuer=n.issuer, series=n.series, doc_no=n.doc_no, template=n.template,
                                 case_id=n.case_id, record_key=f"paper:{n.doc_no}", issued_on=n.issued_on)
    except NumberConflictError as exc:
        raise DataProblemsError([Problem(str(path), n.cell, str(exc), id="numbers.import")
                                 for n in numbers if n.doc_no in str(exc)][:1]) from exc
    return len(register.entries()) - before
