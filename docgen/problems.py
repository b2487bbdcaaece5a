"""The one problem type: anything wrong that docgen reports, and how it is printed — one line that says where.

Validation problems and checklist findings are both a :class:`Problem`: an id (the rule or check),
a severity, the file and case it is about, the place (JSON path, ``sheet!cell``, or a file inside a
folder), a Chinese message and, for checklist rules, the regulation it comes from. Its JSON form is
described by ``data/problem.schema.json``, published beside the case schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docgen.idcard import mask_ids_in, mask_registry

SEVERITY_LABELS = {"error": "错误", "warning": "注意", "info": "提示"}
# The same severities as an auditor names them in a completeness check.
FINDING_LABELS = {"error": "缺漏", "warning": "建议补充", "info": "提示"}
_ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r", "\u2028": " ", "\u2029": " "})


@dataclass(frozen=True)
class Document:
    """A regulation or official document a requirement comes from, as the sources register names it."""

    id: str
    title: str
    issuer: str = ""
    doc_no: str = ""
    date: str = ""  # ISO, "" when the document does not say
    note: str = ""
    # A local document (another county's or a township's) is the county's basis only where its workspace adopts
    # it: then this is the county's own document and ``adopts`` cites the one it follows; a local document it has
    # not adopted is ``advisory`` — cited as a reference, and what it alone requires is a suggestion (建议).
    adopts: str = ""
    advisory: bool = False

    def __str__(self) -> str:
        """``咸宜镇人民政府《关于印发…的通知》（咸宜府发〔2022〕56号，2022年8月5日）``."""
        inner = self.title.translate(str.maketrans("《》", "〈〉"))  # a title quoted inside a title: 〈〉
        title = f"《{inner}》"
        said = [self.doc_no] if self.doc_no else []
        if self.date:
            year, month, day = (int(p) for p in self.date.split("-"))
            said.append(f"{year}年{month}月{day}日")
        if self.adopts:
            said.append(f"采用{self.adopts}的要求")
        text = f"{self.issuer}{title}" + (f"（{'，'.join(said)}）" if said else "")
        return f"{text}{ADVISORY}" if self.advisory else text

    @property
    def short(self) -> str:
        """The way a cell cites it: issuer and 文号 (``咸宜镇人民政府咸宜府发〔2022〕56号``), or the title."""
        text = f"{self.issuer}{self.doc_no}" if self.doc_no else str(self)
        return f"{text}{ADVISORY}" if self.advisory and self.doc_no else text

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in {"id": self.id, "title": self.title, "issuer": self.issuer,
                                                 "doc_no": self.doc_no, "date": self.date,
                                                 "adopts": self.adopts}.items() if v}
        if self.advisory:
            out["advisory"] = True
        return out


ADVISORY = "（外地文件，本县未采用，仅供参考）"


@dataclass(frozen=True)
class Source:
    """Where a requirement comes from: the document and the passage, for an auditor's 'why?'."""

    document: Document
    passage: str

    def __str__(self) -> str:
        return f"{self.document}：“{self.passage}”"


@dataclass(frozen=True)
class CaseRef:
    """The case a finding is about, as an auditor and a school recognise it."""

    file: str
    case_id: str
    name: str
    registry_no: str
    id_number: str
    category: str
    township: str
    school: str

    @property
    def label(self) -> str:
        """Name and masked 学籍号: findings end up in reports and archives, which never show a full ID."""
        return f"{self.name}({mask_registry(self.registry_no)})" if self.registry_no else self.name


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located by file, case and place.

    ``case`` is the student as a person recognises them (``张三(G430527…)``); ``path`` is the place:
    the JSON path (``$.cases[2].student.id_number``), the cell (``辍学学生台账!F5（身份证号）``) or
    a file. ``severity`` is error, warning or info; ``id`` names the check or rule that found it;
    ``source`` the regulation. Checklist findings also carry ``ref`` (the case in full), ``unit``
    (for a township's or school's own archive) and ``item`` (the inventory code, such as B4-2).
    """

    file: str
    path: str
    message: str
    case: str = ""
    severity: str = "error"
    id: str = ""
    source: Source | None = None
    ref: CaseRef | None = None
    unit: str = ""
    item: str = ""

    def __str__(self) -> str:
        who = f"{self.case}: " if self.case else ""
        where = f"{self.path} " if self.path else ""
        mark = "" if self.severity == "error" else f"（{SEVERITY_LABELS[self.severity]}）"
        # One problem, one line: a value quoted in a message may hold line breaks of its own.
        return f"{self.file}: {who}{where}{mark}{self.message}".translate(_ONE_LINE)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def counts(self) -> bool:
        """Errors and warnings are gaps; info findings are notes that do not make a case incomplete."""
        return self.severity != "info"

    def line(self) -> str:
        """A checklist finding as an auditor reads it: ``[缺漏] 张三(G…) B4-1 $.persuasions：…（规则 …）``."""
        who = self.ref.label if self.ref else self.unit
        where = f" {self.path}" if self.path else ""
        text = f"[{FINDING_LABELS[self.severity]}] {who} {self.item}{where}：{self.message}（规则 {self.id}）"
        return text.translate(_ONE_LINE)

    def as_json(self) -> dict[str, Any]:
        """The problem as ``data/problem.schema.json`` describes it."""
        out: dict[str, Any] = {"id": self.id, "severity": self.severity, "file": self.file, "case": self.case,
                               "place": self.path, "message": self.message}
        if self.source is not None:
            out["source"] = self.source.document.as_json() | {"passage": self.source.passage}
        if self.unit:
            out["unit"] = self.unit
        if self.item:
            out["item"] = self.item
        return out


def finding(rule_id: str, severity: str, item: str, message: str, where: str, source: Source,
            case: CaseRef | None = None, unit: str = "") -> Problem:
    """A checklist or procedure finding about a case (``case``) or a unit's own archive (``unit``). Findings go into
    reports and archives, which never show an ID number: any in the message, well-formed or not, is masked.
    What only a local document the county has not adopted requires is a suggestion (warning), never a gap."""
    if source.document.advisory and severity == "error":
        severity = "warning"
    return Problem(file=case.file if case else "", path=where, message=mask_ids_in(message),
                   case=case.label if case else unit, severity=severity, id=rule_id, source=source,
                   ref=case, unit=unit, item=item)
