"""The one problem type: anything wrong that docgen reports, and how it is printed — one line that says where.

Validation problems, checklist findings, assembly and verification problems all are a
:class:`Problem`: an id (the rule or check), a severity, the file and case it is about, the place
(JSON path, ``sheet!cell``, or a file inside a folder), a Chinese message and, for checklist rules,
the regulation it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITY_LABELS = {"error": "错误", "warning": "注意", "info": "提示"}
_ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r", "\u2028": " ", "\u2029": " "})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located by file, case and JSON path or ledger cell.

    ``case`` is the student as a person recognises them (``张三(G430527…)``); ``path`` is the place:
    the JSON path (``$.cases[2].student.id_number``), the cell (``辍学学生台账!F5（身份证号）``) or
    a file. ``severity`` is error (the data cannot be used as it is), warning (it can, but look) or
    info; ``id`` names the check that found it.
    """

    file: str
    path: str
    message: str
    case: str = ""
    severity: str = "error"
    id: str = ""
    source: str = ""

    def __str__(self) -> str:
        who = f"{self.case}: " if self.case else ""
        where = f"{self.path} " if self.path else ""
        mark = "" if self.severity == "error" else f"（{SEVERITY_LABELS[self.severity]}）"
        # One problem, one line: a value quoted in a message may hold line breaks of its own.
        return f"{self.file}: {who}{where}{mark}{self.message}".translate(_ONE_LINE)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_json(self) -> dict[str, str]:
        """The problem as the report schema (``data/problem.schema.json``) describes it."""
        return {"id": self.id, "severity": self.severity, "file": self.file, "case": self.case,
                "place": self.path, "message": self.message, "source": self.source}
