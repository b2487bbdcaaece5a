"""A data problem found in a case file or ledger, and how it is printed: one line that says where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located by file, case and JSON path or ledger cell.

    ``case`` is the student as a person recognises them (``张三(G430527…)``); ``path`` is the JSON
    path (``$.cases[2].student.id_number``) or, for a ledger, the cell (``辍学学生台账!F5（身份证号）``).
    """

    file: str
    path: str
    message: str
    case: str = ""

    def __str__(self) -> str:
        who = f"{self.case}: " if self.case else ""
        where = f"{self.path} " if self.path else ""
        return f"{self.file}: {who}{where}{self.message}"


def case_label(case: object) -> str:
    """The name and 学籍号 of a case as a person recognises it, or '' when neither is known."""
    if not isinstance(case, dict):
        return ""
    student = case.get("student")
    if not isinstance(student, dict):
        return str(case.get("case_id", "")) if isinstance(case.get("case_id"), str) else ""
    name = student.get("name") if isinstance(student.get("name"), str) else ""
    registry = student.get("registry_no") if isinstance(student.get("registry_no"), str) else ""
    if name and registry:
        return f"{name}({registry})"
    return name or registry
