"""Excel ledgers in the service. Import is two steps: the workbook is read and checked by the library (every
cell's problem located by sheet, row and column) and shown; only a clean workbook can be confirmed, and the
confirmation saves every case in one transaction. Export writes the cases the unit sees, ID numbers masked
unless the user asks for them with a reason."""

from __future__ import annotations

import copy
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from docgen.errors import DocgenError
from docgen.idcard import mask_id, mask_registry
from docgen.ledger.reader import import_ledger
from docgen.ledger.writer import export_ledger
from docgen.problems import Problem
from docgen.service.county import audit
from docgen.service.county.access import visible_cases
from docgen.service.county.cases import save_case
from docgen.service.county.models import CaseRecord, Unit
from docgen.service.county.store import store, stored_path

MAX_LEDGER_BYTES = 20 * 1024 * 1024


class LedgerRefusedError(DocgenError):
    """The workbook cannot be read as a ledger at all (not .xlsx, no 辍学学生台账 sheet, …)."""


@dataclass
class Row:
    case_id: str
    name: str
    school: str
    change: str  # 新增 / 修改 / 无变化


@dataclass
class Preview:
    digest: str
    name: str
    cases: list[dict[str, Any]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def _read(data: bytes, name: str, digest: str) -> Preview:
    """The workbook read and checked by the library, problems named by the uploaded file's name."""
    with tempfile.TemporaryDirectory(prefix="docgen-ledger-") as tmp:
        path = Path(tmp) / "ledger.xlsx"
        path.write_bytes(data)
        try:
            result = import_ledger(path)
        except DocgenError as exc:
            raise LedgerRefusedError(str(exc).replace(str(path), name)) from exc
    problems = [Problem(name, p.path, p.message, p.case, p.severity, p.id) for p in result.problems]
    return Preview(digest, name, cases=result.batch.get("cases", []), problems=problems)


def _refusal(unit: Unit) -> Callable[[dict[str, Any]], str | None]:
    """Why this unit may not write a case (None when it may)."""
    schools = set(Unit.objects.filter(county=unit.county, kind=Unit.Kind.SCHOOL, township=unit.township)
                  .values_list("name", flat=True)) if unit.kind == Unit.Kind.TOWNSHIP else set()
    not_ours = f"不是{unit.name}的学生"

    def why(case: dict[str, Any]) -> str | None:
        place, school = case.get("hukou_place", {}), case.get("student", {}).get("school", "")
        if place.get("county") and place["county"] != unit.county:
            return f"不是本县（{unit.county}）的学生"
        if unit.kind == Unit.Kind.BUREAU:
            return None
        if unit.kind == Unit.Kind.TOWNSHIP:
            return None if place.get("township") == unit.township or school in schools else not_ours
        if unit.kind == Unit.Kind.SCHOOL:
            return None if school == unit.name else not_ours
        return "本单位只能查看，不能导入"

    return why


def _check(unit: Unit, result: Preview) -> Preview:
    """Add each case's place in the unit's reach and what importing it would change."""
    existing = {r.case_id: r.data for r in CaseRecord.objects.filter(
        county=unit.county, case_id__in=[c.get("case_id") for c in result.cases])}
    refusal = _refusal(unit)
    for case in result.cases:
        student = case.get("student", {})
        why = refusal(case)
        if why:
            where = f"辍学学生台账（案卷编号 {case.get('case_id', '')}）"
            result.problems.append(Problem(result.name, where, why, student.get("name", "")))
        old = existing.get(case.get("case_id"))
        change = "新增" if old is None else "无变化" if _same(old, case) else "修改"
        result.rows.append(Row(case.get("case_id", ""), student.get("name", ""), student.get("school", ""), change))
    return result


def preview(unit: Unit, data: bytes, name: str) -> Preview:
    """Read and check the workbook; nothing is saved. The bytes are kept (by hash) for the confirmation."""
    if len(data) > MAX_LEDGER_BYTES:
        raise LedgerRefusedError(f"{name}: 文件超过 {MAX_LEDGER_BYTES // (1024 * 1024)} MB")
    return _check(unit, _read(data, name, store(data)))


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return {k: v for k, v in old.items() if k != "evidence"} == {k: v for k, v in new.items() if k != "evidence"}


def confirm(request: HttpRequest, unit: Unit, digest: str, name: str) -> int:
    """Save the previewed workbook's cases (all or none); returns how many were new or changed. The stored
    workbook is read and checked again: what is saved is what was checked."""
    path = stored_path(digest) if re.fullmatch(r"[0-9a-f]{64}", digest) else None
    if path is None or not path.is_file():
        raise LedgerRefusedError("要导入的台账已失效，请重新上传")
    checked = _check(unit, _read(path.read_bytes(), name, digest))
    if not checked.clean:
        raise LedgerRefusedError(f"{name}: 台账有 {len(checked.problems)} 个问题，请改正后重新上传")
    changed = [c for c, row in zip(checked.cases, checked.rows, strict=True) if row.change != "无变化"]
    with transaction.atomic():
        for case in changed:
            old = CaseRecord.objects.filter(county=unit.county, case_id=case["case_id"]).first()
            if old is not None and old.data.get("evidence"):
                case = {**case, "evidence": old.data["evidence"]}  # uploads are not in the ledger
            save_case(case, source=f"{name} {case['case_id']}")
        audit.log(request, audit.IMPORT, name, cases=[c["case_id"] for c in changed], sha256=digest)
    return len(changed)


def _masked(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key == "id_number" and isinstance(value, str):
                    obj[key] = mask_id(value)
                elif key == "registry_no" and isinstance(value, str):
                    obj[key] = mask_registry(value)
                else:
                    walk(value)
        elif isinstance(obj, list):
            for item in obj:
                walk(item)

    walk(out)
    return out


def export(request: HttpRequest, *, full_ids: bool, reason: str = "") -> bytes:
    """The unit's cases as an Excel ledger (bytes); the export is logged, with the reason for full IDs."""
    records: Iterable[CaseRecord] = visible_cases(request.user).order_by("township", "school", "case_id")
    cases = [r.data if full_ids else _masked(r.data) for r in records]
    with tempfile.TemporaryDirectory(prefix="docgen-export-") as tmp:
        out = Path(tmp) / "ledger.xlsx"
        export_ledger(cases, out)
        data = out.read_bytes()
    audit.log(request, audit.EXPORT, "辍学学生台账", cases=len(cases), full_ids=full_ids, **(
        {"reason": reason} if full_ids else {}))
    return data
