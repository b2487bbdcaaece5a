"""Excel ledgers in the service. Import is two steps: the workbook (staged for its user, never in the evidence
store) is read and checked by the library — every cell's problem located by sheet, row and column — and by the
door — every case the unit's own, no ID number or case id of anyone else's, no 文号 the unit may not record, no
stored file named by its hash — and shown; only a clean workbook can be confirmed, and the confirmation checks it
all again and saves every case through the door in one transaction. Export writes the cases the unit sees, ID
numbers masked unless the user asks for them with a reason."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from docgen.cases import load_data, lookup
from docgen.cases.model import CaseDraft
from docgen.errors import DataProblemsError, DocgenError
from docgen.idcard import mask_id, mask_registry
from docgen.ledger.reader import Restore, import_ledger
from docgen.ledger.workbook import made_at
from docgen.ledger.writer import export_ledger
from docgen.problems import Problem
from docgen.service.county import audit, door
from docgen.service.county.door import Actor, Write
from docgen.service.county.history import Difference, differences
from docgen.service.county.models import CaseRecord
from docgen.service.county.privacy import mask_name, masked, masked_problem
from docgen.service.county.store import stage, staged

log = logging.getLogger("docgen.service")
MAX_LEDGER_BYTES = 20 * 1024 * 1024
STAMP_SLACK = dt.timedelta(seconds=2)  # a workbook says when it was made to the second: a save just before is not after
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
    changes: list[Difference] = field(default_factory=list)  # for 修改: each field, old → new


@dataclass
class Preview:
    token: str
    name: str
    cases: list[CaseDraft] = field(default_factory=list)
    made: dt.datetime | None = None  # when the workbook was exported (made), as it says
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems

    def _count(self, change: str) -> int:
        return sum(r.change == change for r in self.rows)

    @property
    def added(self) -> int:
        return self._count("新增")

    @property
    def changed(self) -> int:
        return self._count("修改")

    @property
    def unchanged(self) -> int:
        return self._count("无变化")


def _read(actor: Actor, path: Path, name: str, token: str) -> Preview:
    """The workbook read and checked by the library, masked texts of the actor's own cases put back, problems
    named by the uploaded file's name."""
    try:
        result = import_ledger(path, restore=_restorer(actor))
        made = made_at(path)
    except DocgenError as exc:
        raise LedgerRefusedError(str(exc).replace(str(path), name)) from exc
    except Exception as exc:  # whatever the reader meets in a hostile workbook: refused, never a 500
        log.warning("ledger %s could not be read: %s", name, type(exc).__name__)
        raise LedgerRefusedError(f"{name}: 无法读取这个 Excel 文件，请在 Excel 中另存为 .xlsx 后重新上传") from exc
    problems = [masked_problem(Problem(name, p.path, p.message, p.case, p.severity, p.id)) for p in result.problems]
    return Preview(token, name, cases=result.batch.get("cases", []), problems=problems, made=made)


def _with_stored_evidence(case: CaseDraft, old: CaseRecord | None) -> CaseDraft:
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
        changes = [] if old is None else differences(old.data, write.data)
        change = "新增" if old is None else "修改" if changes else "无变化"
        stale = _changed_since(result.made, old) if changes else None
        if stale:
            result.problems.append(Problem(result.name, f"辍学学生台账（案卷编号 {case.get('case_id', '')}）",
                                           stale))
        result.rows.append(Row(case.get("case_id", ""), lookup(case, "student.name") or "",
                               lookup(case, "student.school") or "", change, changes))
    result.cases = [w.data for w in writes]
    return result


def _changed_since(made: dt.datetime | None, old: CaseRecord) -> str | None:
    """Why a workbook may not change a stored case: the case changed after the workbook was exported (importing
    would undo what others saved since: records added, notices issued), or the workbook does not say when it was
    made. None when it may."""
    if made is None:
        return ("看不出这份台账是什么时候导出的，不能用它修改已有的案卷："
                "请在“台账”页导出台账，在导出的台账上修改后再导入")
    if old.updated <= made + STAMP_SLACK:
        return None
    return (f"这个案卷在台账导出（{timezone.localtime(made):%Y-%m-%d %H:%M}）之后又有改动"
            f"（{timezone.localtime(old.updated):%Y-%m-%d %H:%M}），导入会抹掉这些改动：请重新导出台账，"
            "在新导出的台账上修改后再导入")


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
    return _check(actor, _read(actor, path, name, token))


def confirm(actor: Actor, token: str, name: str) -> int:
    """Save the previewed workbook's cases (all or none) through the door; returns how many were new or changed.
    The staged workbook is read and checked again: what is saved is what was checked."""
    if not door.may_edit(actor) or actor.user_id is None:
        raise door.NotFound
    path = staged(actor.user_id, token)
    if path is None:
        raise LedgerRefusedError("要导入的台账已失效，请重新上传")
    checked = _check(actor, _read(actor, path, name, token))
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


def _mask_leaf(key: str | int, value: str) -> str:
    """A text as the default export shows it: ID and 学籍 numbers masked, and any number like one inside text."""
    if key == "id_number":
        return mask_id(value)
    if key == "registry_no":
        return mask_registry(value)
    return masked(value)


def _leaves(obj: Any) -> Iterator[tuple[Any, str | int, str]]:
    """Every text of a case: (its container, its key or index, the text)."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in items:
        if isinstance(value, str):
            yield obj, key, value
        else:
            yield from _leaves(value)


def _masked(data: CaseDraft) -> CaseDraft:
    out = copy.deepcopy(data)
    for obj, key, value in list(_leaves(out)):
        obj[key] = _mask_leaf(key, value)
    return out


def _restorer(actor: Actor) -> Restore:
    """Puts back, in a case read from a ledger, each text the default export masked — taken from the stored case
    of the same 案卷编号 among the actor's own (a masked text that could stand for two stored ones is left as it
    is). So a masked export re-imports unchanged, and a mask never overwrites a stored number."""
    stored: dict[str, CaseDraft] | None = None

    def restore(case: CaseDraft) -> None:
        nonlocal stored
        if stored is None:
            stored = dict(door.cases(actor).values_list("case_id", "data"))
        old = stored.get(case.get("case_id"))  # type: ignore[arg-type]
        if old is None:
            return
        originals: dict[str, set[str]] = {}
        for _, key, value in _leaves(old):
            shown = _mask_leaf(key, value)
            if shown != value:
                originals.setdefault(shown, set()).add(value)
        for obj, key, value in list(_leaves(case)):
            if "*" in value and len(originals.get(value, ())) == 1:
                obj[key] = next(iter(originals[value]))

    return restore


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
