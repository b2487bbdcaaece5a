"""What a template sees: the case as a person reads it (labels, 2022年9月14日), the record, and ``doc``.

Enumeration codes become their Chinese labels and ISO dates become Chinese dates, so templates
never format anything. A few values are computed; they are listed in COMPUTED so that the template
check knows them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from docgen.cases.model import CaseData, lookup, records
from docgen.cases.schema import case_field
from docgen.dates import cn_date, parse_iso

GRADES = "一二三四五六七八九"
# Values a template may use that the case schema does not define: (where, name) → meaning.
COMPUTED = {
    ("student", "grade_name"): "年级的中文写法，如“七年级”",
    ("persuasions[]", "participant_names"): "劝返人员，如“罗晓梅（云溪镇人民政府社事办主任）、…”",
    ("sessions[]", "teacher_names"): "送教教师姓名，如“周建军、刘芳”",
    ("penalty", "proof_list"): "证据，编号列出：“1.劝返工作记录表5份；2.……”",
    ("penalty", "notice_no"): "行政处罚事先告知书的文号",
    ("penalty", "notice_date"): "行政处罚事先告知书的送达日期",
    ("penalty", "decision_no"): "行政处罚决定书的文号",
    ("penalty", "decision_date"): "行政处罚决定书的日期",
    ("penalty", "decision_served"): "行政处罚决定书的送达日期",
    ("penalty", "fine_amount"): "拟罚款的数额（元，从处罚内容中读出；不是罚款或没有写数额时为空）",
    ("penalty", "hearing"): "是否告知听证权利：拟罚款达到工作区设置的较大数额（没有设置时凡罚款都告知）",
}
DOC_FIELDS = {
    "no": "文号", "issuer": "发文单位", "issuer_short": "发文单位简称（镇、乡、校）", "date": "成文日期",
    "deadline": "限期", "addressee": "主送机关（县教育局）",
    "signer": "签发人（工作区设置中发文单位的 signer）", "contact": "联系人（工作区设置中发文单位的 contact）",
    "phone": "联系电话（工作区设置中发文单位的 phone）",
}
UNIT_FIELDS = {"signer": "签发人", "contact": "联系人", "phone": "联系电话"}
_AMOUNT = re.compile(r"(?<![0-9.,])([0-9][0-9,]*(?:\.[0-9]+)?)\s*元")  # 500元, 1,000元; not 5千元 (read as unknown)


class _Node:
    """What the schema says about one place in a case, for :func:`readable`: its labels, whether it is a date,
    and the places below it (made as they are met, once per process)."""

    __slots__ = ("children", "is_date", "labels", "parts")

    def __init__(self, parts: tuple[str, ...]) -> None:
        field = case_field(list(parts))
        self.parts = parts
        self.labels = field.labels if field is not None and field.labels else None
        self.is_date = field is not None and field.kind in ("date", "planned_date")
        self.children: dict[str, _Node] = {}

    def child(self, key: str) -> _Node:
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = _node((*self.parts, key))
        return node


@lru_cache(maxsize=256)
def _node(parts: tuple[str, ...]) -> _Node:
    return _Node(parts)


def _readable(value: Any, node: _Node) -> Any:
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            child = node.child(key)
            if isinstance(item, str):
                out[key] = _text(item, child) if child.labels or child.is_date else item
            elif isinstance(item, Mapping | list):
                out[key] = _readable(item, child)
            else:
                out[key] = item
        return out
    if isinstance(value, list):
        child = node.child("[]")
        return [_readable(item, child) for item in value]
    if isinstance(value, str):
        return _text(value, node)
    return value


def _text(value: str, node: _Node) -> str:
    if node.labels:
        return node.labels.get(value, value)
    if node.is_date and (day := parse_iso(value)):
        return cn_date(day)
    return value


def readable(value: Any, parts: list[str]) -> Any:
    """A copy of case data with codes as labels and dates as Chinese dates, following the schema."""
    return _readable(value, _node(tuple(parts)))


def readable_case(case: CaseData, keys: frozenset[str] | None = None) -> dict[str, Any]:
    """What ``case`` is to a template: labels, Chinese dates and the computed values (made once per case); with
    ``keys``, only the parts of the case the template reads."""
    root = _node(())
    view = {k: _readable(v, root.child(k)) for k, v in case.items() if keys is None or k in keys}
    grade = lookup(case, "student.grade")
    if "student" in view and isinstance(grade, int) and 1 <= grade <= 9:
        view["student"]["grade_name"] = f"{GRADES[grade - 1]}年级"
    for p in view.get("persuasions", []):
        _record_computed(p)
    if isinstance(view.get("penalty"), dict):
        _penalty_computed(view["penalty"], case)
    return view


def _penalty_computed(penalty: dict[str, Any], case: CaseData) -> None:
    """What the penalty documents quote from the case's other records: the evidence as one numbered
    sentence, and the advance notice and decision they follow."""
    penalty["proof_list"] = "；".join(f"{i}.{p}" for i, p in enumerate(penalty.get("proofs", []), start=1))
    fined = lookup(case, "penalty.penalty_type") == "fine"
    amounts = _AMOUNT.findall(str(penalty.get("penalty_content", ""))) if fined else []
    # Two sums, or one written in words: no amount rather than a guess.
    penalty["fine_amount"] = float(amounts[0].replace(",", "")) if len(amounts) == 1 else None
    notices = {n.get("kind"): n for _, n in records(case, "notices")}
    for kind, prefix in (("penalty_notice", "notice"), ("penalty_decision", "decision")):
        notice = notices.get(kind)
        issued, served = parse_iso(lookup(notice, "issued_on")), parse_iso(lookup(notice, "served_on"))
        penalty[f"{prefix}_no"] = lookup(notice, "doc_no") or ""
        if prefix == "notice":
            penalty["notice_date"] = cn_date(served or issued) if (served or issued) else ""
        else:
            penalty["decision_date"] = cn_date(issued) if issued else ""
            penalty["decision_served"] = cn_date(served) if served else ""


def _record_computed(record: dict[str, Any]) -> dict[str, Any]:
    if "participants" in record:
        record["participant_names"] = "、".join(
            f"{p.get('name', '')}（{p.get('unit', '')}{p.get('role', '')}）" for p in record["participants"]
        )
    if "teachers" in record:
        record["teacher_names"] = "、".join(t.get("name", "") for t in record["teachers"])
    return record


@dataclass(frozen=True)
class UnitContact:
    """What the county's workspace says about one issuing unit: who signs its 上行文 (签发人, GB/T 9704 7.2.4),
    and the person and phone a 函 names for the recipient to call back."""

    signer: str = ""
    contact: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Issuing:
    """The county's settings for issuing documents (``docgen-workspace.yaml``): its units' signers and contacts,
    and the 较大数额罚款 of its province from which an advance penalty notice offers a hearing (行政处罚法
    Art. 63; None: every proposed fine offers one)."""

    units: Mapping[str, UnitContact] = field(default_factory=dict)
    hearing_fine: float | None = None
    source: str = ""  # the settings file, for messages

    def unit(self, name: str) -> UnitContact:
        return self.units.get(name, UnitContact())

    def hearing(self, penalty: Mapping[str, Any]) -> bool:
        """Art. 63–64: a hearing is offered before a fine of 较大数额, not before a warning or a small fine. A
        fine whose amount the penalty record does not state plainly is taken to be large (a hearing offered in
        doubt costs nothing; one withheld makes the penalty unlawful)."""
        if penalty.get("penalty_type") not in ("fine", "罚款"):
            return False
        amount = penalty.get("fine_amount")
        return self.hearing_fine is None or amount is None or amount >= self.hearing_fine


NO_SETTINGS = Issuing()


@dataclass(frozen=True)
class DocInfo:
    """How one document is issued: number, issuer, dates."""

    no: str
    issuer: str
    issuer_short: str
    date: dt.date
    deadline: dt.date | None
    addressee: str

    def as_context(self) -> dict[str, str]:
        return {"no": self.no, "issuer": self.issuer, "issuer_short": self.issuer_short, "date": cn_date(self.date),
                "deadline": cn_date(self.deadline) if self.deadline else "", "addressee": self.addressee}


def template_context(case_view: dict[str, Any], record: Mapping[str, Any] | None, record_path: list[str],
                     doc: DocInfo, key: str = "case", issuing: Issuing = NO_SETTINGS) -> dict[str, Any]:
    """The context of one document: the case as :func:`readable_case` made it (or a roster child, as
    ``child``), the record, and ``doc`` (with the issuing unit's signer and contact from ``issuing``)."""
    unit = issuing.unit(doc.issuer)
    context: dict[str, Any] = {key: case_view, "doc": {**doc.as_context(), "signer": unit.signer,
                                                       "contact": unit.contact, "phone": unit.phone}}
    penalty = case_view.get("penalty") if key == "case" else None
    if isinstance(penalty, dict):
        penalty["hearing"] = issuing.hearing(penalty)
    if record is not None:
        context["record"] = _record_computed(readable(record, [*record_path, "[]"]))
    return context
