"""Excel ledgers in the service. Import is two steps: the workbook (staged for its user, never in the evidence
store) is read and checked by the library — every cell's problem located by sheet, row and column — and by the
door — every case the unit's own, no ID number or case id of anyone else's, no 文号 the unit may not record, no
stored file named by its hash — and shown; only a clean workbook can be confirmed, and the confirmation checks it
all again and saves every case through the door in one transaction. Export writes the cases the unit sees, ID
numbers masked unless the user asks for them with a reason."""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from docgen.cases import load_data
from docgen.errors import DataProblemsError, DocgenError
from docgen.idcard import mask_id, mask_registry
from docgen.ledger.reader import import_ledger
from docgen.ledger.writer import export_ledger
from docgen.problems import Problem
from docgen.service.county import audit, door
from docgen.service.county.door import Actor, Write
from docgen.service.county.models import CaseRecord
from docgen.service.county.privacy import mask_name, masked, masked_problem
from docgen.service.county.store import stage, staged

log = logging.getLogger("docgen.service")
MAX_LEDGER_BYTES = 20 * 1024 * 1024
EVIDENCE_SHEET = "佐证材料"


class LedgerRefusedError(DocgenError):
    """The workbook cannot be read as a ledger at all (not .xlsx, no 辍学学生台账 sheet, too big, …), or an
    export cannot be written as asked."""


@dataclass
class Row:
    case_id: str
    name: str
    school: str
    change: str  # 新增 / 修改 / 无变化


@dataclass
class Preview:
    token: str
    name: str
    cases: list[dict[str, Any]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def _read(path: Path, name: str, token: str) -> Preview:
    """The workbook read and checked by the library, problems named by the uploaded file's name."""
    try:
        result = import_ledger(path)
    except DocgenError as exc:
        raise LedgerRefusedError(str(exc).replace(str(path), name)) from exc
    except Exception as exc:  # whatever the reader meets in a hostile workbook: refused, never a 500
        log.warning("ledger %s could not be read: %s", name, type(exc).__name__)
        raise LedgerRefusedError(f"{name}: 无法读取这个 Excel 文件，请在 Excel 中另存为 .xlsx 后重新上传") from exc
    problems = [masked_problem(Problem(name, p.path, p.message, p.case, p.severity, p.id)) for p in result.problems]
    return Preview(token, name, cases=result.batch.get("cases", []), problems=problems)


def _with_stored_evidence(case: dict[str, Any], old: CaseRecord | None) -> dict[str, Any]:
    """Evidence is not imported: a case keeps the evidence it has (uploads to its page); a new case keeps the
    ledger's list of files kept outside the service (no stored file — the door refuses a hash)."""
    if old is not None:
        case = {k: v for k, v in case.items() if k != "evidence"}
        if old.data.get("evidence"):
            case["evidence"] = copy.deepcopy(old.data["evidence"])
    return case


def _check(actor: Actor, result: Preview) -> Preview:
    """The door's checks of every case (problems located at its row), and what importing each would change —
    told only for the unit's own cases."""
    loaded = load_data([(f"{result.name} {c.get('case_id', '')}", c) for c in result.cases])
    by_file = {c.file: c for c in loaded.cases}
    stored = {r.case_id: r for r in door.cases(actor).filter(case_id__in=[c.get("case_id") for c in result.cases])}
    writes, checked = [], []
    for case in result.cases:
        write_data = _with_stored_evidence(case, stored.get(case.get("case_id")))
        writes.append(Write(write_data, result.name))
        checked.append(by_file.get(f"{result.name} {case.get('case_id', '')}"))
    door.check_writes(actor, writes, checked)
    for case, write in zip(result.cases, writes, strict=True):
        for problem in write.problems:
            result.problems.append(masked_problem(Problem(
                result.name, f"辍学学生台账（案卷编号 {case.get('case_id', '')}）{_place(problem.path)}",
                problem.message, problem.case)))
        old = write.old
        change = "新增" if old is None else "无变化" if _same(old.data, write.data) else "修改"
        student = case.get("student", {})
        result.rows.append(Row(case.get("case_id", ""), student.get("name", ""), student.get("school", ""), change))
    result.cases = [w.data for w in writes]
    return result


def _place(path: str) -> str:
    from docgen.cases.schema import place_label

    if path in ("$", "$.case_id"):
        return ""
    return f" {place_label(path) or path}"


def preview(actor: Actor, stream: IO[bytes], size: int, name: str) -> Preview:
    """Stage the uploaded workbook for this user, read and check it; nothing is saved."""
    if not door.may_edit(actor) or actor.user_id is None:
        raise door.NotFound
    if size > MAX_LEDGER_BYTES:
        raise LedgerRefusedError(f"{name}: 文件超过 {MAX_LEDGER_BYTES // (1024 * 1024)} MB")
    token = stage(actor.user_id, stream)
    path = staged(actor.user_id, token)
    assert path is not None
    return _check(actor, _read(path, name, token))


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old == new


def confirm(actor: Actor, token: str, name: str) -> int:
    """Save the previewed workbook's cases (all or none) through the door; returns how many were new or changed.
    The staged workbook is read and checked again: what is saved is what was checked."""
    if not door.may_edit(actor) or actor.user_id is None:
        raise door.NotFound
    path = staged(actor.user_id, token)
    if path is None:
        raise LedgerRefusedError("要导入的台账已失效，请重新上传")
    checked = _check(actor, _read(path, name, token))
    if not checked.clean:
        raise LedgerRefusedError(f"{name}: 台账有 {len(checked.problems)} 个问题，请改正后重新上传")
    changed = [c for c, row in zip(checked.cases, checked.rows, strict=True) if row.change != "无变化"]
    try:
        with door.writing():
            for case in changed:
                door.save(actor, case, where=f"{name} {case['case_id']}")
            audit.log(actor, audit.IMPORT, name, cases=[c["case_id"] for c in changed])
    except DataProblemsError as exc:
        first = masked(exc.problems[0].message) if exc.problems else ""
        raise LedgerRefusedError(f"{name}: 没有导入（{first}），请重新上传检查") from exc
    path.unlink(missing_ok=True)
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
                elif isinstance(value, str):
                    obj[key] = masked(value)
                else:
                    walk(value)
        elif isinstance(obj, list):
            for n, item in enumerate(obj):
                if isinstance(item, str):
                    obj[n] = masked(item)
                else:
                    walk(item)

    walk(out)
    return out


def export(actor: Actor, *, full_ids: bool, reason: str = "") -> bytes:
    """The unit's cases as an Excel ledger (bytes); the export is logged, with the reason for full IDs.
    LedgerRefusedError naming each record that a ledger cannot hold as it is (a separator in a name)."""
    records: Iterable[CaseRecord] = door.cases(actor).order_by("township", "school", "case_id")
    cases = [r.data if full_ids else _masked(r.data) for r in records]
    with tempfile.TemporaryDirectory(prefix="docgen-export-") as tmp:
        out = Path(tmp) / "ledger.xlsx"
        try:
            export_ledger(cases, out)
        except DataProblemsError as exc:
            raise LedgerRefusedError(_unwritable(exc.problems)) from exc
        data = out.read_bytes()
    audit.log(actor, audit.EXPORT, "辍学学生台账", cases=len(cases), full_ids=full_ids, **(
        {"reason": reason} if full_ids else {}))
    return data


def _unwritable(problems: list[Problem]) -> str:
    """Why the export could not be written, case by case (names masked), and how to put it right."""
    lines = []
    for p in problems[:20]:
        who = mask_name(p.case.split("(")[0]) if p.case else ""
        lines.append(f"{who}的“{p.path.split('·')[-1]}”：{masked(p.message)}")
    more = f"等 {len(problems)} 处" if len(problems) > 20 else ""
    return ("台账没有导出：" + "；".join(lines) + more +
            "。请在案卷页的该条记录旁点“修改”改正（或由能修改该案卷的单位改正）后再导出。")
